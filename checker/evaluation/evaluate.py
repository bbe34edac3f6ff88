"""Run the catalogue on one loaded template and turn outcomes into findings.

A check (Python function or Guard rule) yields Violation, Unresolved or
NotApplicable items; this module decides each rule's status, anchors each
violation on the source key it concerns, and isolates a crashing check so the
rest of the file is still judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from checker.evaluation.catalogue import Rule
from checker.findings import Finding, RuleResult
from checker.load.loader import Template, has_step
from checker.model.recognise import Architecture
from checker.model.resolve import NO_VALUE, ResolvedResource, ResolvedTemplate, SourceIndexedList, Unknown, find_unknown, readable
from checker.vocabulary import DEFAULTS, PARTS

UNKNOWN_MARKER = "__cfn_compliance_unknown__"


@dataclass(frozen=True)
class Violation:
    """The rule fails here: `path` is from the resource (or from the template root when resource is None)."""

    resource: str | None
    path: tuple[str | int, ...]
    message: str
    line: int | None = None  # set only when another tool (cfn-lint) located the problem itself
    column: int | None = None

    @classmethod
    def at(cls, path: tuple[str | int, ...], message: str, **location: int) -> Violation:
        """A violation at a path from the template root: under Resources/<id>, it is on that resource."""
        if len(path) >= 2 and path[0] == "Resources":
            return cls(str(path[1]), tuple(path[2:]), message, **location)
        return cls(None, tuple(path), message, **location)


@dataclass(frozen=True)
class Unresolved:
    """The rule cannot be judged because a value is unknown before deployment."""

    message: str


@dataclass(frozen=True)
class NotApplicable:
    message: str


Outcome = Violation | Unresolved | NotApplicable


@dataclass(frozen=True)
class Context:
    """What a check may read: the source, the resolved stack, the recognised parts."""

    template: Template
    resolved: ResolvedTemplate
    arch: Architecture
    parameters: dict[str, object]
    today: date
    options: dict[str, object]

    def resource(self, logical_id: str) -> ResolvedResource:
        return self.resolved.resources[logical_id]


Check = Callable[[Context], Iterable[Outcome]]


def evaluate_rule(rule: Rule, context: Context, checks: dict[str, Check]) -> tuple[RuleResult, list[Finding]]:
    """Status and findings of one rule; a crash in the check (or in placing its findings) is reported against the rule."""
    try:
        return _judged(rule, context, checks)
    except Exception as error:
        message = (
            f"the {rule.id} check crashed on this template ({type(error).__name__}: {error}); this is a bug in cfn-compliance"
        )
        finding = _finding(rule, context, Violation(None, (), message))
        return RuleResult(rule.id, "unknown", message), [finding]


def _judged(rule: Rule, context: Context, checks: dict[str, Check]) -> tuple[RuleResult, list[Finding]]:
    if rule.engine == "guard":
        outcomes = list(guard_outcomes(rule, context))
    else:
        outcomes = list(checks[rule.check["function"]](context))
    violations = [outcome for outcome in outcomes if isinstance(outcome, Violation)]
    unresolved = [_as_written(context, outcome.message) for outcome in outcomes if isinstance(outcome, Unresolved)]
    skipped = [outcome.message for outcome in outcomes if isinstance(outcome, NotApplicable)]
    findings = [_finding(rule, context, violation) for violation in violations]
    if violations:
        return RuleResult(rule.id, "fail", "; ".join(unresolved) or None), findings
    if unresolved:
        return RuleResult(rule.id, "unknown", "; ".join(unresolved)), []
    if skipped:
        return RuleResult(rule.id, "not_applicable", "; ".join(skipped)), []
    return RuleResult(rule.id, "pass"), []


def source_path(context: Context, violation: Violation) -> tuple[str | int, ...]:
    """The violation's path in the source: list positions shifted back where AWS::NoValue removed items."""
    if not violation.resource:
        return violation.path
    resource = context.resolved.resources.get(violation.resource)
    node: object = {"Properties": resource.properties, **resource.attributes} if resource else None
    steps: list[str | int] = []
    for step in violation.path:
        if isinstance(node, SourceIndexedList) and isinstance(step, int) and 0 <= step < len(node):
            steps.append(node.source_indices[step])
        else:
            steps.append(step)
        node = node[step] if has_step(node, step) else None  # type: ignore[index]
    return ("Resources", violation.resource, *steps)


def _as_written(context: Context, message: str, path: tuple[str | int, ...] = ()) -> str:
    """A check's message in the template's own terms: symbols as ${...}, generated names explained."""
    return context.template.explained(readable(message, context.template.resources), path)


def _finding(rule: Rule, context: Context, violation: Violation) -> Finding:
    generated_path = source_path(context, violation)
    path = context.template.origin(generated_path)
    resource = str(context.template.origin(("Resources", violation.resource))[1]) if violation.resource else None
    mark = context.template.mark_at(path)
    if violation.line is not None:
        mark = type(mark)(violation.line, violation.column or 1)
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        category=rule.category,
        title=rule.title,
        message=_as_written(context, violation.message, generated_path),
        remediation=rule.remediation,
        file=context.template.path,
        resource=resource,
        path="/".join(str(step) for step in path),
        line=mark.line,
        column=mark.column,
    )


