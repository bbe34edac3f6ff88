"""Pure renderers: a run's report in, text out. The CLI picks one by `--format` (and `--output FORMAT=PATH`) from
FORMATS; adding an output format is adding a module here and an entry there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from checker.evaluation.catalogue import Rule
from checker.findings import RunReport
from checker.reports.batch import render_csv, render_jsonl
from checker.reports.github import render_github
from checker.reports.gitlab import render_gitlab
from checker.reports.html import render_html
from checker.reports.json import render_json
from checker.reports.junit import render_junit
from checker.reports.markdown import render_markdown
from checker.reports.sarif import render_sarif
from checker.reports.text import render_text


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may be told besides the report: none of it changes a verdict."""

    tool_version: str
    color: bool = False
    compact: bool = False  # text: one line per finding
    snippets: Mapping[str, str] = field(default_factory=dict)  # rule id -> the reference's own lines
    rules: tuple[Rule, ...] = ()  # the catalogue, in its order: titles, rationales, severities for the score

    def severities(self) -> dict[str, str]:
        return {rule.id: rule.severity for rule in self.rules}


@dataclass(frozen=True)
class Format:
    render: Callable[[RunReport, RenderOptions], str]
    shows_reference: bool  # the report carries the side-by-side with the reference, so the run must compute it
    uses_snippets: bool = False  # the report quotes the reference's lines, so the CLI must read them


FORMATS: dict[str, Format] = {
    "text": Format(
        lambda report, options: render_text(report, color=options.color, snippets=options.snippets, compact=options.compact),
        False,
    ),
    "json": Format(
        lambda report, options: render_json(report, tool_version=options.tool_version, severities=options.severities()), True
    ),
    "sarif": Format(
        lambda report, options: render_sarif(
            report, tool_version=options.tool_version, rules=options.rules, snippets=options.snippets
        ),
        False,
        uses_snippets=True,
    ),
    "gitlab": Format(lambda report, options: render_gitlab(report), False),
    "github": Format(lambda report, options: render_github(report), False),
    "junit": Format(lambda report, options: render_junit(report, titles={rule.id: rule.title for rule in options.rules}), False),
    "csv": Format(lambda report, options: render_csv(report, severities=options.severities()), False),
    "jsonl": Format(lambda report, options: render_jsonl(report, severities=options.severities()), False),
    "markdown": Format(render_markdown, shows_reference=True, uses_snippets=True),
    "html": Format(
        lambda report, options: render_html(
            report, tool_version=options.tool_version, rules=options.rules, snippets=options.snippets
        ),
        shows_reference=True,
        uses_snippets=True,
    ),
}
