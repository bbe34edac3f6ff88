"""The Model Failures Analysis as one self-contained HTML page: the same model as the Markdown report
(reports/analysis.py), with a diagram of the architecture as recognised. Everything a template wrote is hostile, so
the page is written by a Jinja2 template with autoescaping, never by joining strings; Jinja2 is imported only when
a page is written, so starting the CLI stays lean."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.evaluation.catalogue import Rule
from checker.findings import Finding, RunReport
from checker.reports.analysis import FileAnalysis, analyse_run
from checker.reports.diagram import Diagram, layout

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "report.html.j2"
STATUS_WORDS = {"compliant": "Compliant", "non_compliant": "Non-compliant", "invalid": "Invalid"}
NOT_JUDGED_WORDS = {"not_applicable": "Not applicable", "unknown": "Unknown"}
SUPPRESSION_WORDS = {"inline": "Inline (the template's Metadata)", "baseline": "Baseline"}


@dataclass(frozen=True)
class FileSection:
    """One file's analysis with what the page needs to link it together: the prefix of its anchors (so many files
    share a page without clashing ids), the anchor of each finding (a suppressed one's is its row among the
    suppressed findings), and the first open finding of each failing rule."""

    prefix: str
    analysis: FileAnalysis
    diagram: Diagram | None
    finding_anchors: Mapping[Finding, str]
    first_finding: Mapping[str, str]  # rule id -> the anchor of its first finding

    def component_anchor(self, component: str) -> str:
        return f"{self.prefix}-component-{component}"

    def fix_anchor(self, rule_id: str) -> str:
        return f"{self.prefix}-fix-{rule_id}"


def render_html(report: RunReport, *, tool_version: str, rules: Sequence[Rule], snippets: Mapping[str, str]) -> str:
    """The whole page: a summary table when the run has more than one file, then one section per file."""
    analysis = analyse_run(report, rules, snippets)
    sections = [_section(index, file) for index, file in enumerate(analysis.files, start=1)]
    single = sections[0].analysis.file.path if len(sections) == 1 else None
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            title=f"Model Failures Analysis: {single}" if single else "Model Failures Analysis",
            sections=sections,
            summary=analysis.summary,
            skipped=analysis.skipped,
            baseline=analysis.baseline,
            many=len(sections) != 1 or bool(analysis.skipped),
            tool_version=tool_version,
            status_words=STATUS_WORDS,
            not_judged_words=NOT_JUDGED_WORDS,
            suppression_words=SUPPRESSION_WORDS,
        )
    )


def _section(index: int, analysis: FileAnalysis) -> FileSection:
    prefix = f"f{index}"
    anchors: dict[Finding, str] = {}
    first: dict[str, str] = {}
    for section in analysis.categories:
        for issue in section.issues:
            anchor = f"{prefix}-finding-{issue.fingerprint}"
            anchors.setdefault(issue.finding, anchor)
            first.setdefault(issue.finding.rule_id, anchor)
    for suppressed in analysis.suppressed:
        anchors.setdefault(suppressed.finding, f"{prefix}-finding-{suppressed.fingerprint}")
    return FileSection(prefix, analysis, layout(analysis.components), anchors, first)


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("checker.reports", "templates"),
        autoescape=True,  # every value is escaped for where it lands; the template never marks one safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["setting"] = setting_value
    environment.filters["score"] = lambda score: f"{score:g}"
    return environment


def setting_value(value: object) -> str:
    """A setting of the side-by-side as a reviewer reads it: strings as written, absent as `not set`, the rest as
    JSON (true, ["ReportBatchItemFailures"])."""
    if value is None:
        return "not set"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