# --- Guard ------------------------------------------------------------------------


_GUARD_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy")
_PROPERTY_IN_RULE = re.compile(r"\bProperties\.([A-Za-z0-9]+)")


def guard_document(resource: ResolvedResource, rule_text: str) -> dict:
    """The resolved resource as Guard sees it, cut down to the properties the rule reads.

    cfn-guard-rs 0.3.3 garbles reports that quote large values (a missing
    property quotes its whole parent), so Guard is shown only what it tests.
    Unknown values become a marker string.
    """
    wanted = set(_PROPERTY_IN_RULE.findall(rule_text))
    properties = {name: value for name, value in resource.properties.items() if name in wanted}
    attributes = {name: value for name, value in resource.attributes.items() if name in _GUARD_ATTRIBUTES}
    return _plain({"Type": resource.type, "Properties": properties, **attributes})


_INTEGER = re.compile(r"-?[0-9]+")
_LARGEST_EXACT = float(2**53)


def _plain(value: object) -> object:
    """JSON for Guard. Scalars are coerced as CloudFormation coerces them for typed
    properties: "true"/"false" are booleans and digit strings are integers."""
    if isinstance(value, Unknown):
        return UNKNOWN_MARKER
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        return int(value) if _INTEGER.fullmatch(value) else str(value)
    if isinstance(value, float) and not abs(value) <= _LARGEST_EXACT:
        return repr(value)  # cfn-guard-rs garbles its report on huge floats; no property takes one
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items() if item is not NO_VALUE}
    if isinstance(value, list):
        return [_plain(item) for item in value if item is not NO_VALUE]
    return value


def guard_rule_text(rule: Rule, parameters: dict[str, object]) -> str:
    body = rule.check["rule"]
    for name, value in parameters.items():
        body = body.replace("{{" + name + "}}", json.dumps(value))
    return f"rule {rule.id} {{\n{body}\n}}\n"


def guard_passes(document: dict, rule_text: str, rule_id: str) -> bool:
    """Evaluate one Guard rule on one resource document with cfn-guard-rs.

    cfn-guard-rs's Python report classes fail on disjunctions and its report is
    garbled past about 8 KiB, so each resource is its own small document and
    only the rule-level verdict is read from the raw report.
    """
    from cfn_guard_rs.cfn_guard_rs import run_checks_rs

    report = json.loads(run_checks_rs(json.dumps(document), rule_text, False))
    return rule_id in report.get("compliant", []) or rule_id in report.get("not_applicable", [])


def guard_subjects(rule: Rule, context: Context) -> list[ResolvedResource]:
    applies_to = rule.check["applies_to"]
    if "types" in applies_to:
        return context.resolved.of_type(*applies_to["types"])
    logical_id = getattr(context.arch, applies_to["part"])
    return [context.resource(logical_id)] if logical_id else []


def value_at(resource: ResolvedResource, path: Iterable[str]) -> object:
    node: object = {"Type": resource.type, "Properties": resource.properties, **resource.attributes}
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return NO_VALUE
        node = node[step]
    return node


def _first_unknown(resource: ResolvedResource, document: dict) -> Unknown | None:
    """The first unknown value among those Guard was shown (a failure on it is no verdict)."""
    if UNKNOWN_MARKER not in json.dumps(document):
        return None
    shown = {name: resource.properties.get(name) for name in document["Properties"]}
    return find_unknown([shown, resource.attributes]) or Unknown("a value cannot be resolved")


def _shown(value: object) -> str:
    """A value as a message shows it: text bare, anything else as JSON (true, 30, [...])."""
    return value if isinstance(value, str) else json.dumps(value)


def guard_outcomes(rule: Rule, context: Context) -> Iterable[Outcome]:
    subjects = guard_subjects(rule, context)
    if not subjects:
        applies_to = rule.check["applies_to"]
        wanted = PARTS[applies_to["part"]] if "part" in applies_to else " or ".join(applies_to["types"])
        yield NotApplicable(f"the template has no {wanted}")
        return
    text = guard_rule_text(rule, context.parameters)
    path = tuple(rule.check["path"])
    for resource in subjects:
        document = guard_document(resource, text)
        if guard_passes(document, text, rule.id):
            continue
        observed = value_at(resource, path)
        unknown = observed if isinstance(observed, Unknown) else _first_unknown(resource, document)
        if unknown is not None:
            yield Unresolved(f"{resource.logical_id}: a value this rule reads cannot be resolved: {unknown.reason}")
            continue
        if observed is NO_VALUE:
            default = DEFAULTS.get((resource.type, path))
            observed_text = f"not set (default: {_shown(default)})" if default is not None else "not set"
        else:
            observed_text = _shown(_plain(observed))
        message = rule.check["message"].format(resource=resource.logical_id, observed=observed_text, **context.parameters)
        yield Violation(resource.logical_id, path, message)
