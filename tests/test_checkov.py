"""checkov as a second engine (--with-checkov): the real checkov, run in-process and offline, its failures placed
on our marks, the checks that contradict the architecture left out with the reason, and never imported unless asked."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.checkov import CHECKOV_ENVIRONMENT, LEFT_OUT, checkov_findings
from checker.evaluation.judge import check_template
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, RunReport
from checker.load import load_file
from checker.model.resolve import resolve
from checker.reports import FORMATS, RenderOptions
from checker.vocabulary import FINDING_CATEGORIES
from tests.conftest import CHECK_DATE, FIXTURES, REFERENCE, ROOT
from tests.test_sarif import validate as validate_sarif

REPORT_SCHEMA = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text(encoding="utf-8"))
OPTIONS = CheckOptions(cfn_lint=False, with_checkov=True, today=CHECK_DATE, compare_reference=False)

TWO_FUNCTIONS = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Orders:
        Type: AWS::SQS::Queue
        Properties:
          SqsManagedSseEnabled: true
      Triggered:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: nodejs22.x
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/r
          Code: {ZipFile: "exports.handler = async () => ({});"}
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          EventSourceArn: !GetAtt Orders.Arn
          FunctionName: !Ref Triggered
      Nightly:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: nodejs22.x
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/r
          Code: {ZipFile: "exports.handler = async () => ({});"}
    """
)


def checkov_part(report: FileReport) -> list[tuple[str, str | None, str, int, int]]:
    return [
        (finding.rule_id, finding.resource, finding.path, finding.line, finding.column)
        for finding in report.findings
        if finding.category == "checkov"
    ]


def test_failures_are_warnings_placed_on_the_key_the_user_wrote() -> None:
    report = check_template(load_file(REFERENCE), OPTIONS)
    assert checkov_part(report) == [
        ("CKV_AWS_158", "OrderProcessorLogGroup", "Resources/OrderProcessorLogGroup/Properties/KmsKeyId", 56, 5),
        ("CKV_AWS_117", "OrderProcessor", "Resources/OrderProcessor/Properties/VpcConfig", 61, 5),
        ("CKV_AWS_115", "OrderProcessor", "Resources/OrderProcessor/Properties/ReservedConcurrentExecutions", 61, 5),
        ("CKV_AWS_173", "OrderProcessor", "Resources/OrderProcessor/Properties/KmsKeyArn", 61, 5),
        ("CKV_AWS_119", "OrderStatusTable", "Resources/OrderStatusTable/Properties/SSESpecification/SSEEnabled", 214, 9),
    ]
    first = next(finding for finding in report.findings if finding.category == "checkov")
    assert (first.severity, first.title) == ("warning", "Ensure that CloudWatch Log Group is encrypted by KMS")
    assert first.message == (
        "checkov's CKV_AWS_158 fails on OrderProcessorLogGroup: Ensure that CloudWatch Log Group is encrypted by KMS."
    )
    assert report.status == "non_compliant"  # warnings fail the file under the default --fail-on warning
    # Our own rules still pass on the reference: checkov's findings are added, never mixed into our results.
    assert {result.rule_id for result in report.results} == {rule.id for rule in load_catalogue()}
    assert all(finding.category == "checkov" for finding in report.findings)


def test_the_checks_that_contradict_the_architecture_are_left_out_once_with_the_reason() -> None:
    report = check_template(load_file(REFERENCE), OPTIONS)
    assert report.notes == (
        "checkov's CKV_AWS_27 (SQS encryption) was left out: it asks for KmsMasterKeyId and ignores SqsManagedSseEnabled, "
        "the SSE-SQS encryption this architecture uses; SEC005 judges queue encryption",
        "checkov's CKV_AWS_116 (Lambda DLQ) was left out on functions an SQS queue triggers (OrderProcessor): a function's "
        "DeadLetterConfig catches only asynchronous invocations, so failed messages belong in the queue's redrive "
        "dead-letter queue, which ARCH006 judges",
    )
    assert set(LEFT_OUT) == {"CKV_AWS_27", "CKV_AWS_116"}


