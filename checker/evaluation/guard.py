"""Guard rules (cfn-guard-rs) evaluated on whole resolved resources, their failures turned into violations.

Guard is shown the whole resource (Type, every property, every resource attribute), so a rule may read
it however it likes (`Properties.X`, `Properties['X']`, `let p = Properties`, `Properties.*`...).

What Guard says is read from its verbose record, not from its report. cfn-guard-rs 0.3.3 returns only the
tail of a report longer than about 8 KiB (the head is lost: 498 characters came back for a 200 KiB report),
and a failing report quotes the values it failed on, a missing key its whole parent struct: one rule on
a big resource is enough. The verbose record (`run_checks_rs(data, rules, True)`) came back whole every
time (504 runs: resources to 500 KiB, lengths around multiples of 8 KiB, records to 6 MB; 244 of the
reports were cut), and it was no slower on the corpus; so the verdict holds for resources of any size,
and the record says which values the failing clauses compared or stopped at.

Each unknown value is shown to Guard as a marker string of its own, so a marker Guard quotes names the
unknown behind it (Guard's paths cannot: `/Properties/a/b` is both `a/b` and `a` then `b`). A failure
depends on an unknown when a value a failing clause compared holds a marker, or when a query stopped at
one (a struct merely holding an unknown beside the missing key does not count: the key is missing
whatever the unknown is). Guard does not quote what a passing `when` condition or filter read, nor what
an `empty` check found nothing in, nor the left side of `==` between two queries; a failure through one
of those is taken to depend on any unknown of the resource (never a fail an unknown could turn into a pass).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from checker.evaluation.catalogue import Rule
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.model.resolve import NO_VALUE, ResolvedResource, Unknown
from checker.tree import walk
from checker.vocabulary import DEFAULTS, PARTS

UNKNOWN_MARKER = "__cfn_compliance_unknown__"

# Record entries whose reads Guard does not quote: a condition or filter that passed, an `empty` check
# on nothing.
_UNQUOTED_CONDITIONS = ("RuleCondition", "TypeCondition", "WhenCondition", "Filter")
_UNQUOTED_CHECK = "NoValueForEmptyCheck"


@dataclass(frozen=True)
class GuardDocument:
    """A resource as Guard reads it (JSON text), and the unknown value behind each marker in it."""

    text: str
    unknowns: dict[str, Unknown]


def guard_document(resource: ResolvedResource) -> GuardDocument:
    """The whole resolved resource for Guard; each unknown value becomes a marker of its own."""
    unknowns: dict[str, Unknown] = {}
    data = {"Type": resource.type, "Properties": resource.properties, **resource.attributes}
    return GuardDocument(json.dumps(_plain(data, unknowns)), unknowns)


# Python refuses to read longer digit strings as integers (sys.int_info.default_max_str_digits).
_INTEGER = re.compile(r"-?[0-9]{1,4300}")
_LARGEST_EXACT = float(2**53)


def _plain(value: object, unknowns: dict[str, Unknown]) -> object:
    """JSON for Guard. Scalars are coerced as CloudFormation coerces them for typed
    properties: "true"/"false" are booleans and digit strings are integers."""
    if isinstance(value, Unknown):
        marker = f"{UNKNOWN_MARKER}{len(unknowns)}"
        unknowns[marker] = value
        return marker
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        return int(value) if _INTEGER.fullmatch(value) else str(value)
    if isinstance(value, float) and not abs(value) <= _LARGEST_EXACT:
        return repr(value)  # cfn-guard-rs garbles its report on huge floats; no property takes one
    if isinstance(value, dict):
        return {str(key): _plain(item, unknowns) for key, item in value.items() if item is not NO_VALUE}
    if isinstance(value, list):
        return [_plain(item, unknowns) for item in value if item is not NO_VALUE]
    return value


def guard_rule_text(rule: Rule, parameters: dict[str, object]) -> str:
    body = rule.check["rule"]
    for name, value in parameters.items():
        body = body.replace("{{" + name + "}}", json.dumps(value))
    return f"rule {rule.id} {{\n{body}\n}}\n"


@dataclass(frozen=True)
class GuardFailure:
    """The rule fails on the document; `unknown` is set when the failure depends on an unknown value."""

    unknown: Unknown | None


def guard_failure(document: GuardDocument, rule_text: str) -> GuardFailure | None:
    """Evaluate one Guard rule on one resource document; None when it passes or does not apply.

    Each resource is its own document and the rule is alone in its file, so the file's status is the
    rule's. cfn-guard-rs's Python report classes fail on disjunctions, so the raw record is read.
    """
    from cfn_guard_rs.cfn_guard_rs import run_checks_rs

    record = json.loads(run_checks_rs(document.text, rule_text, True))
    if record["container"]["FileCheck"]["status"] != "FAIL":
        return None
    return GuardFailure(_unknown_read(record, document.unknowns))


def _unknown_read(record: object, unknowns: dict[str, Unknown]) -> Unknown | None:
    """The first unknown a failing record read: in a compared value or where a query stopped, or any
    unknown of the document when the record passed through reads it does not quote."""
    if not unknowns:
        return None
    unquoted = False
    stack = [record]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            if node.keys() == {"path", "value"}:  # a value a clause compared
                found = _marker_in(node["value"], unknowns)
                if found is not None:
                    return found
            elif "traversed_to" in node:  # a query that stopped short: at an unknown, or at a real absence
                stopped_at = node["traversed_to"]["value"]
                if isinstance(stopped_at, str) and stopped_at in unknowns:
                    return unknowns[stopped_at]
            else:
                unquoted = unquoted or _UNQUOTED_CHECK in node or _lost_left_side(node)
                unquoted = unquoted or any(node.get(kind) == "PASS" for kind in _UNQUOTED_CONDITIONS)
                stack.extend(reversed(list(node.values())))
    return next(iter(unknowns.values())) if unquoted else None


def _lost_left_side(node: dict) -> bool:
    """A comparison recorded with one value on both sides: for `A == B` between two queries, cfn-guard
    3.0.1 quotes B twice and never A."""
    if "from" not in node or "to" not in node:
        return False
    left = node["from"].get("Resolved") if isinstance(node["from"], dict) else None
    right = node["to"] if isinstance(node["to"], list) else [node["to"]]
    return (
        left is not None and left["path"] != "" and any(isinstance(item, dict) and item.get("Resolved") == left for item in right)
    )


def _marker_in(value: object, unknowns: dict[str, Unknown]) -> Unknown | None:
    """The unknown behind the first marker inside a quoted value."""
    return next((unknowns[item] for _, item in walk(value) if isinstance(item, str) and item in unknowns), None)


def guard_subjects(rule: Rule, context: Context) -> list[ResolvedResource]:
    applies_to = rule.check["applies_to"]
    if "types" in applies_to:
        return context.resolved.of_type(*applies_to["types"])
    logical_id = getattr(context.arch, applies_to["part"])
    return [context.resource(logical_id)] if logical_id else []


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
        failure = guard_failure(guard_document(resource), text)
        if failure is None:
            continue
        observed = resource.at(path)
        unknown = observed if isinstance(observed, Unknown) else failure.unknown
        if unknown is not None:
            yield Unresolved(f"{resource.logical_id}: a value this rule reads cannot be resolved: {unknown.reason}")
            continue
        default = DEFAULTS.get((resource.type, path))
        if observed is NO_VALUE:
            observed_text = f"not set (default: {_shown(default)})" if default is not None else "not set"
        elif _is_number(default) and not _is_number(_plain(observed, {})):
            yield Violation(resource.logical_id, path, _not_a_number(resource, path, observed))
            continue
        else:
            observed_text = _shown(_plain(observed, {}))
        message = rule.check["message"].format(resource=resource.logical_id, observed=observed_text, **context.parameters)
        yield Violation(resource.logical_id, path, message)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _not_a_number(resource: ResolvedResource, path: tuple[str, ...], observed: object) -> str:
    """A numeric setting written as something else cannot be compared with a limit: say that, not "above the limit"."""
    return (
        f"{resource.logical_id} has {path[-1]} {json.dumps(_plain(observed, {}))}, which is not a number: "
        "CloudFormation refuses it, and this rule cannot compare it with its limit."
    )
