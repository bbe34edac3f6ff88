"""The command line as users and CI scripts see it: output, exit codes, the JSON contract."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.evaluation.catalogue import load_catalogue
from tests.conftest import REFERENCE, ROOT

SCHEMA = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text())

QUEUE_ONLY = """\
Resources:
  Orders:
    Type: AWS::SQS::Queue
"""


FUNCTION_WITH_MEMORY_FROM_PARAMETER = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      MemorySize: !Ref Memory
      Code:
        ZipFile: exports.handler = async () => ({});
"""


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_reference_is_compliant(capsys) -> None:
    code, out, _ = run(capsys, "check", str(REFERENCE), "--no-cfn-lint", "--color", "never")
    assert code == 0
    # TPL002 (the cfn-lint pass is off) and SEC009 (the reference has no queue policy) judge nothing, and the line says so
    assert out.splitlines()[0] == f"PASS {REFERENCE} — compliant (3 rules not applicable)"
    assert out.splitlines()[-1] == "1 file: 1 compliant, 0 non-compliant, 0 invalid; 0 errors, 0 warnings"


def test_findings_exit_1_and_json_matches_schema(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--format", "json")
    assert code == 1
    document = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    file = document["files"][0]
    assert file["status"] == "non_compliant"
    sec005 = next(finding for finding in file["findings"] if finding["rule_id"] == "SEC005")
    assert sec005 == {
        "rule_id": "SEC005",
        "severity": "error",
        "category": "security",
        "title": "SQS queues are encrypted at rest",
        "message": "The queue Orders does not enable encryption at rest explicitly (SqsManagedSseEnabled not set, no KmsMasterKeyId).",
        "resource": "Orders",
        "path": "Resources/Orders/Properties/SqsManagedSseEnabled",
        "line": 2,
        "column": 3,
        "remediation": "Set SqsManagedSseEnabled: true (or KmsMasterKeyId for a customer managed key) on every queue.",
        # outside any git folder (pytest's tmp_path), the file's place is its absolute path
        "fingerprint": hashlib.sha256(
            f"SEC005\0{path}\0Orders\0Resources/Orders/Properties/SqsManagedSseEnabled\0{1}".encode()
        ).hexdigest()[:32],
        "suppressed": None,
    }
    statuses = {result["rule_id"]: result["status"] for result in file["results"]}
    assert statuses["ARCH001"] == "pass" and statuses["MON002"] == "not_applicable" and statuses["ARCH006"] == "fail"
    assert list(statuses) == [rule.id for rule in load_catalogue()]


def test_invalid_input_exits_2_but_other_files_are_still_checked(capsys, tmp_path) -> None:
    broken = write(tmp_path, "broken.yaml", "Resources: [\n")
    good = str(REFERENCE)
    code, out, _ = run(capsys, "check", broken, good, "--no-cfn-lint", "--format", "json")
    assert code == 2
    files = json.loads(out)["files"]
    assert [file["status"] for file in files] == ["invalid", "compliant"]
    assert files[0]["findings"][0]["rule_id"] == "TPL001"
    assert (files[0]["findings"][0]["line"], files[0]["findings"][0]["column"]) == (2, 1)


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("warning", 1), ("error", 0), ("never", 0)],
)
def test_fail_on_threshold(capsys, tmp_path, fail_on, expected) -> None:
    # Only a warning: the DLQ's retention equals the order queue's (ARCH007).
    text = REFERENCE.read_text().replace("MessageRetentionPeriod: 1209600", "MessageRetentionPeriod: 345600")
    path = write(tmp_path, "warning-only.yaml", text)
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--fail-on", fail_on, "--format", "json")
    findings = json.loads(out)["files"][0]["findings"]
    assert [(finding["rule_id"], finding["severity"]) for finding in findings] == [("ARCH007", "warning")]
    assert code == expected


def test_parameter_override_changes_the_verdict(capsys, tmp_path) -> None:
    text = (
        REFERENCE.read_text()
        .replace("Parameters:\n", "Parameters:\n  Memory:\n    Type: Number\n    Default: 256\n", 1)
        .replace("MemorySize: 256", "MemorySize: !Ref Memory")
    )
    path = write(tmp_path, "memory.yaml", text)
    assert run(capsys, "check", path, "--no-cfn-lint")[0] == 0
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--parameter", "Memory=1024", "--format", "json")
    assert code == 1
    assert [finding["rule_id"] for finding in json.loads(out)["files"][0]["findings"]] == ["COST002"]


def test_rule_selection(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--format", "json", "--rule", "sec005", "--rule", "ARCH001")
    assert [result["rule_id"] for result in json.loads(out)["files"][0]["results"]] == ["ARCH001", "SEC005"]
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--format", "json", "--skip-rule", "SEC005")
    assert "SEC005" not in [result["rule_id"] for result in json.loads(out)["files"][0]["results"]]


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "x.yaml", "--rule", "NOPE001"],
        ["check", "x.yaml", "--parameter", "novalue"],
        ["check", "x.yaml", "--fail-on", "sometimes"],
        ["explain", "XYZ999"],
        ["frobnicate"],
    ],
)
def test_command_line_errors_exit_2(capsys, argv) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert "error" in capsys.readouterr().err