def test_the_lambda_dlq_check_is_left_out_only_on_functions_a_queue_triggers(tmp_path: Path) -> None:
    path = tmp_path / "two-functions.yaml"
    path.write_text(TWO_FUNCTIONS, encoding="utf-8")
    report = check_template(load_file(path), OPTIONS)
    dlq = [(rule_id, resource, line) for rule_id, resource, _, line, _ in checkov_part(report) if rule_id == "CKV_AWS_116"]
    assert dlq == [("CKV_AWS_116", "Nightly", 21)]
    assert any("(Triggered)" in note for note in report.notes)


def test_a_markdown_answer_is_checked_in_its_template_block_with_the_answer_s_lines() -> None:
    report = check_template(load_file(FIXTURES / "answers" / "markdown-json-block.md"), OPTIONS)
    assert checkov_part(report) == [
        ("CKV_AWS_119", "OrderTable", "Resources/OrderTable/Properties/SSESpecification/SSEEnabled", 55, 11),
        ("CKV_AWS_158", "OrderProcessorLogGroup", "Resources/OrderProcessorLogGroup/Properties/KmsKeyId", 65, 7),
        # No event source mapping triggers this function, so checkov's DLQ check stands.
        ("CKV_AWS_116", "OrderProcessor", "Resources/OrderProcessor/Properties/DeadLetterConfig/TargetArn", 139, 7),
        ("CKV_AWS_117", "OrderProcessor", "Resources/OrderProcessor/Properties/VpcConfig", 139, 7),
        ("CKV_AWS_115", "OrderProcessor", "Resources/OrderProcessor/Properties/ReservedConcurrentExecutions", 139, 7),
        ("CKV_AWS_173", "OrderProcessor", "Resources/OrderProcessor/Properties/KmsKeyArn", 139, 7),
    ]


def test_sam_is_checked_as_written() -> None:
    """checkov reads AWS::Serverless::Function itself; the findings name the function the user wrote."""
    report = check_template(load_file(FIXTURES / "sam" / "compliant.yaml"), OPTIONS)
    assert [(rule_id, resource, line) for rule_id, resource, _, line, _ in checkov_part(report)] == [
        ("CKV_AWS_158", "OrderProcessorLogGroup", 63),
        ("CKV_AWS_117", "OrderProcessor", 71),
        ("CKV_AWS_115", "OrderProcessor", 71),
        ("CKV_AWS_173", "OrderProcessor", 71),
        ("CKV_AWS_119", "OrderStatusTable", 188),
    ]
    assert any("CKV_AWS_116" in note and "(OrderProcessor)" in note for note in report.notes)  # its SQS event


def test_the_environment_and_logging_are_put_back_after_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BC_SKIP_MAPPING", "mine")
    monkeypatch.delenv("CKV_SKIP_PACKAGE_UPDATE_CHECK", raising=False)
    root = logging.getLogger()
    before = (list(root.handlers), root.level, logging.root.manager.disable)
    template = load_file(REFERENCE)
    findings, _ = checkov_findings(template, resolve(template))
    assert findings
    assert os.environ["BC_SKIP_MAPPING"] == "mine"
    assert "CKV_SKIP_PACKAGE_UPDATE_CHECK" not in os.environ
    assert (list(root.handlers), root.level, logging.root.manager.disable) == before
    assert set(CHECKOV_ENVIRONMENT) >= {"BC_SKIP_MAPPING", "CKV_SKIP_PACKAGE_UPDATE_CHECK", "CHECKOV_PARALLELIZATION_TYPE"}


def test_what_checkov_prints_stays_out_of_the_report(capsys: pytest.CaptureFixture) -> None:
    """cloudsplaining, behind checkov's IAM checks, prints its errors on an !If action; stdout must stay one JSON document."""
    path = FIXTURES / "rules" / "SEC001" / "fail" / "wildcard-action-chosen-by-condition.yaml"
    code = main(["check", str(path), "--no-cfn-lint", "--with-checkov", "--format", "json"])
    out, err = capsys.readouterr()
    document = json.loads(out)
    jsonschema.validate(document, REPORT_SCHEMA)
    assert code == 1 and "unhashable" not in out + err


