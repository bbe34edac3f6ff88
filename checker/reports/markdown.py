"""The Model Failures Analysis in Markdown, the reviewer's document, and the short summary GitHub shows on a job.

It renders `analysis.RunAnalysis` (the HTML report renders the same model), so it decides nothing itself. Every
text that may come from a template (logical ids, messages quoting values, file names, reasons) goes through
`escape`, so a template cannot add a heading, a link, a table column or raw HTML to the document."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from checker.evaluation.catalogue import Rule
from checker.findings import BaselineUse, FileReport, Finding, RunReport, SkippedFile
from checker.reports.analysis import CategorySection, FileAnalysis, Fix, Issue, RunAnalysis, SuppressedIssue, analyse_run
from checker.reports.json import to_json_value
from checker.reports.summary import Summary, rule_findings, summarise, tally
from checker.reports.text import inert

TITLE = "Model Failures Analysis"
FOLD_LINES = 30  # a reference snippet longer than this folds into <details>, so the fixes stay readable
VALUE_CHARS = 200  # a setting value longer than this is cut: the table compares, the template has the rest
STEP_SUMMARY_LIMIT = 512 * 1024  # bytes; GitHub refuses a step summary over 1 MiB, and the step may write more
STATUS_WORDS = {"compliant": "compliant", "non_compliant": "non-compliant", "invalid": "invalid"}
STATE_WORDS = {"present": "present", "missing": "missing", "failing": "failing"}
NOT_JUDGED_WORDS = {"not_applicable": "not applicable", "unknown": "unknown"}
SUPPRESSION_WORDS = {"inline": "inline (the template's Metadata)", "baseline": "baseline"}
PRUNE_HINT = "Run cfn-compliance baseline --prune to remove stale entries."


class ReportOptions(Protocol):
    """What these renderers read of `checker.reports.RenderOptions` (imported there, so not importable here)."""

    @property
    def rules(self) -> tuple[Rule, ...]: ...

    @property
    def snippets(self) -> Mapping[str, str]: ...


# --- escaping -------------------------------------------------------------------------------------------------

_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Characters that open inline syntax anywhere in a line: code, emphasis, links (and so images: `!` alone is
# text), tables, GFM strikethrough, GitHub's math ($...$), and the backslash itself.
_INLINE = frozenset("\\`*_[]|~$")
_ESCAPES = {**_HTML, **{char: f"\\{char}" for char in _INLINE}}
_SPECIAL = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
# What starts a block when it opens a line: a heading, a quote, a list item, a setext or thematic break.
_BLOCK_START = re.compile(r"[#+\-=]|\d{1,9}[.)]")  # `>` and `*` are escaped anyway


def escape(text: object) -> str:
    """Text from a template as inert Markdown: one line, no syntax, no HTML. The only way such text enters the
    document; safe in paragraphs, headings, list items and table cells (a `|` cannot add a column)."""
    return _escape_text(str(text))


@functools.lru_cache(maxsize=16384)  # titles, fixes, rationales and many messages repeat across a run's files
def _escape_text(text: str) -> str:
    flat = inert(_BREAKS.sub(" ", text)).strip()
    escaped = _SPECIAL.sub(_escaped_char, flat)
    start = _BLOCK_START.match(escaped)
    if start:  # the text may open a line (a paragraph, a list item): its first mark must not start a block
        cut = start.end() - 1
        escaped = f"{escaped[:cut]}\\{escaped[cut:]}"
    return escaped


def _escaped_char(match: re.Match[str]) -> str:
    return _ESCAPES[match.group()]


def _value(value: object) -> str:
    """A setting's value as a reviewer reads it: YAML's words for null and booleans, JSON for lists and maps."""
    plain = to_json_value(value)
    if plain is None:
        shown = "not set"
    elif isinstance(plain, bool):
        shown = "true" if plain else "false"
    elif isinstance(plain, str):
        shown = plain if plain else '""'
    else:
        shown = json.dumps(plain, ensure_ascii=False, separators=(", ", ": "))
    return escape(shown if len(shown) <= VALUE_CHARS else shown[: VALUE_CHARS - 1] + "…")


def _fence(snippet: str) -> str:
    """A fence longer than any backtick run in the snippet, so no line of it can close the block."""
    longest = max((len(run) for run in re.findall(r"`+", snippet)), default=0)
    return "`" * max(3, longest + 1)


# --- building blocks ------------------------------------------------------------------------------------------


def _heading(level: int, text: str) -> str:
    return f"{'#' * min(level, 6)} {text}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A GFM table; cells must already be escaped (or be our own words and numbers)."""
    align = ["---:" if index in right else "---" for index in range(len(header))]
    lines = [header, align, *rows]
    return "\n".join(f"| {' | '.join(cells)} |" for cells in lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _where(finding: Finding) -> str:
    parts = [f"{escape(finding.file)}:{finding.line}:{finding.column}"]
    if finding.resource:
        parts.append(f"resource {escape(finding.resource)}")
    if finding.path:
        parts.append(f"at {escape(finding.path)}")
    return ", ".join(parts)


# --- the analysis ---------------------------------------------------------------------------------------------


def render_markdown(report: RunReport, options: ReportOptions) -> str:
    """One document: for one file, its analysis under the title; for a run over many, a summary table and one
    section per file (every heading one level down)."""
    analysis = analyse_run(report, options.rules, options.snippets)
    blocks = [_heading(1, TITLE)]
    if len(analysis.files) == 1:
        blocks.extend(_file_blocks(analysis.files[0], 2))
    else:
        blocks.extend(_run_summary(analysis))
        for file in analysis.files:
            blocks.append(_heading(2, escape(file.file.path)))
            blocks.extend(_file_blocks(file, 3))
    if analysis.baseline is not None and analysis.baseline.stale:
        blocks.extend(_stale(analysis.baseline))
    if analysis.skipped:
        blocks.extend(_skipped(analysis.skipped))
    return "\n\n".join(blocks) + "\n"


def _run_summary(analysis: RunAnalysis) -> list[str]:
    if not analysis.files:
        return ["No file was checked."]
    rows = [
        [
            escape(file.file.path),
            STATUS_WORDS[file.file.status],
            f"{file.tally.score:g}",
            str(file.tally.errors),
            str(file.tally.warnings),
            str(file.tally.suppressed),
            str(file.tally.unknown),
        ]
        for file in analysis.files
    ]
    table = _table(["File", "Status", "Score", "Errors", "Warnings", "Suppressed", "Unknown"], rows, right=(2, 3, 4, 5, 6))
    return [_totals(analysis.summary), table]


def _totals(summary: Summary) -> str:
    line = (
        f"{_count(summary.files, 'file')}: {summary.compliant} compliant, {summary.non_compliant} non-compliant, "
        f"{summary.invalid} invalid; {_count(summary.errors, 'error')}, {_count(summary.warnings, 'warning')}"
    )
    if summary.suppressed:
        line += f"; {_count(summary.suppressed, 'finding')} suppressed"
    return line + (f"; {_count(summary.unknown, 'rule')} could not be judged." if summary.unknown else ".")


def _file_blocks(file: FileAnalysis, level: int) -> list[str]:
    if file.file.status == "invalid":  # nothing was judged: why, the finding that says so, what to do
        blocks = [*_overview(file, level), *_analysis(file, level), *_suppressed(file, level)]
        return [*blocks, _heading(level, "Conclusion"), escape(file.conclusion)]
    blocks = [*_overview(file, level), *_expected_vs_actual(file, level), *_analysis(file, level), *_fixes(file, level)]
    blocks.extend(_suppressed(file, level))
    blocks.extend(_not_judged(file, level))
    blocks.extend([_heading(level, "Conclusion"), escape(file.conclusion)])
    return blocks


def _overview(file: FileAnalysis, level: int) -> list[str]:
    blocks = [_heading(level, "Overview"), f"**{escape(file.headline)}**", f"Candidate: {escape(file.file.path)}"]
    numbers = file.tally
    if file.file.status != "invalid":  # an invalid file has one error, score 0 and no verdicts: the headline says it
        rows = [
            ["Errors", str(numbers.errors)],
            ["Warnings", str(numbers.warnings)],
            ["Suppressed findings", str(numbers.suppressed)],
            ["Rules passed", str(numbers.passed)],
            ["Rules failed", str(numbers.failed)],
            ["Rules not applicable", str(numbers.not_applicable)],
            ["Rules not judged (unknown)", str(numbers.unknown)],
            ["Score (of 100)", f"{numbers.score:g}"],
        ]
        blocks.append(_table(["Measure", "Count"], rows, right=(1,)))
    if file.file.notes:
        blocks.append("Notes:\n\n" + "\n".join(f"- {escape(note)}" for note in file.file.notes))
    return blocks


def _expected_vs_actual(file: FileAnalysis, level: int) -> list[str]:
    if not file.components:
        return []
    rows = []
    for view in file.components:
        state = STATE_WORDS[view.state]
        if view.rule_ids:
            state += f" ({', '.join(view.rule_ids)})"
        candidate = escape(view.candidate_resource) if view.candidate_resource else "missing"
        rows.append([escape(view.label), escape(view.reference_resource), candidate, state])
    blocks = [
        _heading(level, "Expected vs Actual"),
        _heading(level + 1, "What the reference has and what the candidate provides"),
        _table(["Component", "Reference resource", "Candidate resource", "State"], rows),
    ]
    differences = [
        [escape(view.label), escape(difference.setting), _value(difference.reference), _value(difference.candidate)]
        for view in file.components
        for difference in view.differences
    ]
    if differences:
        blocks.append(_heading(level + 1, "Settings that differ"))
        blocks.append(_table(["Component", "Setting", "Reference", "Candidate"], differences))
    return blocks


def _analysis(file: FileAnalysis, level: int) -> list[str]:
    blocks = [_heading(level, "Analysis of missing components and failures by category")]
    if file.missing:
        missing = "\n".join(f"- {escape(view.label)}: the reference's {escape(view.reference_resource)}" for view in file.missing)
        blocks.append(f"Missing from the candidate:\n\n{missing}")
    for section in file.categories:
        if section.category == "template" and not section.issues:
            continue  # template validity is said only when it fails; every other category is always said
        if file.file.status == "invalid" and not section.issues:
            continue
        blocks.extend(_category(section, level + 1))
    return blocks


def _category(section: CategorySection, level: int) -> list[str]:
    heading = _heading(level, escape(section.heading))
    if not section.issues:
        if section.judged:
            return [heading, f"No failures: {section.passed} of {section.judged} judged rules pass."]
        return [heading, "No failures: no rule of this category could judge the candidate."]
    failed = len({issue.finding.rule_id for issue in section.issues})
    summary = f"{_count(len(section.issues), 'finding')} from {_count(failed, 'failing rule')}"
    if section.judged:
        summary += f"; {section.passed} of {section.judged} judged rules pass"
    return [heading, summary + ".", "\n".join(_issue(issue) for issue in section.issues)]


def _issue(issue: Issue) -> str:
    finding = issue.finding
    lines = [
        f"- **{finding.severity.upper()} {escape(finding.rule_id)}**: {escape(finding.title)}",
        f"  - **Where:** {_where(finding)}",
        f"  - **Observed:** {escape(finding.message)}",
    ]
    if issue.rationale:
        lines.append(f"  - **Why it matters:** {escape(issue.rationale)}")
    if finding.remediation:
        lines.append(f"  - **Fix:** {escape(finding.remediation)}")
    return "\n".join(lines)


def _fixes(file: FileAnalysis, level: int) -> list[str]:
    if not file.fixes:
        return []
    blocks = [_heading(level, "Fixes")]
    shown: dict[str, str] = {}  # snippet -> the rule it was first shown under, so each is quoted once
    for fix in file.fixes:
        blocks.extend(_fix(fix, level + 1, shown))
    return blocks


def _fix(fix: Fix, level: int, shown: dict[str, str]) -> list[str]:
    blocks = [_heading(level, f"{escape(fix.rule_id)} ({fix.severity}): {escape(fix.title)}")]
    if fix.remediation:
        blocks.append(escape(fix.remediation))
    places = "\n".join(f"- {_where(finding)}" for finding in fix.findings)
    blocks.append(f"Where:\n\n{places}")
    snippet = fix.snippet.rstrip("\n")
    if not snippet:
        return blocks
    if snippet in shown:
        blocks.append(f"The reference's lines for this are those quoted under {escape(shown[snippet])} above.")
        return blocks
    shown[snippet] = fix.rule_id
    fence = _fence(snippet)
    block = f"{fence}yaml\n{snippet}\n{fence}"
    lines = len(snippet.splitlines())
    if lines > FOLD_LINES:
        blocks.append(f"<details>\n<summary>The reference does it so ({lines} lines)</summary>\n\n{block}\n\n</details>")
    else:
        blocks.extend(["The reference does it so:", block])
    return blocks


def _suppressed(file: FileAnalysis, level: int) -> list[str]:
    """The findings that do not count, each with its rule, place, kind, reason and expiry: not failures, but shown."""
    if not file.suppressed:
        return []
    rows = [_suppressed_row(item) for item in file.suppressed]
    intro = (
        f"{_count(len(file.suppressed), 'finding')} accepted, not counted as failures (a rule whose findings are all "
        "suppressed passes):"
    )
    return [_heading(level, "Suppressed findings"), intro, _table(["Rule", "Where", "Kind", "Reason", "Expires"], rows)]


def _suppressed_row(item: SuppressedIssue) -> list[str]:
    finding, suppression = item.finding, item.suppression
    return [
        f"{escape(finding.rule_id)} ({finding.severity})",
        _where(finding),
        SUPPRESSION_WORDS.get(suppression.kind, escape(suppression.kind)),
        escape(suppression.reason) or "no reason given",
        escape(suppression.expires) if suppression.expires else "no expiry",
    ]


def _stale(baseline: BaselineUse) -> list[str]:
    """The baseline's entries that matched no finding of the run: fixed, or their file is gone."""
    rows = [
        [
            escape(entry.rule_id),
            escape(entry.path),
            escape(entry.resource) if entry.resource else "template",
            escape(entry.property_path),
            escape(entry.message),
            escape(entry.fingerprint),
        ]
        for entry in baseline.stale
    ]
    entries = "1 entry" if len(baseline.stale) == 1 else f"{len(baseline.stale)} entries"
    intro = f"{entries} of the baseline {escape(baseline.path)} matched no finding ({baseline.matched} matched). {PRUNE_HINT}"
    table = _table(["Rule", "File", "Resource", "Property path", "Message", "Fingerprint"], rows)
    return [_heading(2, "Stale baseline entries"), intro, table]


def _not_judged(file: FileAnalysis, level: int) -> list[str]:
    if not file.not_judged:
        return []
    rows = [
        [escape(item.rule_id), escape(item.title), NOT_JUDGED_WORDS[item.status], escape(item.reason)] for item in file.not_judged
    ]
    return [_heading(level, "Not applicable or not judged"), _table(["Rule", "Title", "Status", "Why"], rows)]


def _skipped(skipped: Sequence[SkippedFile]) -> list[str]:
    items = "\n".join(f"- {escape(item.path)}: {escape(item.reason)}" for item in skipped)
    return [_heading(2, "Skipped inputs"), items]


# --- GitHub's job summary -------------------------------------------------------------------------------------


def render_step_summary(report: RunReport, options: ReportOptions, limit: int = STEP_SUMMARY_LIMIT) -> str:
    """A short summary for GITHUB_STEP_SUMMARY: the run's totals and one table row per file (status, score,
    counts, failing rules). Rows stop before the text would pass `limit` bytes (UTF-8, as GitHub counts), and
    a last line says how many files were left out."""
    severities = {rule.id: rule.severity for rule in options.rules}
    head = f"### cfn-compliance\n\n{_totals(summarise(report))}\n"
    if report.skipped:
        head += f"\n{_count(len(report.skipped), 'input')} skipped.\n"
    if not report.files:
        return head
    header = _table(["File", "Status", "Score", "Errors", "Warnings", "Failing rules", "Suppressed"], [], right=(2, 3, 4)) + "\n"
    parts = [head, "\n", header]
    size = sum(len(part.encode("utf-8")) for part in parts)
    budget = limit - len(_more(len(report.files)).encode("utf-8"))  # room for the last line, however many are cut
    for index, file in enumerate(report.files):
        numbers = tally(file, severities)
        cells = [
            escape(file.path),
            STATUS_WORDS[file.status],
            f"{numbers.score:g}",
            str(numbers.errors),
            str(numbers.warnings),
            escape(", ".join(numbers.failed_rules)) or "none",
            _suppressed_rules(file),
        ]
        row = f"| {' | '.join(cells)} |\n"
        size += len(row.encode("utf-8"))
        if size > budget:
            parts.append(_more(len(report.files) - index))
            break
        parts.append(row)
    return "".join(parts)


def _suppressed_rules(file: FileReport) -> str:
    """The step summary's cell for a file's suppressed findings: each rule, with how many when more than one."""
    suppressed = rule_findings(file).suppressed
    if not suppressed:
        return "none"
    return escape(", ".join(f"{rule_id} ×{len(found)}" if len(found) > 1 else rule_id for rule_id, found in suppressed.items()))


def _more(files: int) -> str:
    return f"\n… {_count(files, 'more file')} not listed.\n"
