"""How a team's tools hand templates over: standard input (`check -`), comma lists of rules, --fail-on never,
and pre-commit's hook mode (--only-templates), which names every staged YAML and JSON file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.load import MAX_BYTES
from tests.conftest import REFERENCE, ROOT
from tests.test_cli import QUEUE_ONLY, write
from tests.test_cli_edges import run


def cli(cwd: Path, *argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """The CLI as a program, its standard input a real pipe; this checkout's `checker` imported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    completed = subprocess.run(
        [sys.executable, "-m", "checker.cli", *argv], cwd=cwd, input=stdin, capture_output=True, env=env, check=False, timeout=120
    )
    return subprocess.CompletedProcess(
        completed.args, completed.returncode, completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8")
    )


# --- standard input -------------------------------------------------------------------------------------------


def test_stdin_is_checked_like_a_file_named_stdin(tmp_path) -> None:
    result = cli(tmp_path, "check", "-", "--no-cfn-lint", "--format", "json", stdin=REFERENCE.read_bytes())
    assert result.returncode == 0, result.stderr
    file = json.loads(result.stdout)["files"][0]
    assert (file["path"], file["repo_path"], file["status"], file["findings"]) == ("<stdin>", "<stdin>", "compliant", [])


def test_stdin_name_is_the_reported_path_and_its_place_in_the_repository(tmp_path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root, as locations.py finds it
    (tmp_path / "infra").mkdir()
    result = cli(
        tmp_path / "infra",
        "check",
        "-",
        "--stdin-name",
        "stack.yaml",
        "--no-cfn-lint",
        "--format",
        "json",
        stdin=QUEUE_ONLY.encode(),
    )
    assert result.returncode == 1
    file = json.loads(result.stdout)["files"][0]
    assert (file["path"], file["repo_path"]) == ("stack.yaml", "infra/stack.yaml")
    assert [(finding["rule_id"], finding["line"]) for finding in file["findings"]][:1] == [("ARCH002", 1)]


def test_stdin_name_with_a_markdown_suffix_reads_an_answer(tmp_path) -> None:
    answer = "Here is the template:\n\n```yaml\n" + REFERENCE.read_text() + "```\n"
    result = cli(tmp_path, "check", "-", "--stdin-name", "answer.md", "--no-cfn-lint", stdin=answer.encode())
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("PASS answer.md — compliant")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The file is empty."),
        (b"Resources:\x00\n", "binary content: NUL byte at offset 10"),
        (b"A" * (MAX_BYTES + 1), "the file is larger than 5 MiB"),
    ],
    ids=["empty", "binary", "too-large"],
)
def test_bad_stdin_is_a_tpl001_verdict(tmp_path, raw, message) -> None:
    result = cli(tmp_path, "check", "-", "--no-cfn-lint", "--format", "json", stdin=raw)
    assert result.returncode == 2
    file = json.loads(result.stdout)["files"][0]
    assert (file["path"], file["status"]) == ("<stdin>", "invalid")
    [finding] = file["findings"]
    assert finding["rule_id"] == "TPL001"
    assert message.lower() in finding["message"].lower()


def test_a_file_named_dash_is_checked_as_dot_slash_dash(tmp_path) -> None:
    (tmp_path / "-").write_text(QUEUE_ONLY)
    result = cli(tmp_path, "check", "./-", "--no-cfn-lint", "--format", "json")
    assert [file["path"] for file in json.loads(result.stdout)["files"]] == ["./-"]
    assert result.returncode == 1


def test_stdin_beside_files(tmp_path) -> None:
    reference = write(tmp_path, "reference.yaml", REFERENCE.read_text())
    result = cli(tmp_path, "check", reference, "-", "--no-cfn-lint", "--format", "json", stdin=QUEUE_ONLY.encode())
    files = json.loads(result.stdout)["files"]
    assert [(file["path"], file["status"]) for file in files] == [("<stdin>", "non_compliant"), (reference, "compliant")]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "-", "-"], "`-` (standard input) can be named once"),
        (["check", "x.yaml", "--stdin-name", "a.yaml"], "--stdin-name names the template read from `-`"),
        (["check"], "name files or directories to check"),
        (["check", "-", "--changed-since", "HEAD"], "has no git history"),
        (["check", "x.yaml", "--include-markdown"], "use it with --changed-since"),
    ],
)
def test_inconsistent_inputs_are_usage_errors(capsys, argv, message) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


# --- comma lists of rules -------------------------------------------------------------------------------------


