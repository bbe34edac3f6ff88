"""Human-readable report for terminals and CI logs; the CLI decides whether colour is wanted."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from checker.findings import BaselineUse, FileReport, Finding, RuleResult, RunReport, SkippedFile
from checker.reports.summary import Summary, count_findings, summarise, suppression_terms, unknown_results
from checker.vocabulary import CATEGORIES

_RED, _GREEN, _YELLOW, _BOLD, _DIM = "31", "32", "33", "1", "2"


@dataclass(frozen=True)
class _Style:
    """ANSI styling that turns into a no-op when colour is off, so callers never branch on it."""

    color: bool
    snippets: Mapping[str, str]

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def severity(self, severity: str) -> str:
        return self.paint(severity.upper(), _RED if severity == "error" else _YELLOW)

    def heading(self, text: str) -> str:
        return self.paint(text, _BOLD)


def render_text(report: RunReport, *, color: bool, snippets: Mapping[str, str] | None = None, compact: bool = False) -> str:
    """One block per file, then skipped inputs and the baseline's stale entries, then a single summary line;
    `compact`: one line per finding.

    `snippets` maps rule ids to the reference's own lines, shown under each finding of that rule."""
    if compact:
        return render_compact(report)
    style = _Style(color, snippets or {})
    blocks = [_file_block(file, style) for file in report.files]
    if report.skipped:
        blocks.append(_skipped_block(report.skipped, style))
    if report.baseline is not None and report.baseline.stale:
        blocks.append(_stale_block(report.baseline, style))
    summary = _summary_line(summarise(report), len(report.skipped))
    if report.changed_since is not None:
        summary += "\n" + _changes_line(report.files, report.changed_since)
    blocks.append(summary)
    return "\n\n".join(blocks) + "\n"


def render_compact(report: RunReport) -> str:
    """`file:line:col: SEVERITY RULE_ID message`, one finding a line, as editors' quickfix lists and grep read it;
    after a file's open findings, its suppressed ones with the word `suppressed` for severity and the reason at the
    end. Nothing else is written: an empty output means no findings."""
    lines: list[str] = []
    for file in report.files:
        marked = list(zip(file.findings, _preexisting(file), strict=True))
        lines.extend(
            f"{inert(finding.file)}:{finding.line}:{finding.column}: {finding.severity.upper()} {finding.rule_id} {inert(finding.message)}"
            + (_PREEXISTING if old else "")
            for finding, old in marked
            if finding.suppression is None
        )
        lines.extend(
            f"{inert(finding.file)}:{finding.line}:{finding.column}: suppressed {finding.rule_id} {inert(finding.message)} — "
            + _suppression_note(finding)
            for finding, _ in marked
            if finding.suppression is not None
        )
    return "".join(f"{line}\n" for line in lines)


def _file_block(file: FileReport, style: _Style) -> str:
    lines = [_verdict_line(file, style)]
    marked = list(zip(file.findings, _preexisting(file), strict=True))
    for category, findings in _group_by_category((finding, old) for finding, old in marked if finding.suppression is None):
        lines.append(style.heading(f"{category.capitalize()}:"))
        lines.extend(line for finding, old in findings for line in _finding_lines(finding, old, style))
    suppressed = [finding for finding, _ in marked if finding.suppression is not None]
    if suppressed:
        lines.append(style.heading("Suppressed (reported, not failing the run):"))
        lines.extend(_suppressed_line(finding, style) for finding in suppressed)
    if file.notes:
        lines.append(style.heading("Notes:"))
        lines.extend(f"  - {inert(note)}" for note in file.notes)
    unknown = unknown_results(file.results)
    if unknown:
        lines.append(style.heading("Could not judge:"))
        lines.extend(_unknown_line(result, style) for result in unknown)
    return "\n".join(lines)


def _verdict_line(file: FileReport, style: _Style) -> str:
    """The first thing a reader sees: pass/fail, and how many rules did not look (not applicable) or could not decide,
    so that a PASS never hides rules that judged nothing."""
    counts = count_findings(file.findings)
    suppressed = f"{counts.suppressed} suppressed" if counts.suppressed else ""
    tally = ", ".join(filter(None, [_plural(counts.errors, "error"), _plural(counts.warnings, "warning"), suppressed]))
    unknown = len(unknown_results(file.results))
    if file.status == "compliant":
        label, code = "PASS", _GREEN
        detail = f"compliant with {tally}" if counts.active else f"compliant: {suppressed}" if suppressed else "compliant"
    elif file.status == "non_compliant" and counts.active == 0:  # --fail-on-unknown: nothing failed, something was not judged
        label, code = "FAIL", _RED
        detail = f"non-compliant: {suppressed}" if suppressed else "non-compliant"
    elif file.status == "non_compliant":
        label, code, detail = "FAIL", _RED, f"non-compliant: {tally}"
    else:
        return f"{style.paint('INVALID', _RED)} {inert(file.path)} — could not be evaluated"
    not_applicable = sum(result.status == "not_applicable" for result in file.results)
    looked_away = [f"{_plural(not_applicable, 'rule')} not applicable"] if not_applicable else []
    if unknown:
        looked_away.append(f"{unknown} could not be judged" if looked_away else f"{_plural(unknown, 'rule')} could not be judged")
    if looked_away:
        detail += f" ({', '.join(looked_away)})"
    return f"{style.paint(label, code)} {inert(file.path)} — {detail}"


