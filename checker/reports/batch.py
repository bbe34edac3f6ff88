"""One row per file, for grading many candidate answers at once: CSV for a spreadsheet, JSON lines for a script.

Both formats write the same row with the same numbers, all from `summary.tally` (the score included): `errors` and
`warnings` count open findings, `suppressed` the suppressed ones, and `failed_rules` names the rules with an open
finding. Files the run skipped (not CloudFormation) were not candidates and are not rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from typing import Any

from checker.findings import FileReport, RunReport
from checker.reports.summary import tally

COLUMNS = ("path", "status", "score", "errors", "warnings", "suppressed", "unknown", "not_applicable", "failed_rules")

# A cell a spreadsheet would read as a formula (OWASP, "CSV Injection"): a path such as `=HYPERLINK(...)`.yaml.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")


def rows(report: RunReport, severities: Mapping[str, str]) -> list[dict[str, Any]]:
    """The run's rows, keys in COLUMNS order; `severities` maps rule ids to the catalogue's severity (for the score)."""
    return [_row(file, severities) for file in report.files]


def render_csv(report: RunReport, *, severities: Mapping[str, str]) -> str:
    """A header, then one record a file, quoted as RFC 4180 says and ended by CRLF (the csv module's dialect, what
    spreadsheets expect); failed rule ids joined by spaces. A path that would start a formula gets a leading `'`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows(report, severities):
        path = _encodable(row["path"])
        writer.writerow(
            [
                f"'{path}" if path.startswith(_FORMULA_STARTS) else path,
                row["status"],
                row["score"],
                row["errors"],
                row["warnings"],
                row["suppressed"],
                row["unknown"],
                row["not_applicable"],
                " ".join(row["failed_rules"]),
            ]
        )
    return buffer.getvalue()


def render_jsonl(report: RunReport, *, severities: Mapping[str, str]) -> str:
    """One JSON object a line, nothing else (no summary line), so every line is a candidate; ASCII only, as the
    JSON report is, so any byte of a file name survives as an escape."""
    return "".join(json.dumps(row, allow_nan=False) + "\n" for row in rows(report, severities))


def _row(file: FileReport, severities: Mapping[str, str]) -> dict[str, Any]:
    counts = tally(file, severities)
    return {
        "path": file.location,
        "status": file.status,
        "score": counts.score,
        "errors": counts.errors,
        "warnings": counts.warnings,
        "suppressed": counts.suppressed,
        "unknown": counts.unknown,
        "not_applicable": counts.not_applicable,
        "failed_rules": list(counts.failed_rules),
    }


def _encodable(text: str) -> str:
    """A file name that is not UTF-8 (Python keeps its bytes as surrogates) as the text report shows it, `\\xff`,
    so the CSV can be written as UTF-8."""
    return _SURROGATE.sub(_shown, text)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
