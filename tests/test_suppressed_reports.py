"""Suppressed findings in every format, on a real run: model-response.yaml checked, then its COST002 finding (the
rule's only one) suppressed inline with an expiry and the second of its two SEC001 findings suppressed by the
baseline, with one stale baseline entry (tests/suppressions.py). Each test says exactly what the format writes for a
suppressed finding, and that the formats without a suppression concept (GitLab, GitHub's commands) leave it out."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from markdown_it import MarkdownIt

from checker.evaluation.catalogue import load_catalogue
from checker.findings import FileReport, Finding, RuleResult, RunReport, Suppression
from checker.reports import FORMATS, RenderOptions
from checker.reports.analysis import analyse_run
from checker.reports.markdown import render_step_summary
from checker.reports.sarif import render_sarif
from checker.reports.summary import file_score, rule_findings, summarise, tally
from tests.conftest import ROOT
from tests.suppressions import BASELINE, BASELINE_FILE, INLINE, MODEL_RESPONSE, STALE, checked, model_response_suppressed
from tests.test_ci_formats import parse_command
from tests.test_golden_reports import render_options
from tests.test_sarif import validate

REPORT_SCHEMA = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text(encoding="utf-8"))
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
MEMORY = "Resources/Processor/Properties/MemorySize"
DYNAMODB = "Resources/ProcessorRole/Properties/Policies/0/PolicyDocument/Statement/0/Action/1"


@pytest.fixture(scope="module")
def plain() -> RunReport:
    return checked("model-response.yaml")


@pytest.fixture(scope="module")
def report() -> RunReport:
    return model_response_suppressed()


def render(report: RunReport, name: str, *, compact: bool = False) -> str:
    """As the golden files are written (text without the reference's lines)."""
    options = render_options()
    return FORMATS[name].render(report, RenderOptions(options.tool_version, rules=options.rules, compact=compact))


def suppressed_findings(report: RunReport) -> list[tuple[Finding, str]]:
    file = report.files[0]
    return [(f, print_) for f, print_ in zip(file.findings, file.fingerprints(), strict=True) if f.suppression is not None]


def test_the_run_is_the_real_run_with_two_findings_marked(plain: RunReport, report: RunReport) -> None:
    (before,), (after,) = plain.files, report.files
    assert [(f.rule_id, f.path, f.line) for f in after.findings] == [(f.rule_id, f.path, f.line) for f in before.findings]
    assert [(f.rule_id, f.path, f.suppression) for f in after.findings if f.suppression] == [
        ("COST002", MEMORY, INLINE),
        ("SEC001", DYNAMODB, BASELINE),
    ]
    assert after.status == "non_compliant"


# --- counting ---------------------------------------------------------------------------------------------------


def test_counts_and_the_score_see_open_findings_only(plain: RunReport, report: RunReport) -> None:
    severities = render_options().severities()
    before, after = tally(plain.files[0], severities), tally(report.files[0], severities)
    assert (before.errors, before.warnings, before.suppressed, before.passed, before.failed) == (16, 7, 0, 14, 22)
    # COST002 (an error rule) passes now; SEC001 still fails on its open finding.
    assert (after.errors, after.warnings, after.suppressed, after.passed, after.failed) == (14, 7, 2, 15, 21)
    assert "COST002" not in after.failed_rules and "SEC001" in after.failed_rules
    assert after.failed_rules == tuple(rule for rule in before.failed_rules if rule != "COST002")
    assert (before.score, after.score) == (40.9, 44.3)
    summary = summarise(report)
    assert (summary.findings, summary.errors, summary.warnings, summary.suppressed) == (21, 14, 7, 2)


def test_one_helper_says_which_rules_fail() -> None:
    def finding(rule_id: str, suppression: Suppression | None = None) -> Finding:
        return Finding(rule_id, "error", "cost", "t", "m", "f", "a.yaml", None, "", 1, 1, suppression)

    file = FileReport(
        "a.yaml",
        "non_compliant",
        (finding("A", INLINE), finding("B", BASELINE), finding("B"), finding("C")),
        (RuleResult("A", "fail"), RuleResult("B", "fail"), RuleResult("C", "unknown"), RuleResult("D", "fail")),
    )
    by_rule = rule_findings(file)
    assert [by_rule.fails(result) for result in file.results] == [False, True, True, True]
    assert [by_rule.verdict(result) for result in file.results] == ["pass", "fail", "unknown", "fail"]
    assert by_rule.failing == ("B", "C")
    assert {rule_id: [item.suppression for item in found] for rule_id, found in by_rule.suppressed.items()} == {
        "A": [INLINE],
        "B": [BASELINE],
    }
    # A passes with the error weight 3, B and D fail with 3 each; C (unknown) counts neither way.
    assert file_score(file, {}) == round(100 * 3 / 9, 1)


# --- text -------------------------------------------------------------------------------------------------------


def test_text_shows_each_suppressed_finding_in_one_line_after_the_open_ones(report: RunReport) -> None:
    text = render(report, "text")
    lines = text.splitlines()
    assert lines[0] == f"FAIL {MODEL_RESPONSE} — non-compliant: 14 errors, 7 warnings, 2 suppressed (7 rules not applicable)"
    start = lines.index("Suppressed (reported, not failing the run):")
    assert lines[start + 1 : start + 3] == [
        f"  suppressed COST002 at {MEMORY} (line 51): image processing needs 1 GB for the resize step [inline, expires 2027-06-30]",
        f"  suppressed SEC001 at {DYNAMODB} (line 44): accepted in {BASELINE_FILE} [baseline]",
    ]
    assert lines[start - 1].startswith("    fix: ")  # after the last open finding of the file
    assert "ERROR COST002" not in text and text.count("ERROR SEC001") == 1


def test_text_lists_stale_baseline_entries_and_counts_suppressed_on_the_summary_line(report: RunReport) -> None:
    lines = render(report, "text").splitlines()
    stale = lines.index(
        f"Stale baseline entries in {BASELINE_FILE}: 1 entry matched no finding (`cfn-compliance baseline --prune` removes stale entries)"
    )
    assert lines[stale + 1] == (
        f"  REL003 [OrdersQueue] {MODEL_RESPONSE} at {STALE.property_path}: {STALE.message} ({STALE.fingerprint})"
    )
    assert lines[-1] == "1 file: 0 compliant, 1 non-compliant, 0 invalid; 14 errors, 7 warnings; 2 findings suppressed"


def test_compact_text_gives_suppressed_findings_their_own_word(plain: RunReport, report: RunReport) -> None:
    lines = render(report, "text", compact=True).splitlines()
    open_lines = render(plain, "text", compact=True).splitlines()
    assert lines[:-2] == [line for line in open_lines if " COST002 " not in line and ":44:35: " not in line]
    assert lines[-2:] == [
        f"{MODEL_RESPONSE}:51:7: suppressed COST002 The function Processor has MemorySize 1024 MB, above 512 MB. — "
        "image processing needs 1 GB for the resize step [inline, expires 2027-06-30]",
        f"{MODEL_RESPONSE}:44:35: suppressed SEC001 ProcessorRole allows the wildcard action 'dynamodb:*'. — "
        f"accepted in {BASELINE_FILE} [baseline]",
    ]
    assert len([line for line in lines if " ERROR " in line or " WARNING " in line]) == 21


# --- json -------------------------------------------------------------------------------------------------------


def test_json_marks_each_finding_and_carries_the_baseline(report: RunReport) -> None:
    document = json.loads(render(report, "json"))
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    (file,) = document["files"]
    marked = {finding["fingerprint"]: finding["suppressed"] for finding in file["findings"] if finding["suppressed"]}
    (_, cost_print), (_, sec_print) = suppressed_findings(report)
    assert marked == {
        cost_print: {"kind": "inline", "reason": "image processing needs 1 GB for the resize step", "expires": "2027-06-30"},
        sec_print: {"kind": "baseline", "reason": f"accepted in {BASELINE_FILE}", "expires": None},
    }
    assert sum(finding["suppressed"] is None for finding in file["findings"]) == 21
    assert (file["suppressed"], file["score"]) == (2, 44.3)
    assert document["summary"] == {
        **{"files": 1, "compliant": 0, "non_compliant": 1, "invalid": 0},
        **{"findings": 21, "errors": 14, "warnings": 7, "suppressed": 2},
    }
    assert document["baseline"] == {
        "path": BASELINE_FILE,
        "matched": 1,
        "stale": [
            {
                "fingerprint": STALE.fingerprint,
                "rule_id": "REL003",
                "path": MODEL_RESPONSE,
                "resource": "OrdersQueue",
                "property_path": STALE.property_path,
                "message": STALE.message,
            }
        ],
    }


def test_json_without_a_baseline_says_null(plain: RunReport) -> None:
    document = json.loads(render(plain, "json"))
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(document)
    assert document["baseline"] is None
    assert {finding["suppressed"] for finding in document["files"][0]["findings"]} == {None}


# --- sarif ------------------------------------------------------------------------------------------------------


def test_sarif_keeps_suppressed_results_with_their_level_and_justification(report: RunReport) -> None:
    log = validate(render(report, "sarif"))
    (run,) = log["runs"]
    results = run["results"]
    assert len(results) == 23
    assert [result.get("suppressions") for result in results[:-2]] == [None] * 21  # open results first
    (_, cost_print), (_, sec_print) = suppressed_findings(report)
    assert [
        (result["ruleId"], result["level"], result["partialFingerprints"]["cfnCompliance/v1"], result["suppressions"])
        for result in results[-2:]
    ] == [
        (
            "COST002",
            "error",
            cost_print,
            [
                {
                    "kind": "inSource",
                    "status": "accepted",
                    "justification": "image processing needs 1 GB for the resize step",
                    "properties": {"expires": "2027-06-30"},
                }
            ],
        ),
        (
            "SEC001",
            "error",
            sec_print,
            [{"kind": "external", "status": "accepted", "justification": f"accepted in {BASELINE_FILE}"}],
        ),
    ]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note == {
        "level": "note",
        "message": {
            "text": f"Stale baseline entry in {BASELINE_FILE}: REL003 ({STALE.message}) matched no finding; "
            "`cfn-compliance baseline --prune` removes stale entries."
        },
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": MODEL_RESPONSE, "uriBaseId": "%SRCROOT%"}},
                "logicalLocations": [{"name": "OrdersQueue", "fullyQualifiedName": "Resources/OrdersQueue", "kind": "resource"}],
            }
        ],
        "associatedRule": {"id": "REL003"},
        "properties": {"fingerprint": STALE.fingerprint, "propertyPath": STALE.property_path},
    }


