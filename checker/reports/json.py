"""Report for CI scripts: one JSON document, described by data/report.schema.json."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from checker.bundled import DATA
from checker.findings import (
    BaselineEntry,
    BaselineUse,
    ComponentMatch,
    FileReport,
    Finding,
    RuleResult,
    RunReport,
    SettingDifference,
    SkippedFile,
    Suppression,
)
from checker.reports.json_layout import LINES, Json, Shape, one_line, stream
from checker.reports.summary import Summary, count_findings, file_score, summarise

TOOL_NAME = "cfn-compliance"
SCHEMA_PATH = DATA / "report.schema.json"
# One line per finding, result, component, skipped file, stale baseline entry: readable, grep-able, diff-friendly.
_SHAPE: Shape = {
    "files": [{"findings": LINES, "results": LINES, "reference": {"components": LINES}}],
    "skipped": LINES,
    "baseline": {"stale": LINES},
}


def render_json(report: RunReport, *, tool_version: str, severities: Mapping[str, str]) -> str:
    """The whole run as one JSON document; keys are built in a fixed order so diffs stay stable."""
    return "".join(stream_json(report, tool_version=tool_version, severities=severities))


def stream_json(report: RunReport, *, tool_version: str, severities: Mapping[str, str]) -> Iterator[str]:
    """The same document in chunks, a file at a time: what the CLI writes, so a run over thousands of files never
    holds the whole text, nor every file's document, at once."""
    results: dict[tuple[str, str, str | None], str] = {}  # a corpus run repeats a few hundred results 70,000 times
    compared = report.changed_since is not None
    document: dict[str, Json] = {
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "files": (_file(file, severities, results, compared=compared) for file in report.files),
        "skipped": [one_line(_skipped(skipped)) for skipped in report.skipped],
        "summary": _summary(summarise(report)),
        "baseline": _baseline(report.baseline),
    }
    if report.changed_since is not None:
        document["changed_since"] = report.changed_since
    return stream(document, _SHAPE, "files")


def _file(
    file: FileReport, severities: Mapping[str, str], results: dict[tuple[str, str, str | None], str], *, compared: bool
) -> dict[str, Json]:
    return {
        "path": file.path,
        "repo_path": file.location,
        "status": file.status,
        "score": file_score(file, severities),
        "suppressed": count_findings(file.findings).suppressed,
        "findings": [
            one_line(_finding(finding, fingerprint, fingerprint not in file.preexisting if compared else None))
            for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True)
        ],
        "results": [_result_line(result, results) for result in file.results],
        "reference": {"components": [one_line(_component(match)) for match in file.reference]},
        "notes": list(file.notes),
    }


def _finding(finding: Finding, fingerprint: str, new: bool | None) -> dict[str, Json]:
    """`new` only in a run that compared with a git ref (--changed-since): without one, nothing is new or old."""
    document: dict[str, Json] = {
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "category": finding.category,
        "title": finding.title,
        "message": finding.message,
        "resource": finding.resource,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "remediation": finding.remediation,
        "fingerprint": fingerprint,
        "suppressed": _suppression(finding.suppression),
    }
    if new is not None:
        document["new"] = new
    return document


def _suppression(suppression: Suppression | None) -> Json:
    """Why the finding does not count (it stays in the report): null when it counts."""
    if suppression is None:
        return None
    return {"kind": suppression.kind, "reason": suppression.reason, "expires": suppression.expires}


def _baseline(baseline: BaselineUse | None) -> Json:
    """The baseline the run read (check --baseline), or null; `stale` are its entries that matched no finding."""
    if baseline is None:
        return None
    return {
        "path": baseline.path,
        "matched": baseline.matched,
        "stale": [one_line(_stale(entry)) for entry in baseline.stale],
    }


def _stale(entry: BaselineEntry) -> dict[str, Json]:
    return {
        "fingerprint": entry.fingerprint,
        "rule_id": entry.rule_id,
        "path": entry.path,
        "resource": entry.resource,
        "property_path": entry.property_path,
        "message": entry.message,
    }


def _result(result: RuleResult) -> dict[str, Json]:
    return {"rule_id": result.rule_id, "status": result.status, "message": result.message}


def _result_line(result: RuleResult, lines: dict[tuple[str, str, str | None], str]) -> str:
    """A result's line, written once per distinct result (keyed by a plain tuple: hashing one is cheaper)."""
    key = (result.rule_id, result.status, result.message)
    line = lines.get(key)
    if line is None:
        line = lines[key] = one_line(_result(result))
    return line


def _component(match: ComponentMatch) -> dict[str, Json]:
    return {
        "component": match.component,
        "reference_resource": match.reference_resource,
        "candidate_resource": match.candidate_resource,
        "status": "missing" if match.candidate_resource is None else "present",
        "differences": [_difference(difference) for difference in match.differences],
    }


def _difference(difference: SettingDifference) -> dict[str, Json]:
    return {
        "setting": difference.setting,
        "reference": to_json_value(difference.reference),
        "candidate": to_json_value(difference.candidate),
    }


def _skipped(skipped: SkippedFile) -> dict[str, Json]:
    return {"path": skipped.path, "reason": skipped.reason}


def _summary(summary: Summary) -> dict[str, Json]:
    """The documented summary keys only; `unknown` stays out (count results with status unknown). `findings`,
    `errors` and `warnings` count open findings; `suppressed` the rest."""
    return {
        "files": summary.files,
        "compliant": summary.compliant,
        "non_compliant": summary.non_compliant,
        "invalid": summary.invalid,
        "findings": summary.findings,
        "errors": summary.errors,
        "warnings": summary.warnings,
        "suppressed": summary.suppressed,
    }


def to_json_value(value: object) -> Json:
    """Template values are arbitrary: keep JSON-native ones, stringify the rest so dumping cannot fail."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    return str(value)
