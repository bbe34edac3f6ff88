"""Checks on how the parts are wired: queue, DLQ, processor, table."""

from __future__ import annotations

from collections.abc import Iterator

from checker.evaluation.checks.common import (
    numbers,
    order_queue_redrive,
    require,
    shown,
    unless_unknown,
    unresolved,
)
from checker.evaluation.context import Context, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.model.lifecycle import deprecation_date
from checker.model.recognise import FUNCTION_TYPES, MAPPING_TYPE, QUEUE_TYPE, TABLE_TYPES, dead_letter_target, invoked_functions
from checker.model.resolve import ResolvedResource
from checker.model.values import Imported, Unknown, as_mapping, find_unknown, refs_in


@check
def order_queue_is_standard(context: Context) -> Iterator[Outcome]:
    queue = context.arch.order_queue
    if queue is None:
        queues = [resource.logical_id for resource in context.resolved.of_type(QUEUE_TYPE)]
        why = (
            "the template has no SQS queue"
            if not queues
            else f"none of its queues ({', '.join(queues)}) triggers a Lambda function, so none can be told to be the order queue"
        )
        yield Violation(None, ("Resources",), f"No order queue: {why}.")
        return
    fifo = context.resource(queue).properties.get("FifoQueue")
    if isinstance(fifo, Unknown):
        yield unresolved(context.resource(queue), "FifoQueue", fifo)
    elif fifo is True or str(fifo).lower() == "true":
        yield Violation(queue, ("Properties", "FifoQueue"), f"The order queue {queue} is a FIFO queue (FifoQueue: true).")


@check
def processor_runtime_is_current_nodejs(context: Context) -> Iterator[Outcome]:
    processor = context.arch.processor
    if processor is None:
        functions = [resource.logical_id for resource in context.resolved.of_type(*FUNCTION_TYPES)]
        why = (
            "the template has no Lambda function"
            if not functions
            else f"no SQS queue triggers any of its functions ({', '.join(functions)})"
        )
        yield Violation(None, ("Resources",), f"No processor function: {why}.")
        return
    runtime = context.resource(processor).properties.get("Runtime")
    if isinstance(runtime, Unknown):
        yield unresolved(context.resource(processor), "Runtime", runtime)
        return
    if not isinstance(runtime, str) or not runtime.startswith("nodejs"):
        observed = f"runtime {runtime}" if runtime is not None else "no Runtime (a container image or missing)"
        yield Violation(processor, ("Properties", "Runtime"), f"The processor {processor} has {observed}, not Node.js.")
        return
    deprecated = deprecation_date(runtime)
    if deprecated is not None and deprecated <= context.today:
        yield Violation(
            processor,
            ("Properties", "Runtime"),
            f"The processor {processor} runs {runtime}, deprecated since {deprecated.isoformat()}.",
        )


@check
def queue_triggers_processor(context: Context) -> Iterator[Outcome]:
    absent = require(context, "order_queue", "processor")
    if absent:
        yield absent
    elif context.arch.mapping is not None:
        yield from _mapping_delivers(context, context.part("mapping"), context.part("order_queue").logical_id)
    else:
        queue, processor = context.part("order_queue").logical_id, context.part("processor").logical_id
        mappings = [mapping.properties for mapping in context.resolved.of_type(MAPPING_TYPE)]
        names = [context.resolved.name_of(part) for part in (queue, processor)]
        yield unless_unknown(
            Violation(
                queue,
                (),
                f"No AWS::Lambda::EventSourceMapping connects the order queue {queue} to the processor {processor}.",
            ),
            [mappings, names] if mappings else [],
            "the wiring of an event source mapping",
        )


def _mapping_delivers(context: Context, mapping: ResolvedResource, queue: str) -> Iterator[Outcome]:
    """A mapping that names the queue may still deliver nothing: created disabled, or given the
    queue's URL (what !Ref of a queue returns), which Lambda refuses as an EventSourceArn."""
    source = mapping.properties.get("EventSourceArn")
    if source == context.resolved.ref(queue):
        yield Violation(
            mapping.logical_id,
            ("Properties", "EventSourceArn"),
            f"The event source mapping {mapping.logical_id} names the order queue {queue} by its URL (!Ref), "
            f"but an event source mapping needs the queue's ARN (!GetAtt {queue}.Arn): the stack fails to deploy.",
        )
    enabled = mapping.properties.get("Enabled", True)
    if isinstance(enabled, Unknown):
        yield unresolved(mapping, "Enabled", enabled)
    elif enabled is False or str(enabled).lower() == "false":
        yield Violation(
            mapping.logical_id,
            ("Properties", "Enabled"),
            f"The event source mapping {mapping.logical_id} is disabled (Enabled: false): orders wait in {queue} "
            "until they expire.",
        )