def test_the_sarif_cap_keeps_open_results_before_suppressed_ones() -> None:
    """Suppressed errors come first in the file; the cap still keeps every open result, warnings included."""

    def finding(index: int, severity: str, suppression: Suppression | None) -> Finding:
        return Finding(
            "SEC001", severity, "security", "t", f"m{index}", "f", "a.yaml", "Role", f"P/{index}", index + 1, 1, suppression
        )

    findings = tuple(finding(index, "error", BASELINE) for index in range(6)) + tuple(
        finding(index, "warning", None) for index in range(6, 10)
    )
    report = RunReport((FileReport("a.yaml", "non_compliant", findings, (RuleResult("SEC001", "fail"),)),))
    log = validate(render_sarif(report, tool_version="0", rules=load_catalogue(), snippets={}, max_results=6))
    (run,) = log["runs"]
    assert [(result["message"]["text"], "suppressions" in result) for result in run["results"]] == [
        *[(f"m{index}", False) for index in range(6, 10)],
        ("m0", True),
        ("m1", True),
    ]
    assert run["properties"] == {"truncated": True, "resultsTotal": 10, "resultsOmitted": 4}


# --- junit ------------------------------------------------------------------------------------------------------


def test_junit_skips_a_wholly_suppressed_rule_and_fails_a_partly_suppressed_one(report: RunReport) -> None:
    root = ET.fromstring(render(report, "junit").encode("utf-8"))
    (suite,) = root.iter("testsuite")
    assert (suite.get("failures"), suite.get("skipped")) == ("21", "8")
    cases = {case.get("name", "").split(" ")[0]: case for case in suite.iter("testcase")}
    skipped = cases["COST002"].find("skipped")
    assert skipped is not None and cases["COST002"].find("failure") is None
    assert skipped.get("message") == "suppressed: image processing needs 1 GB for the resize step (inline, expires 2027-06-30)"
    assert skipped.text == f"{MODEL_RESPONSE}:51:7: The function Processor has MemorySize 1024 MB, above 512 MB."
    failure = cases["SEC001"].find("failure")
    assert failure is not None
    assert failure.get("message") == "ProcessorRole allows the wildcard action 'sqs:*'. (1 more suppressed)"
    assert (failure.text or "").splitlines()[:2] == [
        f"{MODEL_RESPONSE}:44:26: ProcessorRole allows the wildcard action 'sqs:*'.",
        f"{MODEL_RESPONSE}:44:35: ProcessorRole allows the wildcard action 'dynamodb:*'. [suppressed: accepted in {BASELINE_FILE} (baseline)]",
    ]


