"""Guard rules (cfn-guard-rs) evaluated on resolved resources, their failures turned into violations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from checker.evaluation.catalogue import Rule
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.model.resolve import NO_VALUE, ResolvedResource, Unknown, find_unknown
from checker.vocabulary import DEFAULTS, PARTS

UNKNOWN_MARKER = "__cfn_compliance_unknown__"

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
        observed = resource.at(path)
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
