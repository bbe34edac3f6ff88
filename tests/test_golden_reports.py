"""Whole reports from realistic generated answers, compared with golden files.

One is a bare CloudFormation template, the other a SAM template inside a Markdown answer.

The golden files are the reviewer's view of the tool: any change to a message, a
location or the layout shows up here. After a deliberate change, regenerate them
with `CFN_COMPLIANCE_UPDATE_GOLDEN=1 pytest` and review the diff.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from checker import __version__
from checker.evaluation.options import CheckOptions
from checker.findings import RunReport
from checker.reports.json import render_json
from checker.reports.text import render_text
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, FIXTURES, ROOT, assert_golden

GOLDEN = FIXTURES / "reports"
CANDIDATES = ["model-response.yaml", "sam-answer.md"]


@pytest.fixture(params=CANDIDATES)
def candidate(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def report(monkeypatch: pytest.MonkeyPatch, candidate: str) -> RunReport:
    monkeypatch.chdir(ROOT)  # a relative path keeps the golden files machine-independent
    relative = str((GOLDEN / candidate).relative_to(ROOT))
    return RunReport(files=(check_file(relative, CheckOptions(cfn_lint=False, today=CHECK_DATE)),))


def _golden_name(candidate: str, suffix: str) -> str:
    return candidate.rsplit(".", 1)[0] + suffix


def _compare(name: str, actual: str) -> None:
    assert_golden(GOLDEN / name, actual)


def test_text_report_matches_golden(report: RunReport, candidate: str) -> None:
    _compare(_golden_name(candidate, ".txt"), render_text(report, color=False))


def test_json_report_matches_golden_and_schema(report: RunReport, candidate: str) -> None:
    document = render_json(report, tool_version="0.0.0-test")
    schema = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(document))
    _compare(_golden_name(candidate, ".json"), document)


def test_json_report_names_the_tool(report: RunReport) -> None:
    assert json.loads(render_json(report, tool_version=__version__))["tool"] == {"name": "cfn-compliance", "version": __version__}
