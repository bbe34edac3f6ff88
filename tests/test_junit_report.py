"""JUnit XML read back the way CI reads it: junitparser (what many test-report actions use) and ElementTree's expat,
a strict XML 1.0 parser, so a character the format forbids fails here before it fails a pipeline."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from junitparser import Failure, JUnitXml, Skipped

from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, Finding, RuleResult, RunReport, SkippedFile
from checker.reports import FORMATS
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, ROOT
from tests.test_golden_reports import render_options

CANDIDATES = FIXTURES / "reports"


def junit(report: RunReport) -> str:
    return FORMATS["junit"].render(report, render_options())


def checked(name: str) -> RunReport:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return check_paths([str((CANDIDATES / name).relative_to(ROOT))], CheckOptions(cfn_lint=False, today=CHECK_DATE))


def outcomes(text: str) -> list[tuple[str, str, str | None]]:
    """(test case name, failure/skipped/passed, message) for every case, read with junitparser."""
    seen = []
    for suite in JUnitXml.fromstring(text):
        for case in suite:
            result = case.result[0] if case.result else None
            kind = "failure" if isinstance(result, Failure) else "skipped" if isinstance(result, Skipped) else "passed"
            seen.append((case.name, kind, result.message if result is not None else None))
    return seen


def test_a_failing_answer_fails_exactly_its_failing_rules() -> None:
    text = junit(checked("model-response.yaml"))
    rules = load_catalogue()
    document = JUnitXml.fromstring(text)
    assert (document.name, document.tests, document.failures, document.errors, document.skipped) == (
        "cfn-compliance",
        len(rules),
        22,
        0,
        7,
    )
    (suite,) = list(document)
    assert (suite.name, suite.tests, suite.failures, suite.errors, suite.skipped) == (
        "tests/fixtures/reports/model-response.yaml",
        len(rules),
        22,
        0,
        7,
    )
    assert [name for name, _, _ in outcomes(text)] == [f"{rule.id} {rule.title}" for rule in rules]
    failing = [name.split()[0] for name, kind, _ in outcomes(text) if kind == "failure"]
    assert (
        failing
        == (
            "ARCH002 ARCH005 ARCH006 ARCH009 ARCH010 ARCH012 COST001 COST002 COST003 MON001 MON003 MON004 MON005 "
            "SEC001 SEC002 SEC005 SEC006 SEC010 REL001 REL002 REL004 REL006"
        ).split()
    )
    skipped = {name.split()[0]: message for name, kind, message in outcomes(text) if kind == "skipped"}
    assert skipped == {
        "TPL002": "not applicable: the cfn-lint pass was turned off (--no-cfn-lint)",
        "TPL004": "not applicable: the template suppresses no rule",
        "ARCH007": "not applicable: the template has no dead-letter queue for the order queue (no RedrivePolicy names one)",
        "COST004": "not applicable: the template has no AWS::Logs::LogGroup",
        "MON002": "not applicable: the template has no dead-letter queue for the order queue (no RedrivePolicy names one)",
        "SEC009": "not applicable: the template has no SQS queue policy",
        "REL003": "not applicable: the order queue has no redrive policy with a maxReceiveCount",
    }
    for case in suite:
        assert case.classname == "tests/fixtures/reports/model-response.yaml"


def test_a_failure_carries_every_finding_of_its_rule_with_its_place() -> None:
    root = ET.fromstring(junit(checked("model-response.yaml")))
    (case,) = [case for case in root.iter("testcase") if case.get("name", "").startswith("SEC001 ")]
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib == {
        "message": "2 findings; the first: ProcessorRole allows the wildcard action 'sqs:*'.",
        "type": "error",
    }
    assert (failure.text or "").splitlines() == [
        "tests/fixtures/reports/model-response.yaml:44:26: ProcessorRole allows the wildcard action 'sqs:*'.",
        "tests/fixtures/reports/model-response.yaml:44:35: ProcessorRole allows the wildcard action 'dynamodb:*'.",
        "Fix: List the exact actions the function needs (e.g. sqs:ReceiveMessage, dynamodb:PutItem) instead of wildcards.",
    ]
    warning = next(case for case in root.iter("testcase") if case.get("name", "").startswith("ARCH009 ")).find("failure")
    assert warning is not None and warning.get("type") == "warning"


def test_an_invalid_file_fails_tpl001_and_skips_the_rest_as_its_results_say() -> None:
    report = checked("broken.yaml")
    text = junit(report)
    rules = load_catalogue()
    reason = "YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 5, column 17)."
    assert outcomes(text) == [
        ("TPL001 The input is a CloudFormation template", "failure", reason),
        *[
            (f"{rule.id} {rule.title}", "skipped", "not applicable: the input holds no template to judge (TPL001)")
            for rule in rules[1:]
        ],
    ]
    root = ET.fromstring(text)
    assert {key: root.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": str(len(rules)),
        "failures": "1",
        "errors": "0",
        "skipped": str(len(rules) - 1),
    }
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and (failure.text or "").startswith(f"tests/fixtures/reports/broken.yaml:6:8: {reason}\n")


def _finding(rule_id: str, message: str, file: str, line: int = 3) -> Finding:
    return Finding(rule_id, "error", "security", "a title", message, "fix it", file, "Queue", "Resources/Queue", line, 5)


HOSTILE_PATH = "stacks/\x01a]]>\"'<&\udcff\x7f.yaml"  # control characters, a CDATA end, quotes, a byte not UTF-8
HOSTILE_MESSAGE = "value ]]> \"quoted\" 'single' <tag> & \x00\x1b[31m \ud800 \ufffe end"


def hostile_report() -> RunReport:
    file = FileReport(
        path=HOSTILE_PATH,
        status="non_compliant",
        findings=(_finding("SEC001", HOSTILE_MESSAGE, HOSTILE_PATH), _finding("SEC001", "second\x0b", HOSTILE_PATH, 9)),
        results=(
            RuleResult("SEC001", "fail"),
            RuleResult("SEC002", "unknown", "the value of \x08 ]]> depends on a parameter"),
            RuleResult("SEC003", "not_applicable", None),
            RuleResult("SEC004", "pass"),
        ),
    )
    return RunReport(files=(file,), skipped=(SkippedFile("other\x02.yml", "not CloudFormation"),))


def test_hostile_names_and_values_give_a_document_every_parser_reads() -> None:
    text = junit(hostile_report())
    text.encode("utf-8")  # no lone surrogate left: the CLI can write it as UTF-8
    root = ET.fromstring(text.encode("utf-8"))  # expat refuses any character XML 1.0 forbids
    shown_path = "stacks/\\x01a]]>\"'<&\\xff\x7f.yaml"  # DEL is allowed in XML 1.0, so it stays
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == shown_path
    cases = suite.findall("testcase")
    assert [case.get("classname") for case in cases] == [shown_path] * 4
    failure = cases[0].find("failure")
    shown_message = "value ]]> \"quoted\" 'single' <tag> & \\x00\\x1b[31m \\ud800 \\ufffe end"
    assert failure is not None and failure.get("message") == f"2 findings; the first: {shown_message}"
    assert (failure.text or "").splitlines() == [
        f"{shown_path}:3:5: {shown_message}",
        f"{shown_path}:9:5: second\\x0b",
        "Fix: fix it",
    ]
    assert outcomes(text) == [
        ("SEC001 " + next(rule.title for rule in load_catalogue() if rule.id == "SEC001"), "failure", failure.get("message")),
        (
            "SEC002 " + next(rule.title for rule in load_catalogue() if rule.id == "SEC002"),
            "skipped",
            "could not be judged: the value of \\x08 ]]> depends on a parameter",
        ),
        ("SEC003 " + next(rule.title for rule in load_catalogue() if rule.id == "SEC003"), "skipped", "not applicable"),
        ("SEC004 " + next(rule.title for rule in load_catalogue() if rule.id == "SEC004"), "passed", None),
    ]
    assert root.get("tests") == "4" and root.get("failures") == "1" and root.get("skipped") == "2"
    assert "other" not in text  # a skipped file was never a candidate: no suite


def test_a_crashed_check_fails_its_test_case_as_its_finding_is_counted() -> None:
    """A check that crashed is an unknown result with a finding naming the rule; CSV lists it in failed_rules and
    the exit code counts it, so JUnit fails it too rather than hide a finding among the skipped."""
    crash = "the SEC002 check crashed on this template (KeyError: 'x'); this is a bug in cfn-compliance"
    file = FileReport(
        "a.yaml", "non_compliant", (_finding("SEC002", crash, "a.yaml"),), (RuleResult("SEC002", "unknown", crash),)
    )
    assert [(kind, message) for _, kind, message in outcomes(junit(RunReport((file,))))] == [("failure", crash)]


def test_an_empty_run_is_an_empty_document() -> None:
    root = ET.fromstring(junit(RunReport(())))
    assert root.tag == "testsuites" and list(root) == [] and root.get("tests") == "0"


def test_a_finding_without_a_result_still_fails_a_test_case() -> None:
    file = FileReport("a.yaml", "non_compliant", (_finding("SEC005", "unrecorded", "a.yaml"),), (RuleResult("SEC004", "pass"),))
    assert [(name.split()[0], kind) for name, kind, _ in outcomes(junit(RunReport((file,))))] == [
        ("SEC004", "passed"),
        ("SEC005", "failure"),
    ]
