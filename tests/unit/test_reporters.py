"""Reporters: the JSON document honours its published schema, and the text report reads as documented."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from checker.findings import (
    ComponentMatch,
    FileReport,
    Finding,
    RuleResult,
    RunReport,
    SettingDifference,
    SkippedFile,
)
from checker.reports.json import SCHEMA_PATH, render_json, to_json_value
from checker.reports.summary import summarise
from checker.reports.text import render_text

ORDERS = "templates/orders.yaml"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _finding(rule_id: str, severity: str, category: str, **overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule_id": rule_id,
        "severity": severity,
        "category": category,
        "title": f"{rule_id} title",
        "message": f"{rule_id} message.",
        "remediation": f"{rule_id} remediation.",
        "file": ORDERS,
        "resource": None,
        "path": "Resources",
        "line": 1,
        "column": 1,
    }
    fields.update(overrides)
    return Finding(**fields)


SEC002 = _finding(
    "SEC002",
    "error",
    "security",
    title="IAM role grants wildcard actions",
    message='Policy OrderAccess allows Action "*" on all resources.',
    remediation="List only the actions the function calls, e.g. sqs:SendMessage.",
    resource="OrderProcessorRole",
    path="Resources/OrderProcessorRole/Properties/Policies/0/PolicyDocument/Statement/0/Action",
    line=42,
    column=9,
)

# Deliberately out of category order: the text reporter must regroup them.
NON_COMPLIANT = FileReport(
    path=ORDERS,
    status="non_compliant",
    findings=(
        SEC002,
        _finding(
            "MON001",
            "warning",
            "monitoring",
            message="Queue OrderQueue has no alarm on ApproximateAgeOfOldestMessage.",
            remediation="Add an AWS::CloudWatch::Alarm for the queue age.",
            resource="OrderQueue",
            path="Resources/OrderQueue",
            line=12,
            column=3,
        ),
        _finding(
            "ARCH001",
            "error",
            "architecture",
            message="The reference component dead-letter queue has no counterpart.",
            remediation="Add an SQS queue and point the RedrivePolicy of OrderQueue at it.",
            path="Resources",
            line=3,
            column=1,
        ),
        _finding(
            "COST001",
            "warning",
            "cost",
            message="MemorySize is 1024 MB; the reference uses 256 MB.",
            remediation="Lower MemorySize to 256 unless profiling shows a need.",
            resource="OrderProcessor",
            path="Resources/OrderProcessor/Properties/MemorySize",
            line=33,
            column=7,
        ),
    ),
    results=(
        RuleResult("SEC001", "pass"),
        RuleResult("SEC002", "fail", 'Policy OrderAccess allows Action "*" on all resources.'),
        RuleResult("ARCH001", "fail"),
        RuleResult("MON001", "fail"),
        RuleResult("COST001", "fail"),
        RuleResult("REL002", "fail"),
        RuleResult("REL001", "not_applicable", "No DynamoDB tables."),
        RuleResult("SEC005", "unknown", "KmsMasterKeyId comes from !ImportValue and cannot be resolved."),
    ),
    reference=(
        ComponentMatch("order queue", "OrderQueue", "OrderQueue"),
        ComponentMatch(
            "processor",
            "OrderFunction",
            "OrderProcessor",
            (SettingDifference("MemorySize", 256, 1024),),
        ),
        ComponentMatch("dead-letter queue", "OrderDeadLetterQueue", None),
    ),
    notes=("Parameter Stage has no default; evaluated with its AllowedValues[0] 'prod'.",),
)

COMPLIANT = FileReport(
    path="templates/orders-ok.yaml",
    status="compliant",
    findings=(),
    results=(RuleResult("SEC001", "pass"), RuleResult("SEC002", "pass")),
    reference=(ComponentMatch("order queue", "OrderQueue", "Orders"),),
)

INVALID = FileReport(
    path="templates/broken.yaml",
    status="invalid",
    findings=(
        _finding(
            "TPL001",
            "error",
            "template",
            title="Template cannot be parsed",
            message="YAML syntax error: mapping values are not allowed here.",
            remediation="Fix the YAML syntax; check indentation around this line.",
            file="templates/broken.yaml",
            path="",
            line=7,
            column=14,
        ),
    ),
    results=(RuleResult("TPL001", "fail"),),
)

REPORT = RunReport(
    files=(COMPLIANT, NON_COMPLIANT, INVALID),
    skipped=(SkippedFile("templates/README.md", "not a CloudFormation template"),),
)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(render_json(REPORT, tool_version="1.2.3", severities={}))


# --- JSON ---------------------------------------------------------------------------------


def test_json_validates_against_schema(validator: Draft202012Validator, document: dict[str, Any]) -> None:
    assert list(validator.iter_errors(document)) == []


def test_json_is_one_indented_document_with_trailing_newline() -> None:
    text = render_json(REPORT, tool_version="1.2.3", severities={})
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "tool": {"name": "cfn-compliance", "version": "1.2.3"},\n  "files": [\n    {\n')
    # one line per finding and per result: grep and diffs see one finding at a time
    lines = text.splitlines()
    for file in json.loads(text)["files"]:
        for item in (*file["findings"], *file["results"]):
            assert any(json.loads(line.strip().rstrip(",")) == item for line in lines if line.strip().startswith('{"rule_id"'))
    assert list(json.loads(text)) == ["tool", "files", "skipped", "summary", "baseline"]


def test_json_finding_values(document: dict[str, Any]) -> None:
    assert document["files"][1]["findings"][0] == {
        "rule_id": "SEC002",
        "severity": "error",
        "category": "security",
        "title": "IAM role grants wildcard actions",
        "message": 'Policy OrderAccess allows Action "*" on all resources.',
        "resource": "OrderProcessorRole",
        "path": "Resources/OrderProcessorRole/Properties/Policies/0/PolicyDocument/Statement/0/Action",
        "line": 42,
        "column": 9,
        "remediation": "List only the actions the function calls, e.g. sqs:SendMessage.",
        "fingerprint": REPORT.files[1].fingerprints()[0],
        "suppressed": None,
    }


def test_json_key_order_is_stable(document: dict[str, Any]) -> None:
    file = document["files"][1]
    assert list(file) == ["path", "repo_path", "status", "score", "suppressed", "findings", "results", "reference", "notes"]
    assert list(file["findings"][0]) == [
        "rule_id", "severity", "category", "title", "message", "resource",
        "path", "line", "column", "remediation", "fingerprint", "suppressed",
    ]  # fmt: skip


def test_json_summary(document: dict[str, Any]) -> None:
    assert document["summary"] == {
        "files": 3,
        "compliant": 1,
        "non_compliant": 1,
        "invalid": 1,
        "findings": 5,
        "errors": 3,
        "warnings": 2,
        "suppressed": 0,
    }
    assert document["skipped"] == [{"path": "templates/README.md", "reason": "not a CloudFormation template"}]


def test_json_results_keep_unknown(document: dict[str, Any]) -> None:
    results = document["files"][1]["results"]
    assert results[-1] == {
        "rule_id": "SEC005",
        "status": "unknown",
        "message": "KmsMasterKeyId comes from !ImportValue and cannot be resolved.",
    }
    assert results[0] == {"rule_id": "SEC001", "status": "pass", "message": None}


def test_json_reference_components(document: dict[str, Any]) -> None:
    assert document["files"][1]["reference"]["components"] == [
        {
            "component": "order queue",
            "reference_resource": "OrderQueue",
            "candidate_resource": "OrderQueue",
            "status": "present",
            "differences": [],
        },
        {
            "component": "processor",
            "reference_resource": "OrderFunction",
            "candidate_resource": "OrderProcessor",
            "status": "present",
            "differences": [{"setting": "MemorySize", "reference": 256, "candidate": 1024}],
        },
        {
            "component": "dead-letter queue",
            "reference_resource": "OrderDeadLetterQueue",
            "candidate_resource": None,
            "status": "missing",
            "differences": [],
        },
    ]


def test_json_invalid_file_and_empty_sections(document: dict[str, Any]) -> None:
    invalid = document["files"][2]
    assert invalid["status"] == "invalid"
    assert [f["rule_id"] for f in invalid["findings"]] == ["TPL001"]
    assert invalid["findings"][0]["resource"] is None
    assert invalid["reference"] == {"components": []}
    assert invalid["notes"] == []


def test_json_serialises_non_native_values(validator: Draft202012Validator) -> None:
    class Tag:
        def __str__(self) -> str:
            return "!Ref Stage"

    difference = SettingDifference("Environment", {"Variables": {"STAGE": Tag(), "Sizes": (1, 2.5)}, 3: None}, float("nan"))
    match = ComponentMatch("processor", "OrderFunction", "OrderProcessor", (difference,))
    report = RunReport(files=(FileReport("t.yaml", "compliant", (), (), (match,)),))
    document = json.loads(render_json(report, tool_version="0.1.0", severities={}))
    assert list(validator.iter_errors(document)) == []
    assert document["files"][0]["reference"]["components"][0]["differences"][0] == {
        "setting": "Environment",
        "reference": {"Variables": {"STAGE": "!Ref Stage", "Sizes": [1, 2.5]}, "3": None},
        "candidate": "nan",
    }
    assert to_json_value([True, None, "x"]) == [True, None, "x"]


def test_json_empty_run_is_valid(validator: Draft202012Validator) -> None:
    document = json.loads(render_json(RunReport(files=()), tool_version="0.1.0", severities={}))
    assert list(validator.iter_errors(document)) == []
    assert document["files"] == [] and document["summary"]["files"] == 0


# --- schema strictness --------------------------------------------------------------------


def _mutated(document: dict[str, Any], mutate: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    mutate(copy)
    return copy


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d["files"][0].__setitem__("status", "ok"), id="file-status-ok"),
        pytest.param(lambda d: d["files"][1]["results"][0].__setitem__("status", "passed"), id="result-status"),
        pytest.param(lambda d: d["files"][1]["findings"][0].__setitem__("severity", "info"), id="severity"),
        pytest.param(lambda d: d["files"][1]["findings"][0].__setitem__("category", "style"), id="category"),
        pytest.param(lambda d: d["files"][1]["findings"][0].__setitem__("rule_id", "sec2"), id="rule-id"),
        pytest.param(lambda d: d["files"][1]["findings"][0].__setitem__("line", 0), id="line-zero"),
        pytest.param(lambda d: d["files"][1]["findings"][0].__setitem__("column", "9"), id="column-string"),
        pytest.param(lambda d: d["files"][1]["findings"][0].pop("fingerprint"), id="missing-key"),
        pytest.param(lambda d: d["files"][1]["findings"][0].__setitem__("extra", 1), id="extra-finding-key"),
        pytest.param(lambda d: d["summary"].__setitem__("unknown", 1), id="extra-summary-key"),
        pytest.param(lambda d: d.__setitem__("version", 1), id="extra-top-level-key"),
        pytest.param(lambda d: d["tool"].__setitem__("name", "other"), id="tool-name"),
        pytest.param(lambda d: d["summary"].__setitem__("errors", -1), id="negative-count"),
        pytest.param(
            lambda d: d["files"][1]["reference"]["components"][2].__setitem__("status", "present"),
            id="present-without-candidate",
        ),
        pytest.param(
            lambda d: d["files"][1]["reference"]["components"][0].__setitem__("status", "missing"),
            id="missing-with-candidate",
        ),
    ],
)
def test_schema_rejects_deviations(validator: Draft202012Validator, document: dict[str, Any], mutate: Any) -> None:
    assert not validator.is_valid(_mutated(document, mutate))


def test_schema_documents_every_property() -> None:
    """CI authors read the schema as the format's documentation."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    undocumented: list[str] = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub and "$ref" not in sub:
                    undocumented.append(f"{where}/{name}")
            for key, value in node.items():
                if key not in ("if", "then", "else"):  # constraints, not new properties
                    visit(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{where}/{index}")

    visit(schema, "#")
    assert undocumented == []


# --- text ---------------------------------------------------------------------------------

EXPECTED_TEXT = """\
PASS templates/orders-ok.yaml — compliant

FAIL templates/orders.yaml — non-compliant: 2 errors, 2 warnings (1 rule not applicable, 1 could not be judged)
Architecture:
  ERROR ARCH001 templates/orders.yaml:3:1
    The reference component dead-letter queue has no counterpart.
    fix: Add an SQS queue and point the RedrivePolicy of OrderQueue at it.
Cost:
  WARNING COST001 [OrderProcessor] templates/orders.yaml:33:7
    MemorySize is 1024 MB; the reference uses 256 MB.
    fix: Lower MemorySize to 256 unless profiling shows a need.
Monitoring:
  WARNING MON001 [OrderQueue] templates/orders.yaml:12:3
    Queue OrderQueue has no alarm on ApproximateAgeOfOldestMessage.
    fix: Add an AWS::CloudWatch::Alarm for the queue age.
Security:
  ERROR SEC002 [OrderProcessorRole] templates/orders.yaml:42:9
    Policy OrderAccess allows Action "*" on all resources.
    fix: List only the actions the function calls, e.g. sqs:SendMessage.
Notes:
  - Parameter Stage has no default; evaluated with its AllowedValues[0] 'prod'.
Could not judge:
  UNKNOWN SEC005 KmsMasterKeyId comes from !ImportValue and cannot be resolved.

INVALID templates/broken.yaml — could not be evaluated
Template:
  ERROR TPL001 templates/broken.yaml:7:14
    YAML syntax error: mapping values are not allowed here.
    fix: Fix the YAML syntax; check indentation around this line.

Skipped:
  templates/README.md — not a CloudFormation template

3 files: 1 compliant, 1 non-compliant, 1 invalid; 3 errors, 2 warnings; 1 rule could not be judged; 1 skipped
"""


def test_text_golden() -> None:
    assert render_text(REPORT, color=False) == EXPECTED_TEXT


def test_text_color_only_when_asked() -> None:
    colored = render_text(REPORT, color=True)
    plain = render_text(REPORT, color=False)
    assert "\x1b[" not in plain
    assert "\x1b[31mFAIL\x1b[0m" in colored
    assert "\x1b[32mPASS\x1b[0m" in colored
    assert "\x1b[31mERROR\x1b[0m" in colored
    assert "\x1b[33mWARNING\x1b[0m" in colored
    assert "\x1b[1mSecurity:\x1b[0m" in colored
    assert ANSI.sub("", colored) == plain


def test_text_groups_findings_in_category_order() -> None:
    text = render_text(REPORT, color=False)
    headings = ["Architecture:", "Cost:", "Monitoring:", "Security:"]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "Reliability:" not in text  # no finding of that category
    assert text.index("Template:") > text.index("INVALID templates/broken.yaml")


def test_text_unknown_never_reads_as_pass() -> None:
    report = RunReport(files=(FileReport("a.yaml", "compliant", (), (RuleResult("SEC005", "unknown", None),)),))
    text = render_text(report, color=False)
    assert text == (
        "PASS a.yaml — compliant (1 rule could not be judged)\n"
        "Could not judge:\n"
        "  UNKNOWN SEC005 no reason given\n"
        "\n"
        "1 file: 1 compliant, 0 non-compliant, 0 invalid; 0 errors, 0 warnings; "
        "1 rule could not be judged\n"
    )


def test_text_escapes_what_would_break_a_line_or_drive_the_terminal() -> None:
    """Paths and values come from the user's files; only the reporter's own colours may reach the terminal."""
    file = FileReport(
        "a\nb.md",
        "compliant",
        (),
        (RuleResult("SEC005", "unknown", "KmsMasterKeyId is \x1b]0;owned\x07"),),
        notes=("the yaml block at line 3 \u2028 moved",),
    )
    report = RunReport(files=(file,), skipped=(SkippedFile("bad\udcffname\tx.yaml", "reason\r"),))
    assert render_text(report, color=False) == (
        "PASS a\\nb.md — compliant (1 rule could not be judged)\n"
        "Notes:\n"
        "  - the yaml block at line 3 \\u2028 moved\n"
        "Could not judge:\n"
        "  UNKNOWN SEC005 KmsMasterKeyId is \\x1b]0;owned\\x07\n"
        "\n"
        "Skipped:\n"
        "  bad\\xffname\\tx.yaml — reason\\r\n"
        "\n"
        "1 file: 1 compliant, 0 non-compliant, 0 invalid; 0 errors, 0 warnings; 1 rule could not be judged; 1 skipped\n"
    )


def test_summary_is_shared() -> None:
    summary = summarise(REPORT)
    assert (summary.errors, summary.warnings, summary.unknown) == (3, 2, 1)


def test_the_verdict_line_counts_rules_that_did_not_look_or_could_not_decide() -> None:
    results = (
        RuleResult("ARCH010", "not_applicable", "the code is not inline"),
        RuleResult("REL006", "not_applicable", "the code is not inline"),
        RuleResult("COST002", "unknown", "MemorySize cannot be resolved"),
        RuleResult("COST001", "pass"),
    )
    lines = [
        render_text(RunReport(files=(FileReport("a.yaml", "compliant", (), chosen),)), color=False).splitlines()[0]
        for chosen in (results, results[:2], results[2:], results[3:])
    ]
    assert lines == [
        "PASS a.yaml — compliant (2 rules not applicable, 1 could not be judged)",
        "PASS a.yaml — compliant (2 rules not applicable)",
        "PASS a.yaml — compliant (1 rule could not be judged)",
        "PASS a.yaml — compliant",
    ]


def test_a_file_failed_only_for_what_could_not_be_judged_says_so() -> None:
    results = (RuleResult("COST002", "unknown", "MemorySize cannot be resolved"),)
    text = render_text(RunReport(files=(FileReport("a.yaml", "non_compliant", (), results),)), color=False)
    assert text.splitlines()[0] == "FAIL a.yaml — non-compliant (1 rule could not be judged)"