def _group_by_category(findings: Iterable[tuple[Finding, bool]]) -> list[tuple[str, list[tuple[Finding, bool]]]]:
    """Fixed category order; categories this reporter does not know come last, alphabetically."""
    groups: dict[str, list[tuple[Finding, bool]]] = {}
    for finding, old in findings:
        groups.setdefault(finding.category, []).append((finding, old))
    extra = sorted(category for category in groups if category not in CATEGORIES)
    ordered = [category for category in (*CATEGORIES, *extra) if category in groups]
    return [(category, groups[category]) for category in ordered]


def _finding_lines(finding: Finding, old: bool, style: _Style) -> list[str]:
    resource = f" [{inert(finding.resource)}]" if finding.resource else ""
    location = f"{inert(finding.file)}:{finding.line}:{finding.column}"
    header = f"  {style.severity(finding.severity)} {finding.rule_id}{resource} {location}" + (_PREEXISTING if old else "")
    lines = [header, f"    {inert(finding.message)}"]
    if finding.remediation:
        lines.append(f"    fix: {finding.remediation}")
    snippet = style.snippets.get(finding.rule_id)
    if snippet:
        lines.append("    the reference does it so:")
        lines.extend(style.paint(f"      {line}", _DIM) for line in snippet.splitlines())
    return lines


def _suppressed_line(finding: Finding, style: _Style) -> str:
    """A suppressed finding in one line: the rule, where (the property path, or the resource), the line, why."""
    where = inert(finding.path or finding.resource or finding.file)
    note = _suppression_note(finding)
    return f"  {style.paint('suppressed', _DIM)} {finding.rule_id} at {where} (line {finding.line}): {note}"


def _suppression_note(finding: Finding) -> str:
    """`reason [inline, expires 2027-06-30]`: why the finding is accepted, and by what."""
    suppression = finding.suppression
    if suppression is None:
        return ""
    return f"{inert(suppression.reason) or 'no reason given'} [{inert(suppression_terms(suppression))}]"


def _stale_block(baseline: BaselineUse, style: _Style) -> str:
    """The baseline's entries that matched no finding (fixed, or their file gone), and how to drop them."""
    lines = [
        style.heading(f"Stale baseline entries in {inert(baseline.path)}:")
        + f" {_plural(len(baseline.stale), 'entry', 'entries')} matched no finding (`cfn-compliance baseline --prune` removes stale entries)"
    ]
    for entry in baseline.stale:
        resource = f" [{inert(entry.resource)}]" if entry.resource else ""
        where = f" at {inert(entry.property_path)}" if entry.property_path else ""
        lines.append(f"  {entry.rule_id}{resource} {inert(entry.path)}{where}: {inert(entry.message)} ({entry.fingerprint})")
    return "\n".join(lines)


def _unknown_line(result: RuleResult, style: _Style) -> str:
    reason = result.message or "no reason given"
    return f"  {style.paint('UNKNOWN', _YELLOW)} {result.rule_id} {inert(reason)}"


def _skipped_block(skipped: Iterable[SkippedFile], style: _Style) -> str:
    lines = [style.heading("Skipped:")]
    lines.extend(f"  {inert(item.path)} — {inert(item.reason)}" for item in skipped)
    return "\n".join(lines)


def _summary_line(summary: Summary, skipped: int) -> str:
    """One line a log reader can grep; zero-valued extras are left out to keep it short."""
    line = (
        f"{_plural(summary.files, 'file')}: {summary.compliant} compliant, "
        f"{summary.non_compliant} non-compliant, {summary.invalid} invalid; "
        f"{_plural(summary.errors, 'error')}, {_plural(summary.warnings, 'warning')}"
    )
    if summary.suppressed:
        line += f"; {_plural(summary.suppressed, 'finding')} suppressed"
    if summary.unknown:
        line += f"; {_plural(summary.unknown, 'rule')} could not be judged"
    if skipped:
        line += f"; {skipped} skipped"
    return line


_PREEXISTING = " (pre-existing)"


def _preexisting(file: FileReport) -> list[bool]:
    """Per finding, in order: was it already there at the ref the run compared with (--changed-since)?"""
    if not file.preexisting:
        return [False] * len(file.findings)
    return [fingerprint in file.preexisting for fingerprint in file.fingerprints()]


def _changes_line(files: Iterable[FileReport], ref: str) -> str:
    """--changed-since: how many open findings the change brings, and how many were there already (they do not fail
    the run); suppressed findings are counted on the summary line."""
    marks = [
        old
        for file in files
        for finding, old in zip(file.findings, _preexisting(file), strict=True)
        if finding.suppression is None
    ]
    old = sum(marks)
    return f"Since {inert(ref)}: {_plural(len(marks) - old, 'new finding')}, {old} pre-existing (reported, not failing the run)"


_UNSHOWN = {"Cc", "Cs", "Zl", "Zp"}  # control characters, undecodable bytes, line and paragraph separators


def inert(text: str) -> str:
    """A file name or a value from a template, on one line and as inert text: a newline in a file name must not
    split a verdict line, nor an escape sequence in a logical id reach the terminal. Such characters are escaped;
    a byte of a file name that is not UTF-8 (which Python keeps as a surrogate) is shown as the byte, `\\xff`."""
    if text.isprintable():
        return text
    return "".join(_escaped(char) if unicodedata.category(char) in _UNSHOWN else char for char in text)


def _escaped(char: str) -> str:
    if 0xDC80 <= ord(char) <= 0xDCFF:
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1]


def _plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {nouns or noun + 's'}"
