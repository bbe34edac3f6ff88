"""The Model Failures Analysis as data: what a reviewer reads about one candidate, in the structure of the
analysis the product grew from (overview, expected vs actual, failures by category, fixes, what was not judged,
conclusion). The Markdown and HTML reports render this one model, so they never say different things.

A suppressed finding is not a failure: it is left out of the components' states, the categories and the fixes, and
listed once, in `FileAnalysis.suppressed`, with its reason; the run's stale baseline entries are `RunAnalysis.baseline`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from checker.evaluation.catalogue import Rule
from checker.findings import BaselineUse, FileReport, Finding, RunReport, SettingDifference, SkippedFile, Suppression
from checker.reports.summary import FileTally, Summary, rule_findings, summarise, tally
from checker.vocabulary import CATEGORIES, CATEGORY_HEADINGS, COMPONENT_LABELS

ComponentState = Literal["present", "missing", "failing"]


@dataclass(frozen=True)
class Issue:
    """One finding, with why it matters (the rule's rationale)."""

    finding: Finding
    fingerprint: str
    rationale: str


@dataclass(frozen=True)
class SuppressedIssue:
    """A finding that does not count, and why (a reason in the template's Metadata, or the baseline)."""

    finding: Finding
    fingerprint: str

    @property
    def suppression(self) -> Suppression:
        assert self.finding.suppression is not None  # only suppressed findings are made into one
        return self.finding.suppression


@dataclass(frozen=True)
class CategorySection:
    """The failures of one category; `judged` and `passed` count its rules that reached a verdict."""

    category: str
    heading: str
    issues: tuple[Issue, ...]
    judged: int
    passed: int


@dataclass(frozen=True)
class ComponentView:
    """A reference component and what the candidate provides for it: `failing` when present but a rule about it
    (or a finding on its resource) fails, `missing` when no resource plays it."""

    component: str
    label: str
    reference_resource: str
    candidate_resource: str | None
    state: ComponentState
    differences: tuple[SettingDifference, ...]
    rule_ids: tuple[str, ...]  # the failing rules about this component, catalogue order


@dataclass(frozen=True)
class Fix:
    """What to change for one failing rule, with the reference's own lines (empty when the rule is about the
    whole template)."""

    rule_id: str
    title: str
    severity: str
    remediation: str
    snippet: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class NotJudged:
    """A rule that gave no verdict: not applicable (its subject is missing) or unknown (the deployment decides)."""

    rule_id: str
    title: str
    status: Literal["not_applicable", "unknown"]
    reason: str


@dataclass(frozen=True)
class FileAnalysis:
    file: FileReport
    tally: FileTally
    headline: str
    components: tuple[ComponentView, ...]  # empty when the file could not be evaluated
    categories: tuple[CategorySection, ...]  # every category, in report order, failing or not
    fixes: tuple[Fix, ...]
    not_judged: tuple[NotJudged, ...]
    conclusion: str
    suppressed: tuple[SuppressedIssue, ...] = ()  # in the file's order

    @property
    def missing(self) -> tuple[ComponentView, ...]:
        return tuple(view for view in self.components if view.state == "missing")


@dataclass(frozen=True)
class RunAnalysis:
    files: tuple[FileAnalysis, ...]
    summary: Summary
    skipped: tuple[SkippedFile, ...]
    baseline: BaselineUse | None = None  # the baseline the run read; its `stale` entries matched no finding


def analyse_run(report: RunReport, rules: Sequence[Rule], snippets: Mapping[str, str]) -> RunAnalysis:
    """The analysis of every evaluated file; `rules` is the catalogue, `snippets` the reference's lines by rule id."""
    by_id = {rule.id: rule for rule in rules}
    return RunAnalysis(
        files=tuple(analyse_file(file, by_id, snippets) for file in report.files),
        summary=summarise(report),
        skipped=report.skipped,
        baseline=report.baseline,
    )


def analyse_file(file: FileReport, rules: Mapping[str, Rule], snippets: Mapping[str, str]) -> FileAnalysis:
    numbers = tally(file, {rule_id: rule.severity for rule_id, rule in rules.items()})
    components = _components(file, rules)
    fixes = _fixes(file, rules, snippets)
    return FileAnalysis(
        file=file,
        tally=numbers,
        headline=_headline(file, numbers, components),
        components=components,
        categories=_categories(file, rules),
        fixes=fixes,
        not_judged=_not_judged(file, rules),
        conclusion=_conclusion(file, numbers, components, fixes),
        suppressed=tuple(
            SuppressedIssue(finding, fingerprint)
            for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True)
            if finding.suppression is not None
        ),
    )


def _title(rules: Mapping[str, Rule], rule_id: str) -> str:
    rule = rules.get(rule_id)
    return rule.title if rule else rule_id


def _components(file: FileReport, rules: Mapping[str, Rule]) -> tuple[ComponentView, ...]:
    about = [
        (finding.rule_id, rules[finding.rule_id].component, finding.resource)
        for finding in file.open_findings
        if finding.rule_id in rules
    ]
    views = []
    for match in file.reference:
        failing = {
            rule_id
            for rule_id, component, resource in about
            if component == match.component or (match.candidate_resource and resource == match.candidate_resource)
        }
        rule_ids = tuple(rule_id for rule_id in rules if rule_id in failing)
        state: ComponentState = "missing" if match.candidate_resource is None else "failing" if rule_ids else "present"
        views.append(
            ComponentView(
                component=match.component,
                label=COMPONENT_LABELS.get(match.component, match.component),
                reference_resource=match.reference_resource,
                candidate_resource=match.candidate_resource,
                state=state,
                differences=match.differences,
                rule_ids=rule_ids,
            )
        )
    return tuple(views)


