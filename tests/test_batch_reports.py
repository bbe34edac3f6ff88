"""CSV and JSON lines, one row per candidate, read back with the csv and json modules as a grading script would."""

from __future__ import annotations

import csv
import io
import json

import pytest

from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, Finding, RuleResult, RunReport, SkippedFile
from checker.reports import FORMATS
from checker.reports.batch import COLUMNS
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, ROOT
from tests.test_golden_reports import render_options

CANDIDATES = FIXTURES / "reports"
HEADER = "path,status,score,errors,warnings,suppressed,unknown,not_applicable,failed_rules"


def render(report: RunReport, name: str) -> str:
    return FORMATS[name].render(report, render_options())


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def jsonl_rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.split("\n")[:-1]]


@pytest.fixture(scope="module")
def run() -> RunReport:
    """Three candidates in one run, and a directory file that is not CloudFormation (skipped, so not a row)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        names = [str((CANDIDATES / name).relative_to(ROOT)) for name in ("model-response.yaml", "sam-answer.md", "broken.yaml")]
        report = check_paths(names, CheckOptions(cfn_lint=False, today=CHECK_DATE))
    return RunReport(report.files, (SkippedFile("docs/workflow.yml", "a GitHub Actions workflow, not CloudFormation"),))


MODEL_RESPONSE_FAILED = (
    "ARCH002 ARCH005 ARCH006 ARCH009 ARCH010 ARCH012 COST001 COST002 COST003 MON001 MON003 MON004 MON005 "
    "SEC001 SEC002 SEC005 SEC006 SEC010 REL001 REL002 REL004 REL006"
)


def test_csv_has_a_header_and_one_crlf_record_per_candidate(run: RunReport) -> None:
    text = render(run, "csv")
    assert text.split("\r\n")[0] == HEADER
    assert text.endswith("\r\n") and text.count("\r\n") == 1 + len(run.files) and "\n" not in text.replace("\r\n", "")
    rows = csv_rows(text)
    assert [row["path"] for row in rows] == [
        "tests/fixtures/reports/model-response.yaml",
        "tests/fixtures/reports/sam-answer.md",
        "tests/fixtures/reports/broken.yaml",
    ]
    assert rows[0] == {
        "path": "tests/fixtures/reports/model-response.yaml",
        "status": "non_compliant",
        "score": "40.9",
        "errors": "16",
        "warnings": "7",
        "suppressed": "0",
        "unknown": "0",
        "not_applicable": "7",
        "failed_rules": MODEL_RESPONSE_FAILED,
    }
    assert rows[2] == {
        "path": "tests/fixtures/reports/broken.yaml",
        "status": "invalid",
        "score": "0.0",
        "errors": "1",
        "warnings": "0",
        "suppressed": "0",
        "unknown": "0",
        "not_applicable": str(len(render_options().rules) - 1),
        "failed_rules": "TPL001",
    }


def test_jsonl_is_one_object_per_candidate_with_the_csv_numbers(run: RunReport) -> None:
    text = render(run, "jsonl")
    rows = jsonl_rows(text)
    assert len(text.splitlines()) == len(run.files) == len(rows)  # no summary line, no skipped file
    assert all(list(row) == list(COLUMNS) for row in rows)
    assert rows[0]["failed_rules"] == MODEL_RESPONSE_FAILED.split()
    assert rows[0]["score"] == 40.9 and isinstance(rows[0]["errors"], int)
    for from_csv, from_jsonl in zip(csv_rows(render(run, "csv")), rows, strict=True):
        assert from_csv == {
            **{key: str(value) for key, value in from_jsonl.items()},
            "failed_rules": " ".join(from_jsonl["failed_rules"]),
        }


def test_the_score_is_the_json_reports_score(run: RunReport) -> None:
    document = json.loads(render(run, "json"))
    assert [row["score"] for row in jsonl_rows(render(run, "jsonl"))] == [file["score"] for file in document["files"]]


def report_of(*paths: str) -> RunReport:
    def file(path: str) -> FileReport:
        finding = Finding("SEC001", "error", "security", "t", "m", "r", path, "Role", "Resources/Role", 4, 7)
        results = (RuleResult("SEC001", "fail"), RuleResult("SEC002", "pass"), RuleResult("SEC003", "unknown", "why"))
        return FileReport(path, "non_compliant", (finding,), results)

    return RunReport(tuple(file(path) for path in paths))


FORMULAS = ['=HYPERLINK("http://x").yaml', "+1.yaml", "-2.yaml", "@SUM(A1).yaml", "\tcmd.yaml", "\rcmd.yaml"]


def test_a_path_a_spreadsheet_would_run_as_a_formula_is_made_text() -> None:
    paths = [*FORMULAS, "a=b.yaml", "stacks/-x.yaml"]
    report = report_of(*paths)
    assert [row["path"] for row in csv_rows(render(report, "csv"))] == [
        *(f"'{path}" for path in FORMULAS),
        "a=b.yaml",
        "stacks/-x.yaml",
    ]
    assert [row["path"] for row in jsonl_rows(render(report, "jsonl"))] == paths  # JSON is data, not a sheet


def test_hostile_paths_survive_quoting_and_encoding() -> None:
    paths = ['a,b "quoted".yaml', "line\nbreak.yaml", "nul\x00.yaml", "bytes\udcff\udc80.yaml"]
    report = report_of(*paths)
    text = render(report, "csv")
    text.encode("utf-8")  # the CLI writes it as UTF-8: no lone surrogate is left
    assert [row["path"] for row in csv_rows(text)] == [*paths[:3], "bytes\\xff\\x80.yaml"]
    lines = render(report, "jsonl")
    assert lines.isascii() and len(lines.splitlines()) == len(paths)
    assert [row["path"] for row in jsonl_rows(lines)] == paths  # JSON escapes keep the bytes' surrogates


def test_an_empty_run_is_a_header_or_nothing() -> None:
    empty = RunReport((), (SkippedFile("x.yml", "not CloudFormation"),))
    assert render(empty, "csv") == HEADER + "\r\n"
    assert render(empty, "jsonl") == ""