@check
def status_table_exists(context: Context) -> Iterator[Outcome]:
    if context.arch.status_table is not None:
        return
    tables = [resource.logical_id for resource in context.resolved.of_type(*TABLE_TYPES)]
    declared = [name for name, resource in context.template.resources.items() if resource.get("Type") in TABLE_TYPES]
    processor = context.arch.processor
    if tables:
        referrer = "the processor references none" if processor else "no processor references one"
        environment = context.resource(processor).properties.get("Environment") if processor else None
        yield unless_unknown(
            Violation(None, ("Resources",), f"No status table: several tables ({', '.join(tables)}) and {referrer}."),
            environment,
            f"the environment of {processor}",
        )
    elif declared:
        yield Violation(
            None,
            ("Resources",),
            f"No status table: the template's tables ({', '.join(declared)}) are not created: their Condition is false.",
        )
    else:
        yield Violation(None, ("Resources",), "No status table: the template has no DynamoDB table.")


@check
def processor_references_table(context: Context) -> Iterator[Outcome]:
    absent = require(context, "processor", "status_table")
    if absent:
        yield absent
        return
    processor, table = context.part("processor").logical_id, context.part("status_table").logical_id
    environment = context.resource(processor).properties.get("Environment")
    variables = environment.get("Variables") if isinstance(environment, dict) else None
    if isinstance(variables, dict) and table in refs_in(variables):
        return
    hardcoded = (
        [name for name, value in variables.items() if value == context.resolved.name_of(table)]
        if isinstance(variables, dict)
        else []
    )
    if hardcoded:
        yield Violation(
            processor,
            ("Properties", "Environment", "Variables", hardcoded[0]),
            f"The processor's environment does not reference the status table: {hardcoded[0]} holds the table name as a literal.",
        )
    elif isinstance(variables, dict) and (imported := _imported_only(variables)):
        yield Violation(
            processor,
            ("Properties", "Environment", "Variables", imported),
            f"The processor's environment does not reference the status table {table}: {imported} takes a value another "
            "stack exports (Fn::ImportValue), not the table this template defines.",
        )
    elif isinstance(variables, dict) and variables:
        yield unless_unknown(
            Violation(
                processor,
                ("Properties", "Environment", "Variables"),
                "The processor's environment does not reference the status table: "
                f"none of its variables ({', '.join(map(str, variables))}) references {table}.",
            ),
            variables,
            f"an environment variable of {processor}",
        )
    else:
        yield unless_unknown(
            Violation(
                processor,
                ("Properties", "Environment"),
                f"The processor {processor} has no environment variable referencing the status table {table}.",
            ),
            environment,
            f"the environment of {processor}",
        )


def _imported_only(variables: dict) -> str | None:
    """The first variable whose value another stack exports, when no other variable is unknown (which might be the
    reference the rule looks for)."""
    imported = [name for name, value in variables.items() if isinstance(value, Imported)]
    known_elsewhere = find_unknown([value for name, value in variables.items() if name not in imported]) is None
    return imported[0] if imported and known_elsewhere else None


@check
def order_queue_has_redrive(context: Context) -> Iterator[Outcome]:
    found = order_queue_redrive(context)
    if not isinstance(found, tuple):
        yield found
        return
    queue, policy = found
    note = _dead_letter_config_note(context)
    if policy is None:
        yield Violation(
            queue.logical_id, ("Properties", "RedrivePolicy"), f"The order queue {queue.logical_id} has no RedrivePolicy.{note}"
        )
        return
    target = dead_letter_target(context.resolved, queue)
    if target is None:
        yield unless_unknown(
            Violation(
                queue.logical_id,
                ("Properties", "RedrivePolicy", "deadLetterTargetArn"),
                f"The RedrivePolicy of {queue.logical_id} does not point at another SQS queue of the template.{note}",
            ),
            policy.get("deadLetterTargetArn"),
            f"the deadLetterTargetArn of {queue.logical_id}",
        )
    elif "maxReceiveCount" not in policy:
        yield Violation(
            queue.logical_id, ("Properties", "RedrivePolicy"), f"The RedrivePolicy of {queue.logical_id} has no maxReceiveCount."
        )


