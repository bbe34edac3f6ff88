"""Counting shared by every reporter, so text, JSON and the CLI exit code never disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checker.findings import Finding, RuleResult, RunReport


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
