"""GitLab Code Quality JSON (the subset of the Code Climate issue format GitLab reads): an array of issues that the
merge request widget and diff view show, matched between pipelines by their fingerprint. Code Quality has no notion
of a suppressed issue, so suppressed findings are left out: an issue in the widget is one that counts."""

from __future__ import annotations

from checker.findings import FileReport, Finding, RunReport
from checker.reports.json_layout import LINES, Json, dumps, one_line

# GitLab's scale is info < minor < major < critical < blocker. An input that is not a template (TPL001) blocks
# every other verdict on the file; a security error is an exposure, not only a defect; other errors are defects;
# warnings are advice.
INVALID_RULE = "TPL001"
SEVERITIES = {"error": "major", "warning": "minor"}
SECURITY_ERROR = "critical"
INVALID_INPUT = "blocker"


def render_gitlab(report: RunReport) -> str:
    """Every open finding of the run, in file order, an issue per line; an empty run is `[]`, which GitLab reads as
    "no issues"."""
    issues = [
        one_line(_issue(file, finding, fingerprint))
        for file in report.files
        for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True)
        if finding.suppression is None
    ]
    return dumps(issues, LINES)


def gitlab_severity(finding: Finding) -> str:
    if finding.rule_id == INVALID_RULE:
        return INVALID_INPUT
    if finding.severity == "error" and finding.category == "security":
        return SECURITY_ERROR
    return SEVERITIES.get(finding.severity, "info")


def _issue(file: FileReport, finding: Finding, fingerprint: str) -> dict[str, Json]:
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id}: {finding.message}",
        "severity": gitlab_severity(finding),
        "fingerprint": fingerprint,
        "location": {"path": file.location, "lines": {"begin": max(finding.line, 1)}},
    }
