"""Suppressions written in the template: what they cover, what they leave open, the exit code, and TPL004's audit.

Every case runs the real checker on a real template; the findings are read from the run's model (the reports'
rendering of suppressed findings is tested per format in the report tests)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.evaluation.options import CheckOptions
from checker.findings import Suppression
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE

FUNCTION = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Resizer:
    Type: AWS::Lambda::Function
    Metadata:
      cfn-compliance:
        suppress:
          - rule: COST002
            reason: "image processing needs 3 GB; approved by the platform team"
{expires}    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      MemorySize: 3008
      Role: !GetAtt ResizerRole.Arn
      Code:
        ZipFile: "exports.handler = async () => {{}}"
  ResizerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{ Service: lambda.amazonaws.com }}
            Action: sts:AssumeRole
"""
RULES = frozenset({"COST002", "TPL004"})


def _write(tmp_path: Path, text: str, name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(path: Path, **options: Any):
    chosen = CheckOptions(cfn_lint=False, only_rules=RULES, today=CHECK_DATE, compare_reference=False)
    return check_paths([str(path)], dataclasses.replace(chosen, **options)).files[0]


def test_a_suppression_with_a_reason_marks_its_finding_and_the_file_passes(tmp_path: Path) -> None:
    path = _write(tmp_path, FUNCTION.format(expires="            expires: 2027-06-30\n"))
    file = _run(path)
    [finding] = file.findings
    assert (finding.rule_id, finding.resource, finding.path, finding.line) == (
        "COST002",
        "Resizer",
        "Resources/Resizer/Properties/MemorySize",
        14,
    )
    assert finding.suppression == Suppression(
        "inline", "image processing needs 3 GB; approved by the platform team", "2027-06-30"
    )
    assert file.open_findings == ()
    assert file.status == "compliant"
    assert {result.rule_id: result.status for result in file.results} == {"COST002": "fail", "TPL004": "pass"}


def test_the_exit_code_ignores_suppressed_findings_unless_suppressions_are_off(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, FUNCTION.format(expires=""))
    assert main(["check", str(path), "--no-cfn-lint", "--rule", "COST002,TPL004"]) == 0
    assert main(["check", str(path), "--no-cfn-lint", "--rule", "COST002,TPL004", "--no-suppressions"]) == 1
    capsys.readouterr()


def test_no_suppressions_leaves_every_finding_open_and_still_audits(tmp_path: Path) -> None:
    path = _write(tmp_path, FUNCTION.format(expires=""))
    file = _run(path, suppressions=False)
    assert [(finding.rule_id, finding.suppression) for finding in file.findings] == [("COST002", None)]
    assert file.status == "non_compliant"


def test_an_expired_suppression_stops_suppressing_and_the_finding_says_so(tmp_path: Path) -> None:
    path = _write(tmp_path, FUNCTION.format(expires="            expires: 2026-11-27\n"))  # the day before CHECK_DATE
    file = _run(path)
    [finding] = file.findings
    assert finding.suppression is None
    assert finding.message == (
        "The function Resizer has MemorySize 3008 MB, above 512 MB. (Its suppression expired on 2026-11-27: "
        "image processing needs 3 GB; approved by the platform team)"
    )
    assert file.status == "non_compliant"
    assert [result.status for result in file.results if result.rule_id == "TPL004"] == ["pass"]  # it matched: not stale


def test_a_suppression_lasts_through_its_expiry_day(tmp_path: Path) -> None:
    path = _write(tmp_path, FUNCTION.format(expires=f"            expires: {CHECK_DATE.isoformat()}\n"))
    assert _run(path).status == "compliant"


def test_a_template_wide_suppression_covers_every_resource_and_the_template_itself(tmp_path: Path) -> None:
    text = """\
Metadata:
  cfn-compliance:
    suppress:
      - rule: ARCH001
        reason: "the queue is in the shared messaging stack"
      - rule: COST002
        reason: "every function here transcodes video"
Resources:
  One:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, MemorySize: 2048, Role: !GetAtt R.Arn, Code: {ZipFile: x}}
  Two:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, MemorySize: 4096, Role: !GetAtt R.Arn, Code: {ZipFile: x}}
  R:
    Type: AWS::IAM::Role
    Properties: {AssumeRolePolicyDocument: {}}
"""
    file = _run(_write(tmp_path, text), only_rules=frozenset({"ARCH001", "COST002", "TPL004"}))
    assert [(finding.rule_id, finding.resource, finding.suppression is not None) for finding in file.findings] == [
        ("ARCH001", None, True),
        ("COST002", "One", True),
        ("COST002", "Two", True),
    ]
    assert file.status == "compliant"


def test_a_suppression_on_one_resource_leaves_the_others_open(tmp_path: Path) -> None:
    text = FUNCTION.format(expires="") + FUNCTION.format(expires="").split("Resources:\n", 1)[1].replace("Resizer", "Other")
    file = _run(_write(tmp_path, text))
    assert [(finding.resource, finding.suppression is not None) for finding in file.findings] == [
        ("Resizer", True),
        ("Other", True),
    ]
    other_suppressed = text.replace(
        "  Other:\n    Type: AWS::Lambda::Function\n    Metadata:\n      cfn-compliance:\n        suppress:\n"
        '          - rule: COST002\n            reason: "image processing needs 3 GB; approved by the platform team"\n',
        "  Other:\n    Type: AWS::Lambda::Function\n",
    )
    file = _run(_write(tmp_path, other_suppressed))
    assert [(finding.resource, finding.suppression is not None) for finding in file.findings] == [
        ("Resizer", True),
        ("Other", False),
    ]
    assert file.status == "non_compliant"


def test_a_suppression_of_a_rule_that_did_not_run_is_not_called_stale(tmp_path: Path) -> None:
    path = _write(tmp_path, FUNCTION.format(expires=""))
    file = _run(path, only_rules=frozenset({"TPL004"}))
    assert (file.findings, file.results[0].status) == ((), "pass")


def test_a_checkov_id_may_be_suppressed_and_is_judged_only_when_checkov_ran(tmp_path: Path) -> None:
    text = FUNCTION.format(expires="").replace(
        "          - rule: COST002\n",
        '          - rule: CKV_AWS_115\n            reason: "concurrency is limited account-wide"\n          - rule: COST002\n',
    )
    file = _run(_write(tmp_path, text))
    assert [result.status for result in file.results if result.rule_id == "TPL004"] == ["pass"]


def test_a_suppression_in_a_markdown_answer_is_found_on_the_answers_lines(tmp_path: Path) -> None:
    template = FUNCTION.format(expires="").replace(
        'reason: "image processing needs 3 GB; approved by the platform team"', "reason: no"
    )
    answer = "# My answer\n\nHere is the template:\n\n```yaml\n" + template + "```\n"
    file = _run(_write(tmp_path, answer, "answer.md"))
    [audit] = [finding for finding in file.findings if finding.rule_id == "TPL004"]
    assert (audit.path, audit.line, audit.column) == ("Resources/Resizer/Metadata/cfn-compliance/suppress/0/reason", 14, 13)
    assert [finding.suppression for finding in file.findings if finding.rule_id == "COST002"] == [None]  # not honoured


def test_a_bad_suppression_fails_the_run_as_an_error(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, FUNCTION.format(expires="            expires: someday\n"))
    assert main(["check", str(path), "--no-cfn-lint", "--rule", "COST002,TPL004", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(finding["rule_id"], finding["severity"], finding["line"]) for finding in report["files"][0]["findings"]] == [
        ("COST002", "error", 14),
        ("TPL004", "error", 10),
    ]


@pytest.mark.parametrize("engine_id", ["TPL004", "tpl004"])
def test_the_audit_itself_cannot_be_suppressed(tmp_path: Path, engine_id: str) -> None:
    text = FUNCTION.format(expires="").replace("- rule: COST002", f"- rule: {engine_id}")
    file = _run(_write(tmp_path, text))
    assert [(finding.rule_id, finding.message) for finding in file.findings if finding.rule_id == "TPL004"] == [
        ("TPL004", "TPL004 audits the suppressions and cannot be suppressed itself.")
    ]


def test_an_inline_suppression_reaches_the_reports_end_to_end(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, FUNCTION.format(expires="            expires: 2099-06-30\n"))
    assert main(["check", str(path), "--no-cfn-lint", "--rule", "COST002,TPL004", "--format", "json"]) == 0
    [finding] = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert finding["suppressed"] == {
        "kind": "inline",
        "reason": "image processing needs 3 GB; approved by the platform team",
        "expires": "2099-06-30",
    }
    assert main(["check", str(path), "--no-cfn-lint", "--rule", "COST002,TPL004", "--color", "never"]) == 0
    suppressed = [line for line in capsys.readouterr().out.splitlines() if line.lstrip().startswith("suppressed ")]
    assert suppressed == [
        "  suppressed COST002 at Resources/Resizer/Properties/MemorySize (line 14): "
        "image processing needs 3 GB; approved by the platform team [inline, expires 2099-06-30]"
    ]


def test_a_tpl002_suppression_is_not_stale_when_the_cfn_lint_pass_is_off(tmp_path: Path, capsys) -> None:
    """TPL002 is not applicable with --no-cfn-lint because it did not run, not because nothing was found."""
    text = FUNCTION.format(expires="").replace("- rule: COST002", "- rule: TPL002")
    path = _write(tmp_path, text)
    file = _run(path, only_rules=frozenset({"TPL002", "TPL004"}))
    assert (file.findings, [result.status for result in file.results if result.rule_id == "TPL004"]) == ((), ["pass"])
    assert main(["check", str(path), "--no-cfn-lint", "--rule", "TPL002,TPL004"]) == 0
    capsys.readouterr()
