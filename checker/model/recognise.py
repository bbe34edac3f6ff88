"""Which resource plays which part of the order-processing architecture.

Parts are found from wiring (event source mappings, redrive policies,
references), never from logical ids or names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.model.resolve import ResolvedResource, ResolvedTemplate
from checker.model.values import RefStr, Unknown, UnknownName, as_list, as_mapping, refs_in
from checker.vocabulary import ACCOUNT, REGION

FUNCTION_TYPES = ("AWS::Lambda::Function",)
QUEUE_TYPE = "AWS::SQS::Queue"
TABLE_TYPES = ("AWS::DynamoDB::Table",)
MAPPING_TYPE = "AWS::Lambda::EventSourceMapping"
LOG_GROUP_TYPE = "AWS::Logs::LogGroup"
ROLE_TYPE = "AWS::IAM::Role"


@dataclass(frozen=True)
class Architecture:
    """Logical ids of the parts (checker.vocabulary.PARTS); None where the template has no such part."""

    order_queue: str | None
    dlq: str | None
    processor: str | None
    status_table: str | None
    mapping: str | None
    processor_role: str | None
    processor_log_group: str | None


def referenced(resolved: ResolvedTemplate, value: object, types: tuple[str, ...]) -> list[str]:
    """Resources of `types` that `value` refers to: by reference, else (a literal) by their resolved name or ARN."""
    candidates = [resource.logical_id for resource in resolved.of_type(*types)]
    refs = refs_in(value)
    direct = [logical_id for logical_id in candidates if logical_id in refs]
    if direct or not isinstance(value, str):
        return direct
    return [logical_id for logical_id in candidates if refers_to(resolved, value, logical_id)]


ALIAS_TYPES = ("AWS::Lambda::Alias", "AWS::Lambda::Version")


def invoked_functions(resolved: ResolvedTemplate, value: object) -> list[str]:
    """Functions a FunctionName value invokes: directly, or through an alias or version of the template."""
    functions = referenced(resolved, value, FUNCTION_TYPES)
    for alias in referenced(resolved, value, ALIAS_TYPES):
        functions.extend(referenced(resolved, resolved.resources[alias].properties.get("FunctionName"), FUNCTION_TYPES))
    return list(dict.fromkeys(functions))


def _queue_triggers(resolved: ResolvedTemplate, dlq_targets: set[str]) -> list[tuple[str, str, str]]:
    """(mapping, queue, function) for every event source mapping from a queue to a function.

    Mappings from a queue that is some queue's dead-letter target come last: a function
    that drains the DLQ is not the order processor, whatever the order of the resources."""
    triggers = []
    for mapping in resolved.of_type(MAPPING_TYPE):
        queues = referenced(resolved, mapping.properties.get("EventSourceArn"), (QUEUE_TYPE,))
        functions = invoked_functions(resolved, mapping.properties.get("FunctionName"))
        if queues and functions:
            triggers.append((mapping.logical_id, queues[0], functions[0]))
    return sorted(triggers, key=lambda trigger: trigger[1] in dlq_targets)


def dead_letter_target(resolved: ResolvedTemplate, queue: ResolvedResource) -> str | None:
    policy = as_mapping(queue.properties.get("RedrivePolicy"))
    if policy is None:
        return None
    targets = referenced(resolved, policy.get("deadLetterTargetArn"), (QUEUE_TYPE,))
    targets = [target for target in targets if target != queue.logical_id]
    return targets[0] if targets else None


def _only(items: list[str]) -> str | None:
    return items[0] if len(items) == 1 else None


def log_group_name_of(resolved: ResolvedTemplate, function_id: str) -> object:
    """The log group a function writes to: LoggingConfig.LogGroup, else /aws/lambda/<name>."""
    logging = resolved.resources[function_id].properties.get("LoggingConfig")
    if isinstance(logging, dict) and "LogGroup" in logging:
        return logging["LogGroup"]
    name = resolved.name_of(function_id)
    return Unknown(name.reason) if isinstance(name, UnknownName) else "/aws/lambda/" + name


def log_groups_of(resolved: ResolvedTemplate, function_id: str) -> list[str]:
    """Log group resources of the template that receive a function's logs."""
    expected = log_group_name_of(resolved, function_id)
    found = []
    for group in resolved.of_type(LOG_GROUP_TYPE):
        name = group.properties.get("LogGroupName")
        if (isinstance(name, str) and name == expected) or group.logical_id in refs_in(expected):
            found.append(group.logical_id)
    return found


