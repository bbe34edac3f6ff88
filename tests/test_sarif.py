"""SARIF: every log the tests write is valid against the official SARIF 2.1.0 schema, describes the whole catalogue,
and places each finding where code scanning will look for it, with the finding's own fingerprint."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import unquote_to_bytes

import jsonschema
import pytest
from markdown_it import MarkdownIt

from checker.cli import main
from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions
from checker.evaluation.reference import reference_snippet
from checker.findings import SEVERITY_ORDER, FileReport, Finding, RunReport
from checker.reports import FORMATS, RenderOptions
from checker.reports.sarif import FINGERPRINT_KEY, MAX_RESULTS, SECURITY_SEVERITY, SRCROOT, render_sarif
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, ROOT

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
GOLDEN = FIXTURES / "reports" / "golden"
TEST_VERSION = "0.0.0-test"
# RFC 3986: what a relative reference made of path segments may hold (unreserved, percent-encoded, sub-delims, : @ /).
URI_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*")


def validate(text: str) -> dict:
    """Parse a SARIF log and validate it with the schema's own draft, offline (its references are internal)."""
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    return log


def options() -> RenderOptions:
    rules = load_catalogue()
    snippets = {rule.id: reference_snippet(rule.component, rule.component_properties) for rule in rules}
    return RenderOptions(TEST_VERSION, snippets=snippets, rules=rules)


def sarif(report: RunReport) -> dict:
    return validate(FORMATS["sarif"].render(report, options()))


def finding(rule_id: str = "SEC001", severity: str = "error", **changes: object) -> Finding:
    fields: dict = {
        "rule_id": rule_id,
        "severity": severity,
        "category": "security",
        "title": "A title",
        "message": "A message",
        "remediation": "A fix",
        "file": "a.yaml",
        "resource": "Role",
        "path": "Resources/Role/Properties/Policies",
        "line": 3,
        "column": 5,
    }
    fields.update(changes)
    return Finding(**fields)


def run_of(*files: FileReport) -> RunReport:
    return RunReport(files)