# --- gitlab and github ------------------------------------------------------------------------------------------


def test_gitlab_has_no_issue_for_a_suppressed_finding(report: RunReport) -> None:
    issues = json.loads(render(report, "gitlab"))
    file = report.files[0]
    expected = [print_ for finding, print_ in zip(file.findings, file.fingerprints(), strict=True) if not finding.suppression]
    assert [issue["fingerprint"] for issue in issues] == expected
    assert {print_ for _, print_ in suppressed_findings(report)}.isdisjoint(issue["fingerprint"] for issue in issues)
    assert "COST002" not in {issue["check_name"] for issue in issues}


def test_github_annotates_only_open_findings_and_counts_the_rest(report: RunReport) -> None:
    lines = render(report, "github").splitlines()
    commands = [parse_command(line) for line in lines[:-1]]
    assert len(commands) == 21
    places = {(properties["title"].split(" ")[0], properties["line"], properties.get("col")) for _, properties, _ in commands}
    assert ("COST002", "51", "7") not in places and ("SEC001", "44", "35") not in places and ("SEC001", "44", "26") in places
    assert lines[-1] == (
        "cfn-compliance: 1 file, 14 errors, 7 warnings (0 invalid); 2 suppressed findings not annotated; "
        "GitHub annotates 10 of each kind per step, the rest are in this log"
    )