def test_rule_accepts_comma_lists_case_and_spaces(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--format", "json", "--rule", "sec005, arch001", "--rule", "MON004")
    assert [result["rule_id"] for result in json.loads(out)["files"][0]["results"]] == ["ARCH001", "MON004", "SEC005"]


def test_skip_rule_accepts_comma_lists(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--format", "json", "--skip-rule", "SEC005,ARCH002,")
    ids = [result["rule_id"] for result in json.loads(out)["files"][0]["results"]]
    assert "SEC005" not in ids and "ARCH002" not in ids and "ARCH001" in ids


def test_an_unknown_id_in_a_comma_list_is_a_usage_error(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "check", "x.yaml", "--rule", "SEC005,NOPE001")
    assert code == 2
    assert "unknown rule id(s): NOPE001" in err
    code, _, err = run(capsys, "check", "x.yaml", "--rule", " , ")
    assert code == 2
    assert "expects rule ids" in err


# --- --fail-on never ------------------------------------------------------------------------------------------


def test_fail_on_never_reports_fail_honestly_and_exits_0(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never", "--fail-on", "never", "--rule", "SEC005")
    assert code == 0
    assert out.splitlines()[0] == f"FAIL {path} — non-compliant: 1 error, 0 warnings"
    assert out.splitlines()[-1] == "1 file: 0 compliant, 1 non-compliant, 0 invalid; 1 error, 0 warnings"
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--fail-on", "never", "--rule", "SEC005", "--format", "json")
    assert (code, json.loads(out)["files"][0]["status"]) == (0, "non_compliant")


def test_fail_on_never_still_exits_2_on_an_invalid_file(capsys, tmp_path) -> None:
    path = write(tmp_path, "broken.yaml", "Resources: [\n")
    assert run(capsys, "check", path, "--no-cfn-lint", "--fail-on", "never")[0] == 2


# --- hook mode: --only-templates ------------------------------------------------------------------------------

NOT_CLOUDFORMATION = {
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
    "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Service\n",
    "docker-compose.yml": "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n",
    "package.json": '{"name": "orders", "version": "1.0.0", "scripts": {"test": "jest"}}\n',
    ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks: []\n",
    "tsconfig.json": '{\n  // comments are fine in tsconfig\n  "compilerOptions": {"strict": true,},\n}\n',
    "broken-workflow.yml": "jobs:\n  test: [\n",
}


def _hook_files(tmp_path: Path) -> list[str]:
    names = []
    for name, text in NOT_CLOUDFORMATION.items():
        names.append(write(tmp_path, name, text))
    return names


def test_only_templates_skips_what_is_plainly_not_cloudformation(capsys, tmp_path) -> None:
    others = _hook_files(tmp_path)
    template = write(tmp_path, "stack.yaml", REFERENCE.read_text())
    code, out, err = run(capsys, "check", "--only-templates", "--no-cfn-lint", "--format", "json", *others, template)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert [(file["path"], file["status"]) for file in document["files"]] == [(template, "compliant")]
    assert sorted(item["path"] for item in document["skipped"]) == sorted(others)


def test_only_templates_with_no_template_at_all_passes_quietly(capsys, tmp_path) -> None:
    code, out, err = run(capsys, "check", "--only-templates", "--no-cfn-lint", *_hook_files(tmp_path))
    assert (code, err) == (0, "")
    assert (
        out.splitlines()[-1]
        == f"0 files: 0 compliant, 0 non-compliant, 0 invalid; 0 errors, 0 warnings; {len(NOT_CLOUDFORMATION)} skipped"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: [AWS::SQS::Queue\n", 5),
        ("Outputs:\n  Arn:\n    Value: !GetAtt Queue.Arn\n  Url: {\n", 5),
    ],
    ids=["format-version", "short-tags"],
)
def test_only_templates_still_fails_a_broken_template(capsys, tmp_path, text, line) -> None:
    path = write(tmp_path, "broken.yaml", text)
    code, out, _ = run(capsys, "check", "--only-templates", "--no-cfn-lint", "--format", "json", path)
    assert code == 2
    [finding] = json.loads(out)["files"][0]["findings"]
    assert (finding["rule_id"], finding["line"]) == ("TPL001", line)
    assert finding["message"].startswith("YAML syntax error")


def test_without_only_templates_a_named_file_always_gets_a_verdict(capsys, tmp_path) -> None:
    path = write(tmp_path, "docker-compose.yml", NOT_CLOUDFORMATION["docker-compose.yml"])
    code, out, _ = run(capsys, "check", "--no-cfn-lint", "--format", "json", path)
    assert code == 2
    assert json.loads(out)["files"][0]["findings"][0]["rule_id"] == "TPL001"


def test_only_templates_fails_a_non_compliant_template(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    compose = write(tmp_path, "docker-compose.yml", NOT_CLOUDFORMATION["docker-compose.yml"])
    code, out, _ = run(capsys, "check", "--only-templates", "--no-cfn-lint", "--color", "never", compose, path)
    assert code == 1
    assert out.splitlines()[0].startswith(f"FAIL {path} — non-compliant")
