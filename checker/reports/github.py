"""GitHub Actions workflow commands: one `::error` or `::warning` line per finding, which the runner turns into an
annotation on the file and line (in the pull request's diff and the run's summary), then one plain summary line.
Workflow commands cannot say "suppressed", so a suppressed finding is no command (it must not annotate); the summary
line counts them, and the job summary (markdown.render_step_summary) names their rules."""

from __future__ import annotations

from checker.findings import SEVERITY_ORDER, FileReport, Finding, RunReport
from checker.reports.summary import summarise

COMMANDS = {"error": "error", "warning": "warning"}
# GitHub shows 10 error and 10 warning annotations per step (50 per job); every command stays in the log.
ANNOTATIONS_PER_KIND = 10


def render_github(report: RunReport) -> str:
    """Errors first, so the annotations GitHub keeps are the most severe; each open finding's message, then its fix."""
    findings = [(file, finding) for file in report.files for finding in file.open_findings]
    findings.sort(key=lambda item: -SEVERITY_ORDER.get(item[1].severity, 0))
    lines = [_command(file, finding) for file, finding in findings]
    lines.append(_summary(report))
    return "".join(f"{line}\n" for line in lines)


def _command(file: FileReport, finding: Finding) -> str:
    properties = [f"file={escape_property(file.location)}"]
    if finding.line >= 1:
        properties.append(f"line={finding.line}")
        if finding.column >= 1:
            properties.append(f"col={finding.column}")
    properties.append(f"title={escape_property(f'{finding.rule_id} {finding.title}')}")
    message = f"{finding.message}\nFix: {finding.remediation}"
    return f"::{COMMANDS.get(finding.severity, 'notice')} {','.join(properties)}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """What the runner unescapes in a command's message: `%` first, so an escape is never escaped twice."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value also ends at `,` and the properties at `::`; escape both separators."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _summary(report: RunReport) -> str:
    summary = summarise(report)
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    counts = f"{summary.errors} error{'s' if summary.errors != 1 else ''}, {summary.warnings} warning{'s' if summary.warnings != 1 else ''}"
    text = f"cfn-compliance: {files}, {counts} ({summary.invalid} invalid)"
    if summary.suppressed:
        text += f"; {summary.suppressed} suppressed finding{'s' if summary.suppressed != 1 else ''} not annotated"
    if summary.errors > ANNOTATIONS_PER_KIND or summary.warnings > ANNOTATIONS_PER_KIND:
        text += f"; GitHub annotates {ANNOTATIONS_PER_KIND} of each kind per step, the rest are in this log"
    return text
