"""Counting shared by every reporter, so every format and the CLI exit code agree, and the score is one score.

A suppressed finding (`Finding.suppression`) is counted apart: it is never an error or a warning here, never makes a
rule fail and never lowers the score, but every report still shows it. `RuleFindings` is the one place that says
whether a rule's result is effectively a fail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from checker.findings import FileReport, Finding, RuleResult, RunReport, Status, Suppression


@dataclass(frozen=True)
class FindingCounts:
    """Findings of one file or one run: the open ones by severity, and the suppressed ones (any severity)."""

    errors: int
    warnings: int
    suppressed: int = 0

    @property
    def active(self) -> int:
        return self.errors + self.warnings


@dataclass(frozen=True)
class Summary:
    """Totals for a whole run."""

    files: int
    compliant: int
    non_compliant: int
    invalid: int
    findings: int
    errors: int
    warnings: int
    unknown: int
    suppressed: int = 0  # findings kept in the reports but not counted above (`findings` is errors + warnings)


def count_findings(findings: Iterable[Finding]) -> FindingCounts:
    """Split open findings by severity; suppressed ones are only counted."""
    errors = warnings = suppressed = 0
    for finding in findings:
        if finding.suppression is not None:
            suppressed += 1
        elif finding.severity == "error":
            errors += 1
        else:  # anything that is not an error is advisory
            warnings += 1
    return FindingCounts(errors=errors, warnings=warnings, suppressed=suppressed)


@dataclass(frozen=True)
class RuleFindings:
    """One file's findings by rule, open and suppressed apart: what every reporter asks to know whether a rule's
    result is effectively a fail, so none of them re-derives it."""

    open: Mapping[str, tuple[Finding, ...]]  # rule id -> its open findings, in the file's order
    suppressed: Mapping[str, tuple[Finding, ...]]  # rule id -> its suppressed findings, in the file's order

    def fails(self, result: RuleResult) -> bool:
        """Effectively a fail: the rule has an open finding (a fail, or a check that crashed), or it failed with no
        finding at all. A rule whose findings are all suppressed does not fail."""
        return result.rule_id in self.open or (result.status == "fail" and result.rule_id not in self.suppressed)

    def verdict(self, result: RuleResult) -> Status:
        """The status the counts and the score use: a fail whose findings are all suppressed passes."""
        if result.status == "fail" and not self.fails(result):
            return "pass"
        return result.status

    @property
    def failing(self) -> tuple[str, ...]:
        """The rules with an open finding, in the order of their first finding."""
        return tuple(self.open)


def rule_findings(file: FileReport) -> RuleFindings:
    open_: dict[str, list[Finding]] = {}
    suppressed: dict[str, list[Finding]] = {}
    for finding in file.findings:
        (open_ if finding.suppression is None else suppressed).setdefault(finding.rule_id, []).append(finding)
    return RuleFindings(
        {rule_id: tuple(found) for rule_id, found in open_.items()},
        {rule_id: tuple(found) for rule_id, found in suppressed.items()},
    )


def suppression_terms(suppression: Suppression) -> str:
    """`inline, expires 2027-06-30`: by what a finding is accepted, and until when; each format sets it beside the
    reason in its own way."""
    return f"{suppression.kind}, expires {suppression.expires}" if suppression.expires else suppression.kind


def unknown_results(results: Iterable[RuleResult]) -> tuple[RuleResult, ...]:
    """Rules that could not decide: reporters must show them, never fold them into passes."""
    return tuple(result for result in results if result.status == "unknown")


def summarise(report: RunReport) -> Summary:
    """Totals over all evaluated files (skipped files are listed, not counted)."""
    statuses = [file.status for file in report.files]
    counts = count_findings(f for file in report.files for f in file.findings)
    unknown = sum(len(unknown_results(file.results)) for file in report.files)
    return Summary(
        files=len(report.files),
        compliant=statuses.count("compliant"),
        non_compliant=statuses.count("non_compliant"),
        invalid=statuses.count("invalid"),
        findings=counts.active,
        errors=counts.errors,
        warnings=counts.warnings,
        unknown=unknown,
        suppressed=counts.suppressed,
    )


# How much a rule weighs in the score by its severity: an error is a defect, a warning advice.
SCORE_WEIGHTS = {"error": 3, "warning": 1}


@dataclass(frozen=True)
class FileTally:
    """One file's numbers, as every per-file format (CSV, JSON lines, Markdown, HTML) shows them."""

    errors: int  # open findings by severity
    warnings: int
    passed: int  # rules, by their verdict (RuleFindings.verdict: a fail whose findings are all suppressed passes)
    failed: int
    unknown: int
    not_applicable: int
    failed_rules: tuple[str, ...]  # the rules with an open finding
    score: float  # 0 to 100; see `file_score`
    suppressed: int = 0  # suppressed findings


def tally(file: FileReport, severities: Mapping[str, str]) -> FileTally:
    """Count one file's findings and rule verdicts; `severities` maps rule ids to the catalogue's severity."""
    counts = count_findings(file.findings)
    by_rule = rule_findings(file)
    statuses = [by_rule.verdict(result) for result in file.results]
    return FileTally(
        errors=counts.errors,
        warnings=counts.warnings,
        passed=statuses.count("pass"),
        failed=statuses.count("fail"),
        unknown=statuses.count("unknown"),
        not_applicable=statuses.count("not_applicable"),
        failed_rules=by_rule.failing,
        score=file_score(file, severities, by_rule),
        suppressed=counts.suppressed,
    )


def file_score(file: FileReport, severities: Mapping[str, str], by_rule: RuleFindings | None = None) -> float:
    """The share of the judged rules that pass, each weighted by its severity (SCORE_WEIGHTS), from 0 to 100 with
    one decimal. Judged means pass or fail: a rule not applicable or unknown counts neither way (the unknown count
    is shown beside the score). A rule whose findings are all suppressed passes (`RuleFindings.verdict`). An invalid
    file scores 0; a file on which no rule judged anything scores 0 too, since nothing in it showed the architecture."""
    if file.status == "invalid":
        return 0.0
    if by_rule is None:
        by_rule = rule_findings(file)
    weights = {"pass": 0, "fail": 0}
    for result in file.results:
        status = by_rule.verdict(result)
        if status in weights:
            weights[status] += SCORE_WEIGHTS.get(severities.get(result.rule_id, "error"), SCORE_WEIGHTS["error"])
    judged = weights["pass"] + weights["fail"]
    return round(100 * weights["pass"] / judged, 1) if judged else 0.0
