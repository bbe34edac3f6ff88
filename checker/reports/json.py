"""Report for CI scripts: one JSON document, described by data/report.schema.json."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from checker.bundled import DATA
from checker.findings import (
    ComponentMatch,
    FileReport,
    Finding,
    RuleResult,
    RunReport,
    SettingDifference,
    SkippedFile,
)
from checker.reports.summary import Summary, file_score, summarise

TOOL_NAME = "cfn-compliance"
SCHEMA_PATH = DATA / "report.schema.json"

Json = Any  # a value json.dumps accepts without help


def render_json(report: RunReport, *, tool_version: str, severities: Mapping[str, str]) -> str:
    """The whole run as one JSON document; keys are built in a fixed order so diffs stay stable."""
    document = {
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "files": [_file(file, severities, compared=report.changed_since is not None) for file in report.files],
        "skipped": [_skipped(skipped) for skipped in report.skipped],
        "summary": _summary(summarise(report)),
    }
    if report.changed_since is not None:
        document["changed_since"] = report.changed_since
    return "".join(_layout(document, 0)) + "\n"


# One line per finding, result, component, skipped file: readable, grep-able, diff-friendly. Each line is
# written by the C encoder; Python's indenting encoder took a third of a corpus run.
_ONE_LINE = json.JSONEncoder(separators=(", ", ": "), allow_nan=False).encode
_INDENT = "  "
_INLINE_DEPTH = 5  # a component of the side-by-side (document, files, file, reference, components)


def _layout(value: Json, depth: int) -> list[str]:
    """Indent the document's frame; write anything flat (or deep enough) on one line."""
    if not isinstance(value, (dict, list)) or depth >= _INLINE_DEPTH or _flat(value) or not value:
        return [_ONE_LINE(value)]
    inner, outer = _INDENT * (depth + 1), _INDENT * depth
    items: list[list[str]]
    if isinstance(value, dict):
        opening, closing = "{", "}"
        items = [[f"{inner}{_ONE_LINE(key)}: ", *_layout(item, depth + 1)] for key, item in value.items()]
    else:
        opening, closing = "[", "]"
        items = [[inner, *_layout(item, depth + 1)] for item in value]
    parts = [opening, "\n"]
    for index, item in enumerate(items):
        parts.extend(item)
        parts.append(",\n" if index < len(items) - 1 else "\n")
    parts.extend((outer, closing))
    return parts


def _flat(value: dict | list) -> bool:
    """Nothing inside but scalars and lists of scalars (a finding, a result, the summary, the notes)."""
    members = value.values() if isinstance(value, dict) else value
    return all(not isinstance(member, dict) and (not isinstance(member, list) or all(map(_scalar, member))) for member in members)


def _scalar(value: Json) -> bool:
    return not isinstance(value, (dict, list))


def _file(file: FileReport, severities: Mapping[str, str], *, compared: bool) -> dict[str, Json]:
    return {
        "path": file.path,
        "repo_path": file.location,
        "status": file.status,
        "score": file_score(file, severities),
        "findings": [
            _finding(finding, fingerprint, fingerprint not in file.preexisting if compared else None)
            for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True)
        ],
        "results": [_result(result) for result in file.results],
        "reference": {"components": [_component(match) for match in file.reference]},
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
    }
    if new is not None:
        document["new"] = new
    return document


def _result(result: RuleResult) -> dict[str, Json]:
    return {"rule_id": result.rule_id, "status": result.status, "message": result.message}


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
    """The documented summary keys only; `unknown` stays out (count results with status unknown)."""
    return {
        "files": summary.files,
        "compliant": summary.compliant,
        "non_compliant": summary.non_compliant,
        "invalid": summary.invalid,
        "findings": summary.findings,
        "errors": summary.errors,
        "warnings": summary.warnings,
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