def test_the_vendored_schema_is_itself_a_valid_draft_4_schema() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"].endswith("/sarif-schema-2.1.0.json")


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.sarif")), ids=lambda path: path.name)
def test_golden_logs_are_valid_sarif(golden: Path) -> None:
    log = validate(golden.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    assert log["runs"][0]["tool"]["driver"]["version"] == TEST_VERSION
    assert len(log["runs"]) == 1


def test_an_empty_run_is_valid_and_still_describes_every_rule() -> None:
    log = sarif(RunReport(()))
    run = log["runs"][0]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [rule.id for rule in load_catalogue()]
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["properties"] == {"truncated": False, "resultsTotal": 0, "resultsOmitted": 0}


def test_rule_descriptors_carry_what_code_scanning_shows() -> None:
    rules = {rule["id"]: rule for rule in sarif(RunReport(()))["runs"][0]["tool"]["driver"]["rules"]}
    for rule in load_catalogue():
        descriptor = rules[rule.id]
        assert descriptor["shortDescription"] == {"text": rule.title}
        assert descriptor["fullDescription"] == {"text": rule.rationale}
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", descriptor["name"])
        assert descriptor["defaultConfiguration"] == {"level": rule.severity}
        assert rule.category in descriptor["properties"]["tags"]
        assert descriptor["properties"]["precision"] == "high"
        if rule.category == "security":
            assert descriptor["properties"]["security-severity"] == SECURITY_SEVERITY[rule.severity]
            assert 0 <= float(descriptor["properties"]["security-severity"]) <= 10
        else:
            assert "security-severity" not in descriptor["properties"]
        assert rule.remediation in descriptor["help"]["text"]
    assert rules["SEC002"]["name"] == "IAMPoliciesScopeResourceLevelActionsToSpecificResources"
    assert rules["SEC002"]["properties"]["security-severity"] == "8.0"
    assert rules["SEC008"]["properties"]["security-severity"] == "5.0"


def test_help_markdown_reads_back_as_the_rationale_the_fix_and_the_reference_lines() -> None:
    """Parsed by a CommonMark parser: the prose is the catalogue's text exactly (no `<queue>` swallowed as HTML,
    no `'*'` turned into emphasis), and the fenced yaml block is the reference's own lines."""
    rendered = options()
    rules = {rule["id"]: rule for rule in sarif(RunReport(()))["runs"][0]["tool"]["driver"]["rules"]}
    parser = MarkdownIt()
    for rule in load_catalogue():
        tokens = parser.parse(rules[rule.id]["help"]["markdown"])
        paragraphs = ["".join(child.content for child in token.children or ()) for token in tokens if token.type == "inline"]
        assert paragraphs[0] == rule.rationale
        assert paragraphs[1] == f"Fix: {rule.remediation}"
        fences = [token for token in tokens if token.type == "fence"]
        snippet = rendered.snippets[rule.id]
        if snippet:
            assert [(fence.info, fence.content) for fence in fences] == [("yaml", snippet + "\n")]
            assert snippet in rules[rule.id]["help"]["text"]
        else:
            assert fences == []


def test_results_point_at_their_rule_their_place_and_carry_the_fingerprints() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        report = check_paths(["tests/fixtures/reports/model-response.yaml"], CheckOptions(cfn_lint=False, today=CHECK_DATE))
    file = report.files[0]
    run = sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    # written errors first, in file order within a severity
    expected = sorted(zip(file.findings, file.fingerprints(), strict=True), key=lambda pair: -SEVERITY_ORDER[pair[0].severity])
    assert len(run["results"]) == len(file.findings) > 0
    for result, (found, fingerprint) in zip(run["results"], expected, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == found.rule_id
        assert result["level"] == found.severity
        assert result["message"] == {"text": found.message}
        assert result["partialFingerprints"] == {FINGERPRINT_KEY: fingerprint}
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "tests/fixtures/reports/model-response.yaml", "uriBaseId": SRCROOT}
        assert physical["region"] == {"startLine": found.line, "startColumn": found.column}
        logical = [{"name": found.resource, "fullyQualifiedName": f"Resources/{found.resource}", "kind": "resource"}]
        assert result["locations"][0].get("logicalLocations") == (logical if found.resource else None)
    assert any(found.resource is None for found in file.findings)  # MON004: the template has no dashboard


def test_an_invalid_input_is_a_result() -> None:
    log = validate((GOLDEN / "broken.sarif").read_text(encoding="utf-8"))
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "TPL001"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 6, "startColumn": 8}
    assert "logicalLocations" not in result["locations"][0]  # no resource: the file itself is the problem


ODD_NAMES = ["odd dir/my stack %41 #1?.yaml", "ünïcödé/ß,x:y.yaml", "c:x.yaml", "a&b=c;d@e+(1)!$'.yaml"]


