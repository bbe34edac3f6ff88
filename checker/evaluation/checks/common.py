"""Helpers several checks share: defaults, parts, values, policy statements."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.evaluate import source_path
from checker.model.resolve import ResolvedResource
from checker.model.values import Unknown, as_list, as_mapping, find_unknown
from checker.vocabulary import DEFAULTS, PARTS


def missing(*parts: str) -> NotApplicable:
    return NotApplicable("the template has no " + " and no ".join(PARTS[part] for part in parts))


def require(context: Context, *parts: str) -> NotApplicable | None:
    """NotApplicable naming the missing parts, or None when all exist."""
    absent = [part for part in parts if getattr(context.arch, part) is None]
    return missing(*absent) if absent else None


def number(resource: ResolvedResource, name: str) -> int | float | Unknown:
    """A numeric property, or CloudFormation's default when it is not written; numbers written as strings count."""
    value = resource.properties.get(name, DEFAULTS[resource.type, ("Properties", name)])
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return Unknown(f"{name} is {value!r}, not a number")
    try:
        return float(value) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError):
        return Unknown(f"{name} is {value!r}, not a number")


def numbers(*settings: tuple[ResolvedResource, str]) -> list[int | float] | Unresolved:
    """Numeric properties (see `number`) in the order asked, or why the first that cannot be known is not."""
    values: list[int | float] = []
    for resource, name in settings:
        value = number(resource, name)
        if isinstance(value, Unknown):
            return unresolved(resource, name, value)
        values.append(value)
    return values


def shown(resource: ResolvedResource, name: str, value: object, unit: str = "") -> str:
    """A value for a message, saying when it is CloudFormation's default rather than written."""
    text = f"{value}{unit}"
    return text if name in resource.properties else f"{text} (the default)"


def order_queue_redrive(context: Context) -> tuple[ResolvedResource, dict | None] | NotApplicable | Unresolved:
    """The order queue and its RedrivePolicy (None when it has none), or why neither can be judged."""
    absent = require(context, "order_queue")
    if absent:
        return absent
    queue = context.part("order_queue")
    written = queue.properties.get("RedrivePolicy")
    if isinstance(written, Unknown):
        return unresolved(queue, "RedrivePolicy", written)
    return queue, as_mapping(written)


def mapping_reports_failures(context: Context) -> bool | Unresolved:
    """Does the order queue's event source mapping set FunctionResponseTypes: [ReportBatchItemFailures]?"""
    mapping = context.part("mapping")
    types = mapping.properties.get("FunctionResponseTypes")
    if isinstance(types, Unknown):
        return unresolved(mapping, "FunctionResponseTypes", types)
    return "ReportBatchItemFailures" in as_list(types)


def unless_unknown(violation: Violation, inspected: object, what: str) -> Violation | Unresolved:
    """A failure decided on values that include an unknown one is no verdict: report it as unknown."""
    unknown = find_unknown(inspected)
    return Unresolved(f"{what} cannot be resolved: {unknown.reason}") if unknown else violation


def once_per_place(
    context: Context,
    outcomes: Iterable[Outcome],
    distinct: Callable[[Violation], object] = lambda _: None,
    source_order: bool = False,
) -> Iterator[Outcome]:
    """The outcomes with only the first violation at each place of the source (and, with `distinct`, of
    each kind there); with `source_order`, violations in the order the source is written.

    SAM copies Globals into every function and a policy template into several statements: a value
    written once reaches a check once per copy, and is reported once, for the first resource it reaches."""
    placed: dict[tuple, Violation] = {}
    for outcome in outcomes:
        if not isinstance(outcome, Violation):
            yield outcome
            continue
        placed.setdefault((context.template.origin(source_path(context, outcome)), distinct(outcome)), outcome)
    keys = sorted(placed, key=lambda key: context.template.mark_at(key[0])) if source_order else placed
    yield from (placed[key] for key in keys)


def unresolved(resource: ResolvedResource, name: str, value: Unknown) -> Unresolved:
    return Unresolved(f"{resource.logical_id}.{name} cannot be resolved: {value.reason}")


# --- IAM policy statements written in the template --------------------------------


@dataclass(frozen=True)
class Statement:
    resource: str
    path: tuple[str | int, ...]  # from the resource to the statement
    body: dict


# Resources that hold a policy document of their own, and those that carry a list of inline policies.
DOCUMENT_POLICY_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::RolePolicy",
    "AWS::IAM::UserPolicy",
    "AWS::IAM::GroupPolicy",
)
POLICY_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", *DOCUMENT_POLICY_TYPES)


def _document_statements(resource: str, path: tuple, document: object) -> Iterator[Statement]:
    if not isinstance(document, dict):
        return
    statements = document.get("Statement")
    if isinstance(statements, dict):
        yield Statement(resource, (*path, "Statement"), statements)
    elif isinstance(statements, list):
        for index, statement in enumerate(statements):
            if isinstance(statement, dict):
                yield Statement(resource, (*path, "Statement", index), statement)


def policy_documents(resource: ResolvedResource) -> Iterator[tuple[tuple, object]]:
    """(path, document) of every identity policy a resource writes inline."""
    properties = resource.properties
    if resource.type in DOCUMENT_POLICY_TYPES:
        yield ("Properties", "PolicyDocument"), properties.get("PolicyDocument")
    policies = properties.get("Policies")
    if isinstance(policies, list):
        for index, policy in enumerate(policies):
            if isinstance(policy, dict):
                yield ("Properties", "Policies", index, "PolicyDocument"), policy.get("PolicyDocument")


def template_statements(context: Context) -> Iterator[Statement]:
    """Every identity-policy statement the template writes (not those of attached managed policies)."""
    for resource in context.resolved.of_type(*POLICY_TYPES):
        for path, document in policy_documents(resource):
            yield from _document_statements(resource.logical_id, path, as_mapping(document))


def statement_key(statement: Statement, key: str) -> tuple[str | int, ...]:
    return (*statement.path, key)
