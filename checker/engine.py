"""One file in, one FileReport out: load, resolve, recognise, evaluate, compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from checker.catalogue import Rule, load_catalogue
from checker.findings import FileReport, Finding, RuleResult
from checker.loader import LoadError, Template, load_file

if TYPE_CHECKING:
    from checker.recognise import Architecture
    from checker.resolver import ResolvedTemplate


@dataclass(frozen=True)
class CheckOptions:
    parameters: dict[str, str] = field(default_factory=dict)
    cfn_lint: bool = True
    only_rules: frozenset[str] = frozenset()
    skip_rules: frozenset[str] = frozenset()
    today: date = field(default_factory=date.today)
    compare_reference: bool = True


def selected_rules(options: CheckOptions) -> tuple[Rule, ...]:
    return tuple(
        rule
        for rule in load_catalogue()
        if (not options.only_rules or rule.id in options.only_rules) and rule.id not in options.skip_rules
    )


def _invalid(path: str, error: LoadError) -> FileReport:
    rule = next(rule for rule in load_catalogue() if rule.id == "TPL001")
    finding = Finding(
        rule_id=rule.id,
        severity=rule.severity,
        category=rule.category,
        title=rule.title,
        message=error.message[0].upper() + error.message[1:] + ".",
        remediation=rule.remediation,
        file=path,
        resource=None,
        path="",
        line=error.line,
        column=error.column,
    )
    return FileReport(path=path, status="invalid", findings=(finding,), results=(RuleResult(rule.id, "fail", error.message),))


def check_template(template: Template, options: CheckOptions) -> FileReport:
    """Judge a loaded template with the selected rules.

    When some resources exist only under a condition that cannot be decided, the
    rules run on the stack with and without them; a rule whose verdict differs
    between the two is unknown, with the reason."""
    from checker.recognise import recognise
    from checker.resolver import resolve

    resolved = resolve(template, options.parameters)
    arch = recognise(resolved)
    verdicts = _judge(template, resolved, arch, options)
    if resolved.undecided:
        without = resolve(template, options.parameters, with_undecided=False)
        verdicts = _agreed(verdicts, _judge(template, without, recognise(without), options), resolved)
    results = [result for result, _ in verdicts]
    findings = [finding for _, rule_findings in verdicts for finding in rule_findings]
    reference: tuple = ()
    notes = tuple(
        f"--parameter {name} is not a parameter of this template and was ignored"
        for name in options.parameters
        if name not in resolved.parameters
    )
    if options.compare_reference:
        from checker.reference import compare_with_reference

        try:
            reference = compare_with_reference(resolved, arch)
        except Exception as error:
            notes += (
                f"the comparison with the reference failed ({type(error).__name__}: {error}); this is a bug in cfn-compliance",
            )
    status = "non_compliant" if any(finding.suppressed is None for finding in findings) else "compliant"
    return FileReport(
        path=template.path, status=status, findings=tuple(findings), results=tuple(results), reference=reference, notes=notes
    )


Verdict = tuple[RuleResult, list[Finding]]


def _judge(template: Template, resolved: ResolvedTemplate, arch: Architecture, options: CheckOptions) -> list[Verdict]:
    from checker.checks import REGISTRY
    from checker.evaluate import Context, evaluate_rule

    settings = {"cfn_lint": options.cfn_lint}
    verdicts = []
    for rule in selected_rules(options):
        if rule.engine == "loader":
            verdicts.append((RuleResult(rule.id, "pass"), []))
        else:
            context = Context(template, resolved, arch, dict(rule.parameters), options.today, settings)
            verdicts.append(evaluate_rule(rule, context, REGISTRY))
    return verdicts


def _agreed(with_them: list[Verdict], without_them: list[Verdict], resolved: ResolvedTemplate) -> list[Verdict]:
    """Keep verdicts that do not depend on the undecided resources; the others are unknown."""
    names = ", ".join(resolved.undecided)
    reason = f"the verdict depends on whether {names} exist, and their Condition cannot be decided before deployment"
    return [
        (first, findings)
        if (first.status, findings) == (second.status, other)
        else (RuleResult(first.rule_id, "unknown", reason), [])
        for (first, findings), (second, other) in zip(with_them, without_them, strict=True)
    ]


def check_file(path: str, options: CheckOptions) -> FileReport:
    """Never raises for a bad file: what cannot be judged is an invalid report with TPL001."""
    try:
        template = load_file(path)
    except LoadError as error:
        return _invalid(path, error)
    try:
        return check_template(template, options)
    except Exception as error:
        message = (
            f"internal error while evaluating the template ({type(error).__name__}: {error}); this is a bug in cfn-compliance"
        )
        return _invalid(path, LoadError(message))