def _dead_letter_config_note(context: Context) -> str:
    """Name the failure destinations often meant as the DLQ that never receive an order the SQS trigger fails."""
    processor, mapping = context.arch.processor, context.arch.mapping
    if processor is None:
        return ""
    if mapping and "OnFailure" in (as_mapping(context.resource(mapping).properties.get("DestinationConfig")) or {}):
        return (
            f" The event source mapping {mapping} sets DestinationConfig.OnFailure instead, but Lambda sends failed "
            "batches there only from stream and Kafka sources, never from SQS."
        )
    if "DeadLetterConfig" in context.resource(processor).properties:
        written = context.template.origin(("Resources", processor, "Properties", "DeadLetterConfig"))[-1]  # SAM: DeadLetterQueue
    elif any(
        processor in invoked_functions(context.resolved, config.properties.get("FunctionName"))
        and "OnFailure" in (as_mapping(config.properties.get("DestinationConfig")) or {})
        for config in context.resolved.of_type("AWS::Lambda::EventInvokeConfig")
    ):
        written = "an OnFailure destination (EventInvokeConfig)"
    else:
        return ""
    return (
        f" The processor {processor} sets {written} instead, but that only catches failed asynchronous "
        "invocations and never sees messages that fail when SQS triggers the function."
    )


@check
def dlq_outlives_order_queue(context: Context) -> Iterator[Outcome]:
    absent = require(context, "order_queue", "dlq")
    if absent:
        yield absent
        return
    queue, dlq = context.part("order_queue"), context.part("dlq")
    retentions = numbers((queue, "MessageRetentionPeriod"), (dlq, "MessageRetentionPeriod"))
    if isinstance(retentions, Unresolved):
        yield retentions
        return
    queue_retention, dlq_retention = retentions
    if dlq_retention <= queue_retention:
        yield Violation(
            dlq.logical_id,
            ("Properties", "MessageRetentionPeriod"),
            f"The DLQ {dlq.logical_id} keeps messages {shown(dlq, 'MessageRetentionPeriod', dlq_retention, ' s')}, "
            f"not longer than the order queue's {shown(queue, 'MessageRetentionPeriod', queue_retention, ' s')}.",
        )


def _compare_visibility(context: Context, factor: int, message: str) -> Iterator[Outcome]:
    absent = require(context, "order_queue", "processor")
    if absent:
        yield absent
        return
    queue, processor = context.part("order_queue"), context.part("processor")
    settings = numbers((queue, "VisibilityTimeout"), (processor, "Timeout"))
    if isinstance(settings, Unresolved):
        yield settings
        return
    visibility, timeout = settings
    if visibility < factor * timeout:
        yield Violation(
            queue.logical_id,
            ("Properties", "VisibilityTimeout"),
            message.format(
                queue=queue.logical_id,
                visibility=shown(queue, "VisibilityTimeout", visibility, " s"),
                processor=processor.logical_id,
                timeout=shown(processor, "Timeout", timeout, " s"),
                needed=factor * timeout,
            ),
        )


@check
def visibility_covers_timeout(context: Context) -> Iterator[Outcome]:
    return _compare_visibility(
        context,
        1,
        "The order queue {queue} has VisibilityTimeout {visibility}, shorter than the processor {processor}'s Timeout {timeout}.",
    )


@check
def visibility_six_times_timeout(context: Context) -> Iterator[Outcome]:
    return _compare_visibility(
        context,
        6,
        "The order queue {queue} has VisibilityTimeout {visibility}, below six times the processor {processor}'s Timeout {timeout} ({needed} s).",
    )


@check
def order_mapping_keeps_every_order(context: Context) -> Iterator[Outcome]:
    absent = require(context, "mapping")
    if absent:
        yield absent
        return
    mapping = context.part("mapping")
    criteria = mapping.properties.get("FilterCriteria")
    if isinstance(criteria, Unknown):
        yield unresolved(mapping, "FilterCriteria", criteria)
        return
    filters = criteria.get("Filters") if isinstance(criteria, dict) else None
    if isinstance(filters, Unknown):
        yield unresolved(mapping, "FilterCriteria.Filters", filters)
    elif filters:
        yield Violation(
            mapping.logical_id,
            ("Properties", "FilterCriteria"),
            f"The event source mapping {mapping.logical_id} filters the order queue (FilterCriteria): Lambda deletes every "
            "message that matches no filter, so such an order reaches neither the processor nor the DLQ.",
        )
