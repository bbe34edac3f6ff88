"""The bundled reference implementation: its components, its snippets, and a side-by-side with a candidate."""

from __future__ import annotations

import textwrap
from functools import cache

from checker.bundled import bundled_path
from checker.findings import ComponentMatch, SettingDifference
from checker.load import Template, load_file
from checker.model.recognise import Architecture, alarms_watching, recognise, refers_to
from checker.model.resolve import ResolvedTemplate, resolve
from checker.model.values import NO_VALUE, Unknown, as_list
from checker.vocabulary import COMPONENTS, DEFAULTS

REFERENCE_FILE = "order-processing.yaml"

# Settings compared per component: (label, path from the resource); CloudFormation's default stands for one not written.
_SETTINGS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "order_queue": (
        ("VisibilityTimeout", ("Properties", "VisibilityTimeout")),
        ("MessageRetentionPeriod", ("Properties", "MessageRetentionPeriod")),
        ("maxReceiveCount", ("Properties", "RedrivePolicy", "maxReceiveCount")),
        ("SqsManagedSseEnabled", ("Properties", "SqsManagedSseEnabled")),
    ),
    "dlq": (("MessageRetentionPeriod", ("Properties", "MessageRetentionPeriod")),),
    "processor": (
        ("Runtime", ("Properties", "Runtime")),
        ("MemorySize", ("Properties", "MemorySize")),
        ("Timeout", ("Properties", "Timeout")),
    ),
    "event_source_mapping": (
        ("BatchSize", ("Properties", "BatchSize")),
        ("FunctionResponseTypes", ("Properties", "FunctionResponseTypes")),
    ),
    "status_table": (
        ("BillingMode", ("Properties", "BillingMode")),
        ("PointInTimeRecoveryEnabled", ("Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")),
        ("SSEEnabled", ("Properties", "SSESpecification", "SSEEnabled")),
        ("DeletionPolicy", ("DeletionPolicy",)),
    ),
    "log_group": (("RetentionInDays", ("Properties", "RetentionInDays")),),
}


@cache
def reference_template() -> Template:
    return load_file(bundled_path("reference_template") / REFERENCE_FILE)


@cache
def _reference_resolved() -> ResolvedTemplate:
    return resolve(reference_template())


@cache
def _reference_parts() -> dict[str, str | None]:
    resolved = _reference_resolved()
    return component_resources(resolved, recognise(resolved))


def _alarm_on(resolved: ResolvedTemplate, part: str | None, namespace: str, metric: str, dimension: str) -> str | None:
    return next(iter(alarms_watching(resolved, namespace, metric, dimension, part)), None) if part else None


def component_resources(resolved: ResolvedTemplate, arch: Architecture) -> dict[str, str | None]:
    """Which resource of a template plays each reference component."""
    errors_alarm = _alarm_on(resolved, arch.processor, "AWS/Lambda", "Errors", "FunctionName")
    topic = None
    if errors_alarm:
        actions = resolved.resources[errors_alarm].properties.get("AlarmActions")
        topics = [
            topic.logical_id
            for topic in resolved.of_type("AWS::SNS::Topic")
            if any(refers_to(resolved, action, topic.logical_id) for action in as_list(actions))
        ]
        topic = topics[0] if topics else None
    first = lambda kind: next((resource.logical_id for resource in resolved.of_type(kind)), None)  # noqa: E731
    return {
        "order_queue": arch.order_queue,
        "dlq": arch.dlq,
        "processor": arch.processor,
        "event_source_mapping": arch.mapping,
        "status_table": arch.status_table,
        "log_group": arch.processor_log_group,
        "role": arch.processor_role,
        "errors_alarm": errors_alarm,
        "dlq_alarm": _alarm_on(resolved, arch.dlq, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName"),
        "duration_alarm": _alarm_on(resolved, arch.processor, "AWS/Lambda", "Duration", "FunctionName"),
        "alarm_topic": topic,
        "dashboard": first("AWS::CloudWatch::Dashboard"),
        "query": first("AWS::Logs::QueryDefinition"),
    }


def _setting(resolved: ResolvedTemplate, logical_id: str, path: tuple[str, ...]) -> object:
    resource = resolved.resources[logical_id]
    node = resource.at(path)
    if node is NO_VALUE:
        return DEFAULTS.get((resource.type, path))
    if isinstance(node, Unknown):
        return f"unknown ({node.reason})"
    return str(node) if isinstance(node, str) else node


def compare_with_reference(resolved: ResolvedTemplate, arch: Architecture) -> tuple[ComponentMatch, ...]:
    """The reviewer's side-by-side: each reference component, who plays it, and settings that differ."""
    reference = _reference_parts()
    reference_resolved = _reference_resolved()
    candidate = component_resources(resolved, arch)
    matches = []
    for component in COMPONENTS:
        reference_id = reference[component]
        candidate_id = candidate[component]
        differences = []
        if reference_id and candidate_id:
            for label, path in _SETTINGS.get(component, ()):
                expected = _setting(reference_resolved, reference_id, path)
                actual = _setting(resolved, candidate_id, path)
                if expected != actual and actual is not NO_VALUE:
                    differences.append(SettingDifference(label, expected, actual))
        matches.append(ComponentMatch(component, reference_id or "", candidate_id, tuple(differences)))
    return tuple(matches)


def _spans(marks: dict, end: int) -> dict[str, tuple[int, int]]:
    """Line span of each key of a block mapping: from its line to the line before the next key."""
    starts = sorted((mark.line, key) for key, mark in marks.items())
    ends = [line - 1 for line, _ in starts[1:]] + [end]
    return {key: (line, stop) for (line, key), stop in zip(starts, ends, strict=True)}


def _section_end(template: Template, section: str, last_line: int) -> int:
    """The last line of a top-level section: the line before the next top-level key (Outputs after Resources)."""
    marks = template.data.key_marks
    start = marks[section].line
    return min((mark.line - 1 for mark in marks.values() if mark.line > start), default=last_line)


def reference_snippet(component: str, properties: tuple[str, ...] = ()) -> str:
    """The reference template's own lines for a component: the whole resource, or only the named properties."""
    template = reference_template()
    logical_id = _reference_parts().get(component)
    if logical_id is None:
        return ""
    lines = template.text.splitlines()
    resources = template.resources
    start, end = _spans(resources.key_marks, _section_end(template, "Resources", len(lines)))[logical_id]
    resource = resources[logical_id]
    body = resource.get("Properties")
    wanted = [name for name in properties if isinstance(body, dict) and name in body]
    if wanted:
        spans = _spans(body.key_marks, end)
        properties_line = resource.key_marks["Properties"].line
        # The resource's own header lines stay: Type, and attributes such as DeletionPolicy that rules read.
        keep = {start, properties_line}
        keep.update(mark.line for key, mark in resource.key_marks.items() if key not in ("Properties", "Metadata"))
        for name in wanted:
            keep.update(range(spans[name][0], spans[name][1] + 1))
        block = [lines[number - 1] for number in sorted(keep) if number <= end]
    else:
        block = lines[start - 1 : end]
    while block and (not block[-1].strip() or block[-1].lstrip().startswith("#")):
        block.pop()
    return textwrap.dedent("\n".join(block))