def test_directory_search_skips_what_is_not_cloudformation(capsys, tmp_path) -> None:
    shutil.copy(REFERENCE, tmp_path / "stack.yaml")
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    write(tmp_path, "k8s/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")
    write(tmp_path, "node_modules/pkg/template.yaml", QUEUE_ONLY)
    write(tmp_path, "notes.txt", "not even looked at")
    code, out, _ = run(capsys, "check", str(tmp_path), "--no-cfn-lint", "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert [file["path"] for file in document["files"]] == [str(tmp_path / "stack.yaml")]
    assert document["skipped"] == [
        {
            "path": str(tmp_path / ".github/workflows/ci.yml"),
            "reason": "a GitHub Actions workflow, not a CloudFormation template",
        },
        {"path": str(tmp_path / "k8s/pod.yaml"), "reason": "a Kubernetes manifest, not a CloudFormation template"},
        {
            "path": str(tmp_path / "node_modules"),
            "reason": "installed npm packages: not searched (name the directory to search it)",
        },
    ]


def test_named_non_template_gets_a_verdict(capsys, tmp_path) -> None:
    path = write(tmp_path, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never")
    assert code == 2
    assert "This looks like a Kubernetes manifest, not a CloudFormation template: it has no Resources section." in out


def test_text_output_has_no_colour_unless_asked(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    _, plain, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never")
    _, coloured, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "always")
    assert "\x1b[" not in plain and "\x1b[" in coloured
    assert f"  ERROR SEC005 [Orders] {path}:2:3" in plain


def test_rules_listing(capsys) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and [rule["id"] for rule in rules] == [rule.id for rule in load_catalogue()]
    assert rules[0] == {
        "id": "TPL001",
        "title": "The input is a CloudFormation template",
        "category": "template",
        "severity": "error",
        "rationale": rules[0]["rationale"],
        "remediation": rules[0]["remediation"],
        "reference_component": "template",
        "engine": "loader",
        "parameters": {},
        "equivalents": {"cfn_lint": ["E0000", "E1001"], "checkov": [], "guard_registry": []},
    }
    _, text, _ = run(capsys, "rules")
    assert "SEC002  error    security      IAM policies scope resource-level actions to specific resources" in text


def test_explain_shows_the_reference_snippet(capsys) -> None:
    code, out, _ = run(capsys, "explain", "sec002")
    assert code == 0
    assert out.startswith("SEC002 (error, security): IAM policies scope resource-level actions to specific resources")
    assert "How the reference does it (role):\n  OrderProcessorRole:\n    Type: AWS::IAM::Role\n" in out
    assert "!GetAtt OrderStatusTable.Arn" in out


def test_findings_can_show_the_reference_snippet(capsys, tmp_path) -> None:
    text = REFERENCE.read_text().replace("MemorySize: 256", "MemorySize: 1024")
    path = write(tmp_path, "big.yaml", text)
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never", "--show-reference")
    assert code == 1
    assert (
        "    fix: Lower MemorySize to 512 MB or less (the reference uses 256 MB).\n"
        "    the reference does it so:\n"
        "      OrderProcessor:\n"
        "        Type: AWS::Lambda::Function\n"
        "        Properties:\n"
        "          MemorySize: 256\n"
    ) in out


def test_an_override_for_an_undeclared_parameter_is_noted(capsys) -> None:
    code, out, _ = run(capsys, "check", str(REFERENCE), "--no-cfn-lint", "--parameter", "Memroy=1024", "--format", "json")
    assert code == 0
    assert json.loads(out)["files"][0]["notes"] == ["--parameter Memroy is not a parameter of this template and was ignored"]


def test_an_override_outside_allowed_values_is_noted(capsys, tmp_path) -> None:
    text = REFERENCE.read_text().replace(
        "Parameters:\n", "Parameters:\n  Stage:\n    Type: String\n    Default: dev\n    AllowedValues: [dev, prod]\n", 1
    )
    path = write(tmp_path, "stages.yaml", text)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--parameter", "Stage=Prod", "--format", "json")
    assert json.loads(out)["files"][0]["notes"] == [
        "--parameter Stage=Prod is not one of its AllowedValues (dev, prod): CloudFormation would refuse it"
    ]


def test_explain_keeps_the_resource_attributes_a_rule_reads(capsys) -> None:
    _, out, _ = run(capsys, "explain", "REL004")
    assert out.endswith(
        "  OrderStatusTable:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "    DeletionPolicy: Retain\n"
        "    UpdateReplacePolicy: Retain\n"
        "    Properties:\n"
        "      DeletionProtectionEnabled: true\n"
    )


def test_fail_on_unknown_fails_what_could_not_be_judged(capsys, tmp_path) -> None:
    path = write(tmp_path, "memory.yaml", "Parameters:\n  Memory:\n    Type: Number\n" + FUNCTION_WITH_MEMORY_FROM_PARAMETER)
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never", "--rule", "COST002")
    assert (code, out.splitlines()[0]) == (0, f"PASS {path} — compliant (1 rule could not be judged)")
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never", "--rule", "COST002", "--fail-on-unknown")
    assert (code, out.splitlines()[0]) == (1, f"FAIL {path} — non-compliant (1 rule could not be judged)")
    code, out, _ = run(
        capsys, "check", path, "--no-cfn-lint", "--rule", "COST002", "--fail-on-unknown", "--parameter", "Memory=256"
    )
    assert code == 0
