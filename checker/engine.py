"""One file in, one FileReport out: load, resolve, recognise, evaluate, compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from checker.catalogue import Rule, load_catalogue
from checker.findings import FileReport, Finding, RuleResult
from checker.loader import LoadError, Template, load_file


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
    """Judge a loaded template with the selected rules."""
    from checker.checks import REGISTRY
    from checker.evaluate import Context, evaluate_rule
    from checker.recognise import recognise
    from checker.resolver import resolve

    resolved = resolve(template, options.parameters)
    arch = recognise(resolved)
    findings: list[Finding] = []
    results: list[RuleResult] = []
    settings = {"cfn_lint": options.cfn_lint}
    for rule in selected_rules(options):
        if rule.engine == "loader":
            results.append(RuleResult(rule.id, "pass"))
            continue
        context = Context(template, resolved, arch, dict(rule.parameters), options.today, settings)
        result, rule_findings = evaluate_rule(rule, context, REGISTRY)
        results.append(result)
        findings.extend(rule_findings)
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
            notes = (
                f"the comparison with the reference failed ({type(error).__name__}: {error}); this is a bug in cfn-compliance",
            )
    status = "non_compliant" if any(finding.suppressed is None for finding in findings) else "compliant"
    return FileReport(
        path=template.path, status=status, findings=tuple(findings), results=tuple(results), reference=reference, notes=notes
    )


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
