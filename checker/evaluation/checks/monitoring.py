"""Checks on what watches the system: log groups, alarms, the dashboard, the Logs Insights query."""

from __future__ import annotations

import json
from collections.abc import Iterator

from checker.evaluation.checks.common import as_list, require, unless_unknown
from checker.evaluation.context import Context, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.model.recognise import alarms_on, alarms_watching, log_group_name_of, refers_to
from checker.model.values import Unknown, find_unknown


def _alarm_check(context: Context, part: str, namespace: str, metric: str, dimension: str) -> Iterator[Outcome]:
    absent = require(context, part)
    if absent:
        yield absent
        return
    subject = getattr(context.arch, part)
    if alarms_watching(context.resolved, namespace, metric, dimension, subject):
        return
    misnamed = alarms_on(context.resolved, namespace, metric, dimension, subject)
    if misnamed:
        alarm = next(iter(misnamed))
        where = "Dimensions" if "Dimensions" in context.resource(alarm).properties else "Metrics"
        yield Violation(
            alarm,
            ("Properties", where),
            f"{alarm} watches {namespace} {metric} of {subject}, but its {dimension} dimension is not {subject}'s name "
            f"(an ARN or URL?), so the alarm never sees any data: use {_name_hint(part, subject)}.",
        )
    else:
        alarms: list[object] = [alarm.properties for alarm in context.resolved.of_type("AWS::CloudWatch::Alarm")]
        alarms.append(context.resolved.name_of(subject))  # a literal dimension cannot be matched to an unknown name
        yield unless_unknown(
            Violation(
                subject,
                (),
                f"No AWS::CloudWatch::Alarm watches {namespace} {metric} with dimension {dimension} referring to {subject}"
                f"{_switched_off(context, metric)}.",
            ),
            alarms,
            "the metric of an alarm",
        )


def _switched_off(context: Context, metric: str) -> str:
    """Name alarms on the metric that the template declares but does not create (their Condition is false)."""
    absent = [
        logical_id
        for logical_id, raw in context.template.resources.items()
        if raw.get("Type") == "AWS::CloudWatch::Alarm"
        and logical_id not in context.resolved.resources
        and isinstance(raw.get("Properties"), dict)
        and raw["Properties"].get("MetricName") == metric
    ]
    return f" ({', '.join(absent)} is not created: its Condition is false)" if absent else ""


def _name_hint(part: str, subject: str) -> str:
    return f"!GetAtt {subject}.QueueName" if part == "dlq" else f"!Ref {subject}"


@check
def processor_errors_alarm(context: Context) -> Iterator[Outcome]:
    return _alarm_check(context, "processor", "AWS/Lambda", "Errors", "FunctionName")


@check
def dlq_depth_alarm(context: Context) -> Iterator[Outcome]:
    return _alarm_check(context, "dlq", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName")


@check
def processor_duration_alarm(context: Context) -> Iterator[Outcome]:
    return _alarm_check(context, "processor", "AWS/Lambda", "Duration", "FunctionName")


@check
def dashboard_shows_components(context: Context) -> Iterator[Outcome]:
    parts = {part: getattr(context.arch, part) for part in ("order_queue", "dlq", "processor")}
    wanted = {part: logical_id for part, logical_id in parts.items() if logical_id}
    dashboards = context.resolved.of_type("AWS::CloudWatch::Dashboard")
    if not dashboards:
        yield Violation(None, ("Resources",), "The template has no AWS::CloudWatch::Dashboard.")
        return
    best: list[str] | None = None
    best_dashboard = dashboards[0]
    unknown: list[Unresolved] = []
    for dashboard in dashboards:
        body = dashboard.properties.get("DashboardBody")
        hidden = find_unknown(body)  # the whole body, or a part of a body written as a mapping
        absent = [logical_id for logical_id in wanted.values() if not _mentions(context, body, logical_id)]
        if hidden is not None and absent:
            unknown.append(Unresolved(f"the body of {dashboard.logical_id} cannot be resolved: {hidden.reason}"))
            continue
        if best is None or len(absent) < len(best):
            best, best_dashboard = absent, dashboard
    if best is None or (best and unknown):
        yield from unknown
    elif best:
        yield Violation(
            best_dashboard.logical_id,
            ("Properties", "DashboardBody"),
            f"The dashboard {best_dashboard.logical_id} does not show {', '.join(best)}.",
        )


def _mentions(context: Context, body: object, logical_id: str) -> bool:
    """A dashboard body shows a resource when a widget names it: its name as a whole JSON string.

    A reference is not enough: `${Queue}` puts the queue's URL where CloudWatch wants its name."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body, default=lambda _unknown: None)  # what cannot be resolved names nothing
    name = context.resolved.name_of(logical_id)
    return isinstance(body, str) and f'"{name}"' in body


@check
def logs_insights_query(context: Context) -> Iterator[Outcome]:
    absent = require(context, "processor")
    if absent:
        yield absent
        return
    processor = context.part("processor").logical_id
    targets = [context.arch.processor_log_group] if context.arch.processor_log_group else []
    expected_name = log_group_name_of(context.resolved, processor)
    for query in context.resolved.of_type("AWS::Logs::QueryDefinition"):
        for name in as_list(query.properties.get("LogGroupNames")):
            if name == expected_name or any(refers_to(context.resolved, name, target) for target in targets):
                return
    queries = [query.properties.get("LogGroupNames") for query in context.resolved.of_type("AWS::Logs::QueryDefinition")]
    yield unless_unknown(
        Violation(processor, (), f"No AWS::Logs::QueryDefinition targets the processor's log group ({expected_name})."),
        [expected_name, queries],
        "the log group of a query or of the processor",
    )


@check
def alarm_topic_key_usable(context: Context) -> Iterator[Outcome]:
    topics = {topic.logical_id: topic for topic in context.resolved.of_type("AWS::SNS::Topic")}
    for topic in topics.values():
        key = topic.properties.get("KmsMasterKeyId")
        if not (isinstance(key, Unknown) or (isinstance(key, str) and key.endswith("alias/aws/sns"))):
            continue
        alarms = [
            alarm.logical_id
            for alarm in context.resolved.of_type("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
            if any(
                refers_to(context.resolved, action, topic.logical_id)
                for field in ("AlarmActions", "OKActions", "InsufficientDataActions")
                for action in as_list(alarm.properties.get(field))
            )
        ]
        if alarms and isinstance(key, Unknown):
            yield Unresolved(f"the key of {topic.logical_id}, which {', '.join(alarms)} notify, cannot be resolved: {key.reason}")
        elif alarms:
            yield Violation(
                topic.logical_id,
                ("Properties", "KmsMasterKeyId"),
                f"The topic {topic.logical_id} is encrypted with the AWS managed key alias/aws/sns, which CloudWatch cannot use: "
                f"{', '.join(alarms)} will never notify anyone.",
            )