def test_every_format_renders_checkov_findings_and_stays_valid() -> None:
    report = RunReport(files=(check_template(load_file(REFERENCE), OPTIONS),))
    options = RenderOptions("0.0.0-test", rules=load_catalogue())
    for name, chosen in FORMATS.items():
        assert chosen.render(report, options), name
    document = json.loads(FORMATS["json"].render(report, options))
    jsonschema.validate(document, REPORT_SCHEMA)
    assert {finding["category"] for finding in document["files"][0]["findings"]} == {"checkov"}
    assert "checkov" in FINDING_CATEGORIES
    run = validate_sarif(FORMATS["sarif"].render(report, options))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(rules) == len(load_catalogue()) + 5  # the catalogue, then one descriptor per CKV id seen
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert rules[-1]["id"] == "CKV_AWS_119" and rules[-1]["properties"]["tags"] == ["checkov"]


def test_without_checkov_installed_the_flag_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "checkov", None)  # what importlib finds when the package is absent
    with pytest.raises(SystemExit) as stop:
        main(["check", str(REFERENCE), "--with-checkov"])
    assert stop.value.code == 2
    assert "--with-checkov needs checkov: pip install 'cfn-compliance[checkov]'" in capsys.readouterr().err


LAZY = """
import sys
from checker.cli import main
code = main(["check", {path!r}, "--no-cfn-lint", "--format", "json"{extra}])
print("IMPORTED" if any(name == "checkov" or name.startswith("checkov.") for name in sys.modules) else "NOT IMPORTED")
"""


@pytest.mark.parametrize(("extra", "expected"), [("", "NOT IMPORTED"), (', "--with-checkov"', "IMPORTED")])
def test_checkov_is_imported_only_when_asked_for(extra: str, expected: str) -> None:
    script = LAZY.format(path=str(REFERENCE), extra=extra)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.stdout.strip().splitlines()[-1] == expected, run.stderr


OFFLINE = """
import json, socket, sys
attempts = []

def refuse(*args, **kwargs):
    attempts.append(repr(args[1:] or args)[:200])
    raise OSError("network use is refused in this test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from checker.cli import main
import io, contextlib
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["check", {path!r}, "--no-cfn-lint", "--with-checkov", "--format", "json"])
ids = [f["rule_id"] for f in json.loads(out.getvalue())["files"][0]["findings"]]
print(json.dumps({{"code": code, "ids": ids, "attempts": attempts}}))
"""


def test_checkov_runs_offline() -> None:
    """A fresh process in which every socket connection and name lookup raises: checkov's import and its run must
    not try one (an attempt is recorded even if checkov swallows the error), and its findings still arrive."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("BC_", "CKV_", "CHECKOV_"))}
    environment["BC_API_KEY"] = "not-a-real-key"  # a key in the user's environment must not make it call home either
    run = subprocess.run(
        [sys.executable, "-c", OFFLINE.format(path=str(REFERENCE))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome == {
        "code": 1,
        "ids": ["CKV_AWS_158", "CKV_AWS_117", "CKV_AWS_115", "CKV_AWS_173", "CKV_AWS_119"],
        "attempts": [],
    }, run.stderr


def test_the_report_is_the_same_whatever_the_number_of_processes(capsys: pytest.CaptureFixture) -> None:
    """In a --jobs worker (a daemon process) checkov may not fork its own workers; it runs its checks in line."""
    paths = [str(REFERENCE), str(FIXTURES / "answers" / "markdown-json-block.md")]
    reports = []
    for jobs in ("1", "2"):
        main(["check", *paths, "--no-cfn-lint", "--with-checkov", "--format", "json", "--jobs", jobs])
        reports.append(capsys.readouterr().out)
    assert reports[0] == reports[1]
    files = json.loads(reports[1])["files"]
    assert [sum(finding["category"] == "checkov" for finding in file["findings"]) for file in files] == [5, 6]
    assert not [note for file in files for note in file["notes"] if "could not" in note]