def _categories(file: FileReport, rules: Mapping[str, Rule]) -> tuple[CategorySection, ...]:
    issues: dict[str, list[Issue]] = {category: [] for category in CATEGORIES}
    for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True):
        if finding.suppression is not None:
            continue
        rule = rules.get(finding.rule_id)
        issues.setdefault(finding.category, []).append(Issue(finding, fingerprint, rule.rationale if rule else ""))
    judged: dict[str, int] = {}
    passed: dict[str, int] = {}
    by_rule = rule_findings(file)
    for result in file.results:
        rule = rules.get(result.rule_id)
        status = by_rule.verdict(result)
        if rule is not None and status in ("pass", "fail"):
            judged[rule.category] = judged.get(rule.category, 0) + 1
            passed[rule.category] = passed.get(rule.category, 0) + (status == "pass")
    extra = sorted(set(issues) - set(CATEGORIES))  # categories the vocabulary does not know come last
    return tuple(
        CategorySection(
            category=category,
            heading=CATEGORY_HEADINGS.get(category, category.capitalize()),
            issues=tuple(issues[category]),
            judged=judged.get(category, 0),
            passed=passed.get(category, 0),
        )
        for category in (*CATEGORIES, *extra)
    )


def _fixes(file: FileReport, rules: Mapping[str, Rule], snippets: Mapping[str, str]) -> tuple[Fix, ...]:
    """One fix per failing rule (one with an open finding), errors first, then catalogue order."""
    open_findings = file.open_findings
    failing = {finding.rule_id for finding in open_findings}
    order = {rule_id: index for index, rule_id in enumerate(rules)}
    fixes = []
    for rule_id in sorted(failing, key=lambda rule_id: (order.get(rule_id, len(order)), rule_id)):
        findings = tuple(finding for finding in open_findings if finding.rule_id == rule_id)
        rule = rules.get(rule_id)
        fixes.append(
            Fix(
                rule_id=rule_id,
                title=rule.title if rule else findings[0].title,
                severity=findings[0].severity,
                remediation=rule.remediation if rule else findings[0].remediation,
                snippet=snippets.get(rule_id, ""),
                findings=findings,
            )
        )
    return tuple(sorted(fixes, key=lambda fix: fix.severity != "error"))


def _not_judged(file: FileReport, rules: Mapping[str, Rule]) -> tuple[NotJudged, ...]:
    if file.status == "invalid":  # every rule but TPL001 is not applicable for one reason; the overview says it
        return ()
    return tuple(
        NotJudged(result.rule_id, _title(rules, result.rule_id), result.status, result.message or "no reason given")
        for result in file.results
        if result.status == "not_applicable" or result.status == "unknown"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _headline(file: FileReport, numbers: FileTally, components: tuple[ComponentView, ...]) -> str:
    if file.status == "invalid":
        reason = file.findings[0].message if file.findings else "it is not a template"
        return f"Could not be evaluated: {reason}"
    verdict = "Compliant" if file.status == "compliant" else "Non-compliant"
    parts = [f"{_count(numbers.errors, 'error')} and {_count(numbers.warnings, 'warning')}"]
    if numbers.failed_rules:
        parts[0] += f" from {_count(len(numbers.failed_rules), 'failing rule')}"
    if numbers.suppressed:
        parts.append(f"{_count(numbers.suppressed, 'finding')} suppressed")
    missing = sum(view.state == "missing" for view in components)
    if components:
        parts.append(f"{missing} of {len(components)} reference components missing")
    if numbers.unknown:
        parts.append(f"{_count(numbers.unknown, 'rule')} could not be judged")
    return f"{verdict}: {'; '.join(parts)}; score {numbers.score:g} of 100."


def _conclusion(file: FileReport, numbers: FileTally, components: tuple[ComponentView, ...], fixes: tuple[Fix, ...]) -> str:
    """A closing paragraph that says what to do first, in the order a reviewer would ask for it."""
    if file.status == "invalid":
        return (
            "The candidate could not be read as a CloudFormation template, so none of the architecture could be "
            "judged. Provide a complete template (YAML or JSON, or one fenced block in a Markdown answer) and check again."
        )
    sentences = []
    missing = [view.label for view in components if view.state == "missing"]
    errors = [fix.rule_id for fix in fixes if fix.severity == "error"]
    warnings = [fix.rule_id for fix in fixes if fix.severity != "error"]
    if not fixes:
        sentences.append("The candidate implements the reference architecture: every rule that could judge it passes.")
    else:
        if missing:
            sentences.append(f"Add what is missing first: {', '.join(missing)}.")
        if errors:
            sentences.append(f"Then fix the errors ({', '.join(errors)}): each is a defect the reference does not have.")
        if warnings:
            sentences.append(f"The warnings ({', '.join(warnings)}) are advice that brings it to the reference's standard.")
    if numbers.suppressed:
        verb = "is" if numbers.suppressed == 1 else "are"
        sentences.append(
            f"{_count(numbers.suppressed, 'suppressed finding')} {verb} accepted for the reason given, "
            "not counted as failures; see Suppressed findings."
        )
    if numbers.unknown:
        sentences.append(
            f"{_count(numbers.unknown, 'rule')} could not be judged from the template alone; "
            "check them at deployment or pass the values with --parameter."
        )
    return " ".join(sentences)