def test_the_github_step_summary_names_the_suppressed_rules(report: RunReport) -> None:
    summary = render_step_summary(report, render_options())
    assert "14 errors, 7 warnings; 2 findings suppressed." in summary
    [table_row] = [line for line in summary.splitlines() if line.startswith(f"| {MODEL_RESPONSE} ")]
    cells = [cell.strip() for cell in table_row.strip("|").split(" | ")]
    assert cells[-1] == "COST002, SEC001" and "COST002" not in cells[-2]


# --- csv and jsonl ----------------------------------------------------------------------------------------------


def test_csv_and_jsonl_count_suppressed_and_list_only_open_failures(report: RunReport) -> None:
    [row] = list(csv.DictReader(io.StringIO(render(report, "csv"), newline="")))
    [line] = [json.loads(text) for text in render(report, "jsonl").splitlines()]
    assert (row["errors"], row["warnings"], row["suppressed"], row["score"]) == ("14", "7", "2", "44.3")
    assert (line["errors"], line["warnings"], line["suppressed"], line["score"]) == (14, 7, 2, 44.3)
    assert line["failed_rules"] == row["failed_rules"].split() == list(tally(report.files[0], {}).failed_rules)
    assert "COST002" not in line["failed_rules"] and "SEC001" in line["failed_rules"]


