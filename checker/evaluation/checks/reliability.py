"""Reliability checks across resources (PITR and deletion protection are Guard rules in rules/)."""

from __future__ import annotations

from collections.abc import Iterator

from checker.evaluation.checks.common import as_list, mapping_reports_failures, order_queue_redrive, require, unresolved
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.model.values import Unknown


@check
def mapping_reports_batch_failures(context: Context) -> Iterator[Outcome]:
    absent = require(context, "mapping")
    if absent:
        yield absent
        return
    reports = mapping_reports_failures(context)
    if isinstance(reports, Unresolved):
        yield reports
    elif not reports:
        mapping = context.part("mapping")
        yield Violation(
            mapping.logical_id,
            ("Properties", "FunctionResponseTypes"),
            f"The event source mapping {mapping.logical_id} does not set FunctionResponseTypes: [ReportBatchItemFailures].",
        )


@check
def enough_receives_before_dlq(context: Context) -> Iterator[Outcome]:
    found = order_queue_redrive(context)
    if not isinstance(found, tuple):
        yield found
        return
    queue, policy = found
    if policy is None or "maxReceiveCount" not in policy:
        yield NotApplicable("the order queue has no redrive policy with a maxReceiveCount")
        return
    count = policy["maxReceiveCount"]
    if isinstance(count, Unknown):
        yield unresolved(queue, "RedrivePolicy.maxReceiveCount", count)
        return
    minimum = context.parameters["min_receive_count"]
    try:
        too_few = _integer(count) < _integer(minimum)
    except (TypeError, ValueError):
        yield Violation(
            queue.logical_id, ("Properties", "RedrivePolicy", "maxReceiveCount"), f"maxReceiveCount {count!r} is not a number."
        )
        return
    if too_few:
        yield Violation(
            queue.logical_id,
            ("Properties", "RedrivePolicy", "maxReceiveCount"),
            f"The order queue {queue.logical_id} moves a message to the DLQ after {count} receives; at least {minimum} are expected.",
        )


def _integer(value: object) -> int:
    """int() of a template value ("3", 3, 3.0); TypeError for a list, mapping or nothing, as int() gives."""
    if isinstance(value, (int, float, str)):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


@check
def processor_spans_zones(context: Context) -> Iterator[Outcome]:
    absent = require(context, "processor")
    if absent:
        yield absent
        return
    processor = context.part("processor")
    vpc = processor.properties.get("VpcConfig")
    if vpc is None:
        return
    if isinstance(vpc, Unknown):
        yield unresolved(processor, "VpcConfig", vpc)
        return
    subnets = vpc.get("SubnetIds") if isinstance(vpc, dict) else None
    if isinstance(subnets, Unknown):
        yield unresolved(processor, "VpcConfig.SubnetIds", subnets)
    elif len(as_list(subnets)) == 1:  # no subnet at all detaches the function from any VPC
        yield Violation(
            processor.logical_id,
            ("Properties", "VpcConfig", "SubnetIds"),
            f"The processor {processor.logical_id} runs in a VPC with {len(as_list(subnets))} subnet(s): a single Availability Zone.",
        )