def test_hostile_file_names_become_escaped_uris_that_decode_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real runs over files whose names hold spaces, `%`, `#`, `?`, `:`, non-ASCII and a byte that is not UTF-8."""
    (tmp_path / ".git").mkdir()
    names = [*ODD_NAMES, os.fsdecode(b"latin1-\xe9.yaml")]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / "reports" / "model-response.yaml", tmp_path / name)
    (tmp_path / "broken %.yaml").write_text("Resources: {a: [\n")
    monkeypatch.chdir(tmp_path)
    report = check_paths([*names, "broken %.yaml"], CheckOptions(cfn_lint=False, today=CHECK_DATE))
    run = sarif(report)["runs"][0]
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run["results"]}
    assert len(uris) == len(names) + 1
    for uri in uris:
        assert URI_PATH.fullmatch(uri), uri
        assert not re.match(r"[^/]*:", uri)  # a colon before the first slash would read as a scheme
    decoded = {os.fsdecode(unquote_to_bytes(uri)) for uri in uris}
    assert decoded == {*names, "broken %.yaml"}
    assert "latin1-%E9.yaml" in uris
    assert "c%3Ax.yaml" in uris  # not the scheme `c:`
    assert "%C3%BCn%C3%AFc%C3%B6d%C3%A9/%C3%9F%2Cx%3Ay.yaml" in uris
    assert "odd%20dir/my%20stack%20%2541%20%231%3F.yaml" in uris
    assert {result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for result in run["results"]} == {SRCROOT}


def test_hostile_messages_and_resources_stay_valid_and_intact() -> None:
    message = 'quote " backslash \\ newline \n tab \t nul \x00 esc \x1b line-sep \u2028 </script> %41 \udcff emoji \U0001f600'
    hostile = finding(message=message, resource="<img src=x onerror=alert(1)>", path="Resources/a\nb")
    report = run_of(FileReport("a b.yaml", "non_compliant", (hostile,), (), repo_path="dir/a b.yaml"))
    [result] = sarif(report)["runs"][0]["results"]
    assert result["message"]["text"] == message
    assert result["locations"][0]["logicalLocations"][0]["name"] == "<img src=x onerror=alert(1)>"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir/a%20b.yaml"


def test_a_file_outside_the_repository_is_an_absolute_file_uri() -> None:
    report = run_of(FileReport("/tmp/x y/ä.yaml", "non_compliant", (finding(),), (), repo_path="/tmp/x y/ä.yaml"))
    [result] = sarif(report)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///tmp/x%20y/%C3%A4.yaml"}


def test_a_finding_without_position_or_resource_has_no_region_and_no_logical_location() -> None:
    report = run_of(
        FileReport("a.yaml", "invalid", (finding("TPL001", category="template", resource=None, path="", line=0, column=0),), ())
    )
    [result] = sarif(report)["runs"][0]["results"]
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "a.yaml", "uriBaseId": SRCROOT}}}]
    assert "properties" not in result


def test_a_rule_missing_from_the_given_catalogue_still_gets_a_descriptor() -> None:
    report = run_of(FileReport("a.yaml", "non_compliant", (finding("XYZ999", title="Made up"),), ()))
    log = validate(render_sarif(report, tool_version=TEST_VERSION, rules=(), snippets={}))
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]["id"] == "XYZ999"
    assert run["tool"]["driver"]["rules"][0]["name"] == "MadeUp"


def many_findings(count: int) -> RunReport:
    """`count` findings in one file: two warnings, then an error, over and over."""
    findings = tuple(
        finding(
            "SEC001" if index % 3 == 2 else "SEC008",
            "error" if index % 3 == 2 else "warning",
            message=f"m{index}",
            line=index + 1,
        )
        for index in range(count)
    )
    return run_of(FileReport("a.yaml", "non_compliant", findings, ()))


def test_past_the_results_cap_the_most_severe_are_kept_and_the_cut_is_said() -> None:
    """GitHub's real limit (MAX_RESULTS), on a run that exceeds it by a few hundred findings."""
    count = MAX_RESULTS + 300
    report = many_findings(count)
    started = time.perf_counter()
    log = json.loads(render_sarif(report, tool_version=TEST_VERSION, rules=load_catalogue(), snippets={}))
    assert time.perf_counter() - started < 10  # about 1 s: the 25,000 results are written, not skipped
    run = log["runs"][0]
    errors = count // 3
    assert len(run["results"]) == MAX_RESULTS
    assert [result["level"] for result in run["results"]] == ["error"] * errors + ["warning"] * (MAX_RESULTS - errors)
    assert run["properties"] == {"truncated": True, "resultsTotal": count, "resultsOmitted": 300}
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert "25000" in notification["message"]["text"] and "300 are left out" in notification["message"]["text"]


def test_a_truncated_log_is_valid_sarif() -> None:
    """The same cut with a small cap, so the schema validation stays quick."""
    log = validate(
        render_sarif(many_findings(30), tool_version=TEST_VERSION, rules=load_catalogue(), snippets={}, max_results=12)
    )
    run = log["runs"][0]
    assert [result["message"]["text"] for result in run["results"]] == [f"m{index}" for index in range(2, 30, 3)] + ["m0", "m1"]
    assert run["properties"] == {"truncated": True, "resultsTotal": 30, "resultsOmitted": 18}


def test_the_cli_writes_sarif_with_the_reference_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--output sarif=PATH` from the command line: the CLI reads the snippets because the format asks for them."""
    monkeypatch.chdir(ROOT)
    target = tmp_path / "out" / "report.sarif"
    code = main(
        [
            "check",
            "tests/fixtures/reports/model-response.yaml",
            "--no-cfn-lint",
            "--format",
            "json",
            "--output",
            f"sarif={target}",
        ]
    )
    assert code == 1
    log = validate(target.read_text(encoding="utf-8"))
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "```yaml\nOrderProcessorRole:" in rules["SEC002"]["help"]["markdown"]
    assert log["runs"][0]["results"]
