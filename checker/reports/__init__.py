"""Pure renderers: a run's report in, text out. The CLI picks one by `--format` from FORMATS; adding an output
format is adding a module here and an entry there."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from checker.findings import RunReport
from checker.reports.json import render_json
from checker.reports.text import render_text


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may be told besides the report: none of it changes a verdict."""

    tool_version: str
    color: bool = False
    snippets: Mapping[str, str] = field(default_factory=dict)  # rule id -> the reference's own lines


@dataclass(frozen=True)
class Format:
    render: Callable[[RunReport, RenderOptions], str]
    shows_reference: bool  # the report carries the side-by-side with the reference, so the run must compute it


FORMATS: dict[str, Format] = {
    "text": Format(lambda report, options: render_text(report, color=options.color, snippets=options.snippets), False),
    "json": Format(lambda report, options: render_json(report, tool_version=options.tool_version), True),
}
