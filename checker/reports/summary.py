"""Counting shared by every reporter, so every format and the CLI exit code agree, and the score is one score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from checker.findings import FileReport, Finding, RuleResult, RunReport


@dataclass(frozen=True)
class FindingCounts:
    """Findings of one file or one run, by severity."""

    errors: int
    warnings: int

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


def count_findings(findings: Iterable[Finding]) -> FindingCounts:
    """Split findings by severity."""
    errors = warnings = 0
    for finding in findings:
        if finding.severity == "error":
            errors += 1
        else:  # anything that is not an error is advisory
            warnings += 1
    return FindingCounts(errors=errors, warnings=warnings)


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
    )


# How much a rule weighs in the score by its severity: an error is a defect, a warning advice.
SCORE_WEIGHTS = {"error": 3, "warning": 1}


@dataclass(frozen=True)
class FileTally:
    """One file's numbers, as every per-file format (CSV, JSON lines, Markdown, HTML) shows them."""

    errors: int
    warnings: int
    passed: int
    failed: int
    unknown: int
    not_applicable: int
    failed_rules: tuple[str, ...]
    score: float  # 0 to 100; see `file_score`


def tally(file: FileReport, severities: Mapping[str, str]) -> FileTally:
    """Count one file's findings and rule verdicts; `severities` maps rule ids to the catalogue's severity."""
    counts = count_findings(file.findings)
    statuses = [result.status for result in file.results]
    return FileTally(
        errors=counts.errors,
        warnings=counts.warnings,
        passed=statuses.count("pass"),
        failed=statuses.count("fail"),
        unknown=statuses.count("unknown"),
        not_applicable=statuses.count("not_applicable"),
        failed_rules=tuple(dict.fromkeys(finding.rule_id for finding in file.findings)),
        score=file_score(file, severities),
    )


def file_score(file: FileReport, severities: Mapping[str, str]) -> float:
    """The share of the judged rules that pass, each weighted by its severity (SCORE_WEIGHTS), from 0 to 100 with
    one decimal. Judged means pass or fail: a rule not applicable or unknown counts neither way (the unknown count
    is shown beside the score). An invalid file scores 0; a file on which no rule judged anything scores 0 too,
    since nothing in it showed the architecture."""
    if file.status == "invalid":
        return 0.0
    weights = {"pass": 0, "fail": 0}
    for result in file.results:
        if result.status in weights:
            weights[result.status] += SCORE_WEIGHTS.get(severities.get(result.rule_id, "error"), SCORE_WEIGHTS["error"])
    judged = weights["pass"] + weights["fail"]
    return round(100 * weights["pass"] / judged, 1) if judged else 0.0
