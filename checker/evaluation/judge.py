"""One loaded template in, one FileReport out: expand SAM, resolve, recognise, evaluate every selected rule, compare."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions, file_status, judged_rule_ids, selected_rules
from checker.findings import FileReport, Finding, RuleResult
from checker.load import Template

if TYPE_CHECKING:
    from checker.model.recognise import Architecture
    from checker.model.resolve import ResolvedTemplate


def invalid_report(path: str, options: CheckOptions, reason: str, line: int = 1, column: int = 1) -> FileReport:
    """TPL001 fails, saying why (and where) the input holds no template; every other selected rule has none to judge."""
    rule = next(rule for rule in load_catalogue() if rule.id == "TPL001")
    finding = Finding(
        rule_id=rule.id,
        severity=options.severity(rule),
        category=rule.category,
        title=rule.title,
        message=reason[0].upper() + reason[1:] + ".",
        remediation=rule.remediation,
        file=path,
        resource=None,
        path="",
        line=line,
        column=column,
    )
    results = tuple(
        RuleResult(other.id, "fail", reason)
        if other.id == rule.id
        else RuleResult(other.id, "not_applicable", "the input holds no template to judge (TPL001)")
        for other in selected_rules(options)
    )
    if rule.id not in {result.rule_id for result in results}:
        results = (RuleResult(rule.id, "fail", reason), *results)
    return FileReport(path=path, status="invalid", findings=(finding,), results=results)


def check_template(template: Template, options: CheckOptions) -> FileReport:
    """Judge a loaded template with the selected rules.

    When some resources exist only under a condition that cannot be decided, the
    rules run on the stack with and without them; a rule whose verdict differs
    between the two is unknown, with the reason."""
    from checker.load.sam import expand, is_sam
    from checker.model.recognise import recognise
    from checker.model.resolve import resolve

    parameters, sources = options.parameters_for(template.path)
    written = template
    if _has_loops(template.data):
        from checker.load.foreach import expand_loops

        template = expand_loops(template, parameters)  # then SAM's; LoadError when either refuses it
    elif is_sam(template.data):
        template = expand(template, parameters)  # LoadError when SAM refuses it
    resolved = resolve(template, parameters)
    arch = recognise(resolved)
    settings = _settings(options)
    verdicts = _judge(template, resolved, arch, options, settings)
    if resolved.undecided:  # the same settings, so what depends only on the template as written is worked out once
        without = resolve(template, parameters, with_undecided=False)
        verdicts = _agreed(verdicts, _judge(template, without, recognise(without), options, settings), template, resolved)
    results = [result for result, _ in verdicts]
    findings = [finding for _, rule_findings in verdicts for finding in rule_findings]
    reference: tuple = ()
    notes = template.notes + _parameter_notes(template, parameters, sources)
    if options.with_checkov:
        from checker.evaluation.checkov import checkov_findings

        theirs, checkov_notes = checkov_findings(written, resolved)
        findings += theirs
        notes += tuple(checkov_notes)
    if options.compare_reference:
        from checker.evaluation.reference import compare_with_reference

        try:
            reference = compare_with_reference(resolved, arch)
        except Exception as error:
            notes += (
                f"the comparison with the reference failed ({type(error).__name__}: {error}); this is a bug in cfn-compliance",
            )
    findings, results = _suppressed(written, template, findings, results, options)
    return FileReport(
        path=template.path,
        status=file_status(findings, results, options),
        findings=tuple(findings),
        results=tuple(results),
        reference=reference,
        notes=notes,
    )


def _suppressed(
    written: Template, deployed: Template, findings: list[Finding], results: list[RuleResult], options: CheckOptions
) -> tuple[list[Finding], list[RuleResult]]:
    """The template's suppressions applied (unless --no-suppressions), and TPL004's verdict on them when it was selected."""
    from checker.evaluation.suppressions import AUDIT_RULE, apply_suppressions, audit_findings, read_suppressions, unmatched

    suppressions, problems = read_suppressions(written, deployed, (rule.id for rule in load_catalogue()))
    findings = apply_suppressions(findings, suppressions, options.today, options.suppressions)
    audit = next((rule for rule in selected_rules(options) if rule.id == AUDIT_RULE), None)
    if audit is None:
        return findings, results
    problems += unmatched(suppressions, findings, judged_rule_ids(results, options), options.with_checkov)
    audited = audit_findings(audit, options.severity(audit), problems, written)
    if audited:
        verdict = RuleResult(audit.id, "fail")
    elif suppressions:
        verdict = RuleResult(audit.id, "pass")
    else:
        verdict = RuleResult(audit.id, "not_applicable", "the template suppresses no rule")
    return [*findings, *audited], [verdict if result.rule_id == audit.id else result for result in results]


Verdict = tuple[RuleResult, list[Finding]]


def _has_loops(data: dict) -> bool:
    """Is AWS::LanguageExtensions declared (its Fn::ForEach loops expand first), or a loop written without it?"""
    declared = data.get("Transform")
    names = [
        item.get("Name") if isinstance(item, dict) else item for item in (declared if isinstance(declared, list) else [declared])
    ]
    return "AWS::LanguageExtensions" in names or any(str(key).startswith("Fn::ForEach::") for key in data["Resources"])


def _parameter_notes(template: Template, overrides: dict[str, str], sources: dict[str, str]) -> tuple[str, ...]:
    """Overrides CloudFormation would not accept as given: an undeclared name, a value outside AllowedValues.
    `sources` says where each came from (--parameter, or a `template_parameters` glob of the configuration)."""
    declared = template.data.get("Parameters")
    declared = declared if isinstance(declared, dict) else {}
    notes = []
    for name, value in overrides.items():
        spec = declared.get(name)
        allowed = spec.get("AllowedValues") if isinstance(spec, dict) else None
        source = sources.get(name, "--parameter")
        if name not in declared:
            notes.append(f"{source} {name} is not a parameter of this template and was ignored")
        elif isinstance(allowed, list) and value not in [str(item) for item in allowed]:
            notes.append(
                f"{source} {name}={value} is not one of its AllowedValues ({', '.join(map(str, allowed))}): CloudFormation would refuse it"
            )
    return tuple(notes)


def _settings(options: CheckOptions) -> dict[str, object]:
    """What the checks read beside the rule's parameters (Context.options), for one check_template call.

    `memo` lives as long as the call: a check whose answer depends only on the template as written (cfn-lint's,
    TPL002) keeps it there, so judging undecided conditions both ways does not run it twice."""
    return {
        "cfn_lint": options.cfn_lint,
        "lint_ignore_checks": options.lint_ignore_checks,
        "lint_regions": options.lint_regions,
        "memo": {},
    }


def _judge(
    template: Template, resolved: ResolvedTemplate, arch: Architecture, options: CheckOptions, settings: dict[str, object]
) -> list[Verdict]:
    from checker.evaluation.checks import REGISTRY
    from checker.evaluation.context import Context
    from checker.evaluation.evaluate import evaluate_rule

    verdicts: list[Verdict] = []
    for rule in selected_rules(options):
        if rule.engine == "loader":
            verdicts.append((RuleResult(rule.id, "pass"), []))
            continue
        if rule.engine == "suppressions":  # judged once every other rule has spoken (_suppressed)
            verdicts.append((RuleResult(rule.id, "not_applicable"), []))
            continue
        context = Context(template, resolved, arch, options.parameters_of(rule), options.today, settings)
        result, findings = evaluate_rule(rule, context, REGISTRY)
        severity = options.severity(rule)
        if severity != rule.severity:  # the configuration's severity: every report, the status and the exit code follow it
            findings = [dataclasses.replace(finding, severity=severity) for finding in findings]
        verdicts.append((result, findings))
    return verdicts


def _agreed(
    with_them: list[Verdict], without_them: list[Verdict], template: Template, resolved: ResolvedTemplate
) -> list[Verdict]:
    """Keep what does not depend on the undecided resources: a verdict the same either way, or the findings
    of a rule that fails either way; the rest is unknown, with the reason."""
    written = list(dict.fromkeys(str(template.origin(("Resources", name))[1]) for name in resolved.undecided))
    loops = [name for name in written if name.startswith("Fn::ForEach::")]  # what they make, known only at deployment
    conditional = [name for name in written if name not in loops]
    exist, their = ("exists", "its") if len(conditional) == 1 else ("exist", "their")
    reasons = (
        [f"whether {', '.join(conditional)} {exist}, and {their} Condition cannot be decided before deployment"]
        if conditional
        else []
    )
    if loops:
        reasons.append(f"what {' and '.join(loops)} {'makes' if len(loops) == 1 else 'make'}, which only the deployment decides")
    reason = "the verdict depends on " + "; and on ".join(reasons)
    verdicts: list[Verdict] = []
    for (first, findings), (second, other) in zip(with_them, without_them, strict=True):
        either_way = [finding for finding in findings if finding in other]
        if (first.status, findings) == (second.status, other):
            verdicts.append((first, findings))
        elif first.status == second.status == "fail" and either_way:
            verdicts.append((RuleResult(first.rule_id, "fail", f"more findings are possible: {reason}"), either_way))
        else:
            verdicts.append((RuleResult(first.rule_id, "unknown", reason), []))
    return verdicts
