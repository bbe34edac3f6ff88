"""Pure renderers: a run's report in, text out. The CLI picks one by `--format` (and `--output FORMAT=PATH`) from
FORMATS; adding an output format is adding a module here and an entry there. Each entry imports its module when it
renders: a pre-commit run writes text and should not pay for importing nine other writers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from checker.evaluation.catalogue import Rule
from checker.findings import RunReport


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
    stream: Callable[[RunReport, RenderOptions], Iterable[str]] | None = None  # the same text in chunks, to write as made

    def chunks(self, report: RunReport, options: RenderOptions) -> Iterable[str]:
        """The report's text in the pieces it can be written in (one piece for a format that does not stream)."""
        return self.stream(report, options) if self.stream is not None else (self.render(report, options),)


def _text(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.text import render_text

    return render_text(report, color=options.color, snippets=options.snippets, compact=options.compact)


def _json(report: RunReport, options: RenderOptions) -> str:
    return "".join(_json_chunks(report, options))


def _json_chunks(report: RunReport, options: RenderOptions) -> Iterable[str]:
    from checker.reports.json import stream_json

    return stream_json(report, tool_version=options.tool_version, severities=options.severities())


def _sarif(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.sarif import render_sarif

    return render_sarif(report, tool_version=options.tool_version, rules=options.rules, snippets=options.snippets)


def _gitlab(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.gitlab import render_gitlab

    return render_gitlab(report)


def _github(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.github import render_github

    return render_github(report)


def _junit(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.junit import render_junit

    return render_junit(report, titles={rule.id: rule.title for rule in options.rules})


def _csv(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.batch import render_csv

    return render_csv(report, severities=options.severities())


def _jsonl(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.batch import render_jsonl

    return render_jsonl(report, severities=options.severities())


def _markdown(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.markdown import render_markdown

    return render_markdown(report, options)


def _html(report: RunReport, options: RenderOptions) -> str:
    from checker.reports.html import render_html

    return render_html(report, tool_version=options.tool_version, rules=options.rules, snippets=options.snippets)


FORMATS: dict[str, Format] = {
    "text": Format(_text, False),
    "json": Format(_json, True, stream=_json_chunks),
    "sarif": Format(_sarif, False, uses_snippets=True),
    "gitlab": Format(_gitlab, False),
    "github": Format(_github, False),
    "junit": Format(_junit, False),
    "csv": Format(_csv, False),
    "jsonl": Format(_jsonl, False),
    "markdown": Format(_markdown, shows_reference=True, uses_snippets=True),
    "html": Format(_html, shows_reference=True, uses_snippets=True),
}