def refers_to(resolved: ResolvedTemplate, value: object, logical_id: str) -> bool:
    """Does a resolved value name the resource: by reference, or by its resolved name or ARN?"""
    if isinstance(value, RefStr) and logical_id in value.refs:
        return True
    if not isinstance(value, str):
        return False
    arn = resolved.get_att(logical_id, "Arn")
    if value in (resolved.name_of(logical_id), arn, resolved.ref(logical_id)):
        return True
    return isinstance(arn, str) and same_arn(value, arn)


def same_arn(written: str, own: str) -> bool:
    """Is an ARN written with a literal region and account that of a resource of the stack?

    The stack's own region and account are symbols; a literal in their place can only
    mean the deployment's (hardcoding them is SEC008's concern, not recognition's)."""
    written_fields, own_fields = written.split(":", 5), own.split(":", 5)
    if len(written_fields) != 6 or len(own_fields) != 6:
        return False
    return all(
        mine == theirs or (index in (3, 4) and mine in (REGION, ACCOUNT))
        for index, (theirs, mine) in enumerate(zip(written_fields, own_fields, strict=True))
    )


@dataclass(frozen=True)
class WatchedMetric:
    namespace: object
    name: object
    dimensions: dict


def alarm_metrics(alarm: ResolvedResource) -> Iterator[WatchedMetric]:
    """The metrics an alarm watches, directly or through metric math."""
    properties = alarm.properties
    if "MetricName" in properties:
        yield WatchedMetric(properties.get("Namespace"), properties["MetricName"], _dimensions(properties.get("Dimensions")))
    for query in as_list(properties.get("Metrics")):
        stat = query.get("MetricStat") if isinstance(query, dict) else None
        metric = stat.get("Metric") if isinstance(stat, dict) else None
        if isinstance(metric, dict):
            yield WatchedMetric(metric.get("Namespace"), metric.get("MetricName"), _dimensions(metric.get("Dimensions")))


def _dimensions(value: object) -> dict:
    return {
        item["Name"]: item.get("Value") for item in as_list(value) if isinstance(item, dict) and isinstance(item.get("Name"), str)
    }


def alarms_on(resolved: ResolvedTemplate, namespace: str, metric: str, dimension: str, logical_id: str) -> dict[str, object]:
    """Alarms on a metric whose dimension refers to the resource in any way, with that dimension's value."""
    found: dict[str, object] = {}
    for alarm in resolved.of_type("AWS::CloudWatch::Alarm"):
        for watched in alarm_metrics(alarm):
            value = watched.dimensions.get(dimension)
            if watched.namespace == namespace and watched.name == metric and refers_to(resolved, value, logical_id):
                found.setdefault(alarm.logical_id, value)
    return found


def alarms_watching(resolved: ResolvedTemplate, namespace: str, metric: str, dimension: str, logical_id: str) -> list[str]:
    """Alarms that really watch the resource: CloudWatch matches a dimension by the resource's name, not its ARN or URL."""
    name = resolved.name_of(logical_id)
    return [alarm for alarm, value in alarms_on(resolved, namespace, metric, dimension, logical_id).items() if value == name]


def recognise(resolved: ResolvedTemplate) -> Architecture:
    functions = [resource.logical_id for resource in resolved.of_type(*FUNCTION_TYPES)]
    queues = [resource.logical_id for resource in resolved.of_type(QUEUE_TYPE)]
    dlq_targets = {target for queue in queues if (target := dead_letter_target(resolved, resolved.resources[queue]))}
    triggers = _queue_triggers(resolved, dlq_targets)

    mapping: str | None
    order_queue: str | None
    processor: str | None
    if triggers:
        mapping, order_queue, processor = triggers[0]
    else:
        mapping = None
        processor = _only(functions)
        order_queue = _only([queue for queue in queues if queue not in dlq_targets])

    dlq = dead_letter_target(resolved, resolved.resources[order_queue]) if order_queue else None

    status_table = None
    role = None
    log_group = None
    if processor:
        properties = resolved.resources[processor].properties
        environment = properties.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        status_table = next(iter(referenced(resolved, variables, TABLE_TYPES)), None)
        role = next(iter(referenced(resolved, properties.get("Role"), (ROLE_TYPE,))), None)
        log_group = next(iter(log_groups_of(resolved, processor)), None)
    if status_table is None:
        status_table = _only([resource.logical_id for resource in resolved.of_type(*TABLE_TYPES)])

    return Architecture(
        processor=processor,
        order_queue=order_queue,
        dlq=dlq,
        status_table=status_table,
        mapping=mapping,
        processor_role=role,
        processor_log_group=log_group,
    )
