"""One file in, one FileReport out: load, resolve, recognise, evaluate, compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from checker.catalogue import Rule, load_catalogue
from checker.findings import FileReport, Finding, RuleResult, RunReport, SkippedFile
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
    fail_on: str = "warning"  # the lowest severity that makes a file non-compliant ("never" judges as "warning")


FAILING_SEVERITIES = {"error": ("error",), "warning": ("error", "warning"), "never": ("error", "warning")}


def selected_rules(options: CheckOptions) -> tuple[Rule, ...]:
    return tuple(
        rule
        for rule in load_catalogue()
        if (not options.only_rules or rule.id in options.only_rules) and rule.id not in options.skip_rules
    )


def invalid_report(path: str, error: LoadError, options: CheckOptions) -> FileReport:
    """TPL001 fails; every other selected rule has no template to judge."""
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
    results = tuple(
        RuleResult(other.id, "fail", error.message)
        if other.id == rule.id
        else RuleResult(other.id, "not_applicable", "the input holds no template to judge (TPL001)")
        for other in selected_rules(options)
    )
    if rule.id not in {result.rule_id for result in results}:
        results = (RuleResult(rule.id, "fail", error.message), *results)
    return FileReport(path=path, status="invalid", findings=(finding,), results=results)


def check_template(template: Template, options: CheckOptions) -> FileReport:
    """Judge a loaded template with the selected rules.

    When some resources exist only under a condition that cannot be decided, the
    rules run on the stack with and without them; a rule whose verdict differs
    between the two is unknown, with the reason."""
    from checker.recognise import recognise
    from checker.resolver import resolve
    from checker.sam import expand, is_sam

    if is_sam(template.data):
        template = expand(template, options.parameters)  # LoadError when SAM would refuse it
    resolved = resolve(template, options.parameters)
    arch = recognise(resolved)
    verdicts = _judge(template, resolved, arch, options)
    if resolved.undecided:
        without = resolve(template, options.parameters, with_undecided=False)
        verdicts = _agreed(verdicts, _judge(template, without, recognise(without), options), template, resolved)
    results = [result for result, _ in verdicts]
    findings = [finding for _, rule_findings in verdicts for finding in rule_findings]
    reference: tuple = ()
    notes = template.notes + _parameter_notes(template, options.parameters)
    if options.compare_reference:
        from checker.reference import compare_with_reference

        try:
            reference = compare_with_reference(resolved, arch)
        except Exception as error:
            notes += (
                f"the comparison with the reference failed ({type(error).__name__}: {error}); this is a bug in cfn-compliance",
            )
    failing = FAILING_SEVERITIES[options.fail_on]
    reaching = any(finding.suppressed is None and finding.severity in failing for finding in findings)
    status = "non_compliant" if reaching else "compliant"
    return FileReport(
        path=template.path, status=status, findings=tuple(findings), results=tuple(results), reference=reference, notes=notes
    )


Verdict = tuple[RuleResult, list[Finding]]


def _parameter_notes(template: Template, overrides: dict[str, str]) -> tuple[str, ...]:
    """Overrides CloudFormation would not accept as given: an undeclared name, a value outside AllowedValues."""
    declared = template.data.get("Parameters")
    declared = declared if isinstance(declared, dict) else {}
    notes = []
    for name, value in overrides.items():
        spec = declared.get(name)
        allowed = spec.get("AllowedValues") if isinstance(spec, dict) else None
        if name not in declared:
            notes.append(f"--parameter {name} is not a parameter of this template and was ignored")
        elif isinstance(allowed, list) and value not in [str(item) for item in allowed]:
            notes.append(
                f"--parameter {name}={value} is not one of its AllowedValues ({', '.join(map(str, allowed))}): CloudFormation would refuse it"
            )
    return tuple(notes)


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


def _agreed(
    with_them: list[Verdict], without_them: list[Verdict], template: Template, resolved: ResolvedTemplate
) -> list[Verdict]:
    """Keep what does not depend on the undecided resources: a verdict the same either way, or the findings
    of a rule that fails either way; the rest is unknown, with the reason."""
    written = list(dict.fromkeys(str(template.origin(("Resources", name))[1]) for name in resolved.undecided))
    exist, their = ("exists", "its") if len(written) == 1 else ("exist", "their")
    reason = (
        f"the verdict depends on whether {', '.join(written)} {exist}, and {their} Condition cannot be decided before deployment"
    )
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


Outcome = FileReport | SkippedFile
Task = tuple[str, bool]  # a file to check, and whether a directory search found it (rather than the command line)


def check_paths(paths: list[str], options: CheckOptions, jobs: int = 1) -> RunReport:
    """A whole run: named files, directories searched, every input accounted for (checked, skipped or invalid).

    With jobs above 1 the files are checked in that many processes; the report is the same as with one."""
    from checker.discover import select_files

    selection = select_files(paths)
    tasks = [(path, path in selection.searched) for path in selection.files]
    if jobs > 1 and len(tasks) > 1:
        from checker.parallel import check_in_parallel

        outcomes = check_in_parallel(tasks, options, jobs)
    else:
        outcomes = [check_task(task, options) for task in tasks]
    unreadable = [invalid_report(item.path, LoadError(item.reason), options) for item in selection.unreadable]
    return RunReport(
        files=(*[outcome for outcome in outcomes if isinstance(outcome, FileReport)], *unreadable),
        skipped=(*selection.skipped, *[outcome for outcome in outcomes if isinstance(outcome, SkippedFile)]),
    )


def check_task(task: Task, options: CheckOptions) -> Outcome:
    """check_path that never raises: a bug met on one file costs that file its verdict, never the run
    (nor, in a worker process, the files that share its batch)."""
    path, searched = task
    try:
        return check_path(path, options, searched=searched)
    except Exception as error:
        message = f"internal error while checking the file ({type(error).__name__}: {error}); this is a bug in cfn-compliance"
        return invalid_report(path, LoadError(message), options)


def check_file(path: str, options: CheckOptions) -> FileReport:
    """Never raises for a bad file: what cannot be judged is an invalid report with TPL001."""
    try:
        template = load_file(path)
    except LoadError as error:
        return invalid_report(path, error, options)
    return _checked(template, path, options)


def check_path(path: str, options: CheckOptions, *, searched: bool) -> FileReport | SkippedFile:
    """check_file for a run: a file found by searching a directory that is plainly not CloudFormation
    (prose, another tool's YAML) is skipped instead of failing the run."""
    if not searched:
        return check_file(path, options)
    try:
        template = load_file(path)
    except LoadError as error:
        return SkippedFile(path, error.message) if error.not_cloudformation else invalid_report(path, error, options)
    return _checked(template, path, options)


def _checked(template: Template, path: str, options: CheckOptions) -> FileReport:
    try:
        return check_template(template, options)
    except LoadError as error:
        return invalid_report(path, error, options)
    except Exception as error:
        message = (
            f"internal error while evaluating the template ({type(error).__name__}: {error}); this is a bug in cfn-compliance"
        )
        return invalid_report(path, LoadError(message), options)
