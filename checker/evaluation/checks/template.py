"""Checks on the template as a document: cfn-lint's verdict and references to undefined names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from checker.evaluation.checks.common import once_per_place
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.load import getatt_target
from checker.model.values import SUB_VARIABLE
from checker.tree import walk
from checker.vocabulary import PSEUDO_PARAMETERS


@check
def cfn_lint_errors(context: Context) -> Iterator[Outcome]:
    if not context.options.get("cfn_lint", True):
        yield NotApplicable("the cfn-lint pass was turned off (--no-cfn-lint)")
        return
    from checker.evaluation.lint import LintError, LintFailure, lint_errors

    ignore_checks = tuple(cast("Iterable[str]", context.options.get("lint_ignore_checks", ())))
    regions = tuple(cast("Iterable[str]", context.options.get("lint_regions", ("us-east-1",))))
    # cfn-lint reads the template as written: with undecided conditions the rules run twice on one template
    # (checker/evaluation/judge.py), and its answer, kept in the call's memo, is worked out once.
    memo = context.options.get("memo")
    memo = memo if isinstance(memo, dict) else {}
    key = ("cfn-lint", context.template.text, ignore_checks, regions)
    if key not in memo:
        try:
            memo[key] = lint_errors(context.template.text, ignore_checks=ignore_checks, regions=regions)
        except LintFailure as failure:
            memo[key] = failure
    errors: list[LintError] | LintFailure = memo[key]
    if isinstance(errors, LintFailure):
        yield Unresolved(str(errors))
        return
    for error in errors:
        yield Violation.at(error.path, f"cfn-lint {error.rule_id}: {error.message}", line=error.line, column=error.column)


def _names(data: dict, section: str) -> set[str]:
    value = data.get(section)
    return set(value) if isinstance(value, dict) else set()


@check
def undefined_references(context: Context) -> Iterator[Outcome]:
    data = context.template.data
    resources, conditions = _names(data, "Resources"), _names(data, "Conditions")
    referable = resources | _names(data, "Parameters") | set(PSEUDO_PARAMETERS) | {"AWS::NoValue"}
    # Fn::ForEach loops are expanded before any check (checker/load/foreach.py): the names they make are
    # declared here, and their bodies hold the items, not the identifiers.
    problems: list[tuple[tuple, str]] = []
    for logical_id, resource in context.template.resources.items():
        base = ("Resources", logical_id)
        depends = resource.get("DependsOn")
        for name in depends if isinstance(depends, list) else [depends] if depends is not None else []:
            if isinstance(name, str) and name not in resources:
                problems.append(((*base, "DependsOn"), f"DependsOn names {name}, which is not a resource of the template"))
        condition = resource.get("Condition")
        if isinstance(condition, str) and condition not in conditions:
            problems.append(((*base, "Condition"), f"Condition {condition} is not defined under Conditions"))
    outputs = data.get("Outputs")
    for name, output in outputs.items() if isinstance(outputs, dict) else ():
        condition = output.get("Condition") if isinstance(output, dict) else None
        if isinstance(condition, str) and condition not in conditions:
            problems.append((("Outputs", name, "Condition"), f"Condition {condition} is not defined under Conditions"))
    mappings = ((path, node) for path, node in walk(data) if isinstance(node, dict))
    for path, mapping in mappings:
        problems.extend(_mapping_problems(path, mapping, referable, resources, conditions))
    violations = (Violation.at(path, message + ".") for path, message in problems)
    yield from once_per_place(context, violations, distinct=lambda violation: violation.message, source_order=True)


def _mapping_problems(path: tuple, mapping: dict, referable: set, resources: set, conditions: set) -> Iterator[tuple[tuple, str]]:
    if len(mapping) != 1:
        return
    ((key, argument),) = mapping.items()
    where = (*path, key)
    if key == "Ref" and isinstance(argument, str) and argument not in referable:
        yield where, f"Ref to {argument}, which the template does not define"
    elif key == "Fn::GetAtt":
        target = getatt_target(argument)
        if target is not None and target not in resources:
            yield where, f"Fn::GetAtt of {target}, which is not a resource of the template"
    elif key == "Fn::Sub":
        text, local = (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2 else (argument, {})
        if isinstance(text, str):
            for variable in SUB_VARIABLE.findall(text):
                name = variable.strip()
                if (
                    not variable
                    or variable.startswith("!")
                    or name in (local if isinstance(local, dict) else {})
                    or name in referable
                ):
                    continue
                if "." in name and name.split(".", 1)[0] in resources:
                    continue
                yield where, f"Fn::Sub variable ${{{name}}} names nothing the template defines"
    elif key == "Fn::If" and isinstance(argument, list) and argument and isinstance(argument[0], str):
        if argument[0] not in conditions:
            yield where, f"Fn::If uses condition {argument[0]}, which is not defined under Conditions"
    elif key == "Condition" and isinstance(argument, str) and path[:1] == ("Conditions",) and argument not in conditions:
        yield where, f"Condition {argument} is not defined under Conditions"
