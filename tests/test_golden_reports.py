"""Whole reports, in every format, compared with golden files.

The candidates: a bare CloudFormation template, a SAM template inside a Markdown answer (both realistic generated
answers that fail), and an input that is not valid YAML; and the first again with two findings suppressed (one inline
with an expiry, one by the baseline) and a stale baseline entry (`model-response.suppressed.*`). The golden files (tests/fixtures/reports/golden/) are
the reviewer's view of the tool: any change to a message, a location or a layout shows up here. After a
deliberate change, regenerate them with `CFN_COMPLIANCE_UPDATE_GOLDEN=1 pytest` and review the diff.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from checker import __version__
from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions
from checker.evaluation.reference import reference_snippet
from checker.findings import RunReport
from checker.reports import FORMATS, RenderOptions
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, ROOT, assert_golden
from tests.suppressions import model_response_suppressed

CANDIDATES = FIXTURES / "reports"
GOLDEN = CANDIDATES / "golden"
# Each format's golden file extension (the names say which format wrote them).
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "gitlab": "gitlab.json",
    "github": "github.txt",
    "junit": "junit.xml",
    "csv": "csv",
    "jsonl": "jsonl",
    "markdown": "md",
    "html": "html",
}
TEST_VERSION = "0.0.0-test"


@pytest.fixture(scope="module", params=["model-response.yaml", "sam-answer.md", "broken.yaml"])
def report(request: pytest.FixtureRequest) -> RunReport:
    """One candidate checked as the CLI checks it, from the repository root so that paths are machine-independent."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        relative = str((CANDIDATES / request.param).relative_to(ROOT))
        return check_paths([relative], CheckOptions(cfn_lint=False, today=CHECK_DATE))


def render_options() -> RenderOptions:
    rules = load_catalogue()
    snippets = {rule.id: reference_snippet(rule.component, rule.component_properties) for rule in rules}
    return RenderOptions(TEST_VERSION, snippets=snippets, rules=rules)


def render(report: RunReport, name: str) -> str:
    options = render_options()
    if name == "text":  # text quotes the reference only with --show-reference
        options = RenderOptions(TEST_VERSION, rules=options.rules)
    return FORMATS[name].render(report, options)


def test_every_format_has_a_golden_extension() -> None:
    assert set(EXTENSIONS) == set(FORMATS)


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_report_matches_golden(report: RunReport, name: str) -> None:
    stem = report.files[0].path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    assert_golden(GOLDEN / f"{stem}.{EXTENSIONS[name]}", render(report, name))


@pytest.fixture(scope="module")
def suppressed() -> RunReport:
    return model_response_suppressed()


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_a_run_with_suppressions_matches_golden(suppressed: RunReport, name: str) -> None:
    assert_golden(GOLDEN / f"model-response.suppressed.{EXTENSIONS[name]}", render(suppressed, name))


def test_a_json_report_with_suppressions_matches_schema(suppressed: RunReport) -> None:
    schema = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(render(suppressed, "json")))


def test_compact_text_is_one_line_per_finding(report: RunReport) -> None:
    compact = FORMATS["text"].render(report, RenderOptions(TEST_VERSION, compact=True))
    file = report.files[0]
    assert compact.splitlines() == [
        f"{file.path}:{finding.line}:{finding.column}: {finding.severity.upper()} {finding.rule_id} {finding.message}"
        for finding in file.findings
    ]


def test_json_report_matches_schema(report: RunReport) -> None:
    schema = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(json.loads(render(report, "json")))


def test_json_report_names_the_tool(report: RunReport) -> None:
    document = json.loads(FORMATS["json"].render(report, RenderOptions(__version__)))
    assert document["tool"] == {"name": "cfn-compliance", "version": __version__}