# --- the analysis, markdown and html ----------------------------------------------------------------------------


def test_the_analysis_lists_suppressed_findings_apart_from_failures(report: RunReport) -> None:
    options = render_options()
    (analysis,) = analyse_run(report, options.rules, options.snippets).files
    assert [(item.finding.rule_id, item.suppression) for item in analysis.suppressed] == [
        ("COST002", INLINE),
        ("SEC001", BASELINE),
    ]
    issues = [issue.finding for section in analysis.categories for issue in section.issues]
    assert all(finding.suppression is None for finding in issues) and len(issues) == 21
    cost = next(section for section in analysis.categories if section.category == "cost")
    assert (cost.judged, cost.passed, [issue.finding.rule_id for issue in cost.issues]) == (3, 1, ["COST001", "COST003"])
    assert "COST002" not in {fix.rule_id for fix in analysis.fixes}
    [sec001] = [fix for fix in analysis.fixes if fix.rule_id == "SEC001"]
    assert [finding.path for finding in sec001.findings] == [DYNAMODB.replace("Action/1", "Action/0")]
    assert all("COST002" not in view.rule_ids for view in analysis.components)
    assert "2 findings suppressed" in analysis.headline


def test_markdown_has_a_suppressed_section_and_the_stale_entries(report: RunReport) -> None:
    document = FORMATS["markdown"].render(report, render_options())
    tokens = PARSER.parse(document)
    headings = [tokens[index + 1].content for index, token in enumerate(tokens) if token.type == "heading_open"]
    order = ["Fixes", "Suppressed findings", "Not applicable or not judged", "Conclusion", "Stale baseline entries"]
    assert [heading for heading in headings if heading in order] == order
    assert "### COST002" not in document and "**ERROR COST002**" not in document
    assert (
        f"| COST002 (error) | {MODEL_RESPONSE}:51:7, resource Processor, at {MEMORY} | inline (the template's Metadata) "
        "| image processing needs 1 GB for the resize step | 2027-06-30 |"
    ) in document
    assert (
        f"| SEC001 (error) | {MODEL_RESPONSE}:44:35, resource ProcessorRole, at {DYNAMODB} | baseline | accepted in " in document
    )
    assert "| Suppressed findings | 2 |" in document
    assert (
        f"| REL003 | {MODEL_RESPONSE} | OrdersQueue | {STALE.property_path} | {STALE.message} | {STALE.fingerprint} |"
    ) in document
    assert "Run cfn-compliance baseline --prune to remove stale entries." in document


def test_html_has_a_suppressed_section_whose_rows_are_the_findings_anchors(report: RunReport) -> None:
    from tests.test_html_report import parse

    dom = parse(FORMATS["html"].render(report, render_options()))
    ids = {element.attrs["id"]: element for element in dom.walk() if "id" in element.attrs}
    assert ids["f1-suppressed"].text() == "Suppressed findings"
    for finding, print_ in suppressed_findings(report):
        row = ids[f"f1-finding-{print_}"]
        assert (row.tag, row.attrs["data-rule"]) == ("tr", finding.rule_id)
        assert finding.suppression is not None and finding.suppression.reason in row.text()
    issues = [element for element in dom.walk() if element.tag == "li" and "issue" in element.classes()]
    assert len(issues) == 21 and "COST002" not in {issue.attrs["data-rule"] for issue in issues}
    assert "f1-fix-COST002" not in ids and "f1-fix-SEC001" in ids
    stale = ids["baseline"].text()
    assert STALE.fingerprint in stale and "cfn-compliance baseline --prune" in stale
