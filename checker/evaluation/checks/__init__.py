"""The explicit registry of Python checks: rule files name their function here."""

from __future__ import annotations

from checker.evaluation.checks import architecture, code, cost, monitoring, reliability, security, template
from checker.evaluation.context import Check

REGISTRY: dict[str, Check] = {
    "cfn_lint_errors": template.cfn_lint_errors,
    "undefined_references": template.undefined_references,
    "order_queue_is_standard": architecture.order_queue_is_standard,
    "processor_runtime_is_current_nodejs": architecture.processor_runtime_is_current_nodejs,
    "queue_triggers_processor": architecture.queue_triggers_processor,
    "status_table_exists": architecture.status_table_exists,
    "processor_references_table": architecture.processor_references_table,
    "order_queue_has_redrive": architecture.order_queue_has_redrive,
    "dlq_outlives_order_queue": architecture.dlq_outlives_order_queue,
    "visibility_covers_timeout": architecture.visibility_covers_timeout,
    "visibility_six_times_timeout": architecture.visibility_six_times_timeout,
    "handles_errors": code.handles_errors,
    "partial_batch_response_consistent": code.partial_batch_response_consistent,
    "failures_recorded": code.failures_recorded,
    "every_function_has_log_group": cost.every_function_has_log_group,
    "processor_errors_alarm": monitoring.processor_errors_alarm,
    "dlq_depth_alarm": monitoring.dlq_depth_alarm,
    "processor_duration_alarm": monitoring.processor_duration_alarm,
    "dashboard_shows_components": monitoring.dashboard_shows_components,
    "logs_insights_query": monitoring.logs_insights_query,
    "alarm_topic_key_usable": monitoring.alarm_topic_key_usable,
    "no_wildcard_actions": security.no_wildcard_actions,
    "no_wildcard_resources": security.no_wildcard_resources,
    "no_broad_managed_policies": security.no_broad_managed_policies,
    "processor_role_permissions": security.processor_role_permissions,
    "no_secrets_in_template": security.no_secrets_in_template,
    "no_hardcoded_account_or_region": security.no_hardcoded_account_or_region,
    "queue_policies_not_public": security.queue_policies_not_public,
    "mapping_reports_batch_failures": reliability.mapping_reports_batch_failures,
    "enough_receives_before_dlq": reliability.enough_receives_before_dlq,
    "processor_spans_zones": reliability.processor_spans_zones,
}
