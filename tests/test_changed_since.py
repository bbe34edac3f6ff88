"""--changed-since REF with real git: only the templates a change touches are checked, and only the findings it
brings fail the run; the ref's versions are read from git's objects, so the working tree is never touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REFERENCE, ROOT

SCHEMA = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text())

QUEUE = "Resources:\n  Orders:\n    Type: AWS::SQS::Queue\n"
QUEUE_AND_TABLE = QUEUE + "  Status:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n"
# The findings of QUEUE (no processor, no table, no redrive, no dashboard, no encryption), by (rule, resource).
QUEUE_FINDINGS = [("ARCH002", None), ("ARCH004", None), ("ARCH006", "Orders"), ("MON004", None), ("SEC005", "Orders")]


def git(repo: Path, *argv: str) -> str:
    environment = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t"}
    environment["GIT_COMMITTER_EMAIL"] = "t@example.com"
    return subprocess.run(["git", *argv], cwd=repo, env=environment, capture_output=True, text=True, check=True).stdout


def cli(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "checker.cli", "check", "--no-cfn-lint", *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def report(cwd: Path, *argv: str) -> tuple[int, dict]:
    result = cli(cwd, *argv, "--format", "json")
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return result.returncode, document


def findings(file: dict) -> list[tuple[str, str | None, bool]]:
    return [(finding["rule_id"], finding["resource"], finding["new"]) for finding in file["findings"]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose first commit (tag `base`) holds a compliant template, a non-compliant one, a workflow and
    a docker-compose.yml."""
    root = tmp_path / "repo"
    (root / "stacks").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "stacks" / "orders.yaml").write_text(REFERENCE.read_text())
    (root / "stacks" / "queue.yaml").write_text(QUEUE)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs:\n  t:\n    runs-on: x\n")
    (root / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    return root


def test_nothing_changed_exits_0_and_says_so(repo) -> None:
    result = cli(repo, "--changed-since", "base")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "0 files: 0 compliant, 0 non-compliant, 0 invalid; 0 errors, 0 warnings",
        "Since base: 0 new findings, 0 pre-existing (reported, not failing the run)",
    ]
    assert result.stderr == "cfn-compliance: no templates changed since base\n"


def test_pre_existing_findings_are_reported_but_do_not_fail(repo) -> None:
    (repo / "stacks" / "queue.yaml").write_text(QUEUE + "# a comment moves nothing that matters\n")
    git(repo, "commit", "-qam", "touch")
    code, document = report(repo, "--changed-since", "base")
    assert code == 0
    [file] = document["files"]
    assert (file["path"], file["status"]) == ("stacks/queue.yaml", "compliant")
    assert findings(file) == [(rule, resource, False) for rule, resource in QUEUE_FINDINGS]
    assert document["changed_since"] == "base"


def test_a_new_finding_fails_and_is_marked_new(repo) -> None:
    (repo / "stacks" / "queue.yaml").write_text(QUEUE_AND_TABLE)
    text = REFERENCE.read_text().replace("MemorySize: 256", "MemorySize: 4096")
    (repo / "stacks" / "orders.yaml").write_text(text)
    git(repo, "commit", "-qam", "change")
    code, document = report(repo, "--changed-since", "base")
    assert code == 1
    by_path = {file["path"]: file for file in document["files"]}
    assert sorted(by_path) == ["stacks/orders.yaml", "stacks/queue.yaml"]
    assert findings(by_path["stacks/orders.yaml"]) == [("COST002", "OrderProcessor", True)]
    queue = findings(by_path["stacks/queue.yaml"])
    assert [item for item in queue if item[2]] == [
        ("SEC006", "Status", True),
        ("REL002", "Status", True),
        ("REL004", "Status", True),
    ]
    assert [item[:2] for item in queue if not item[2]] == [item for item in QUEUE_FINDINGS if item[0] != "ARCH004"]  # a table now


def test_text_marks_pre_existing_findings_and_counts_them(repo) -> None:
    (repo / "stacks" / "queue.yaml").write_text(QUEUE_AND_TABLE)
    result = cli(repo, "--changed-since", "base", "--rule", "SEC005,SEC006")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "  ERROR SEC005 [Orders] stacks/queue.yaml:2:3 (pre-existing)" in lines
    assert "  ERROR SEC006 [Status] stacks/queue.yaml:6:5" in lines
    assert lines[-1] == "Since base: 1 new finding, 1 pre-existing (reported, not failing the run)"
    compact = cli(repo, "--changed-since", "base", "--rule", "SEC005,SEC006", "--compact")
    assert compact.stdout.splitlines()[0].endswith(
        "SEC005 The queue Orders does not enable encryption at rest explicitly "
        "(SqsManagedSseEnabled not set, no KmsMasterKeyId). (pre-existing)"
    )


def test_uncommitted_edits_of_tracked_files_count_untracked_files_do_not(repo) -> None:
    (repo / "stacks" / "queue.yaml").write_text(QUEUE_AND_TABLE)  # edited, not committed
    (repo / "stacks" / "scratch.yaml").write_text(QUEUE)  # untracked
    code, document = report(repo, "--changed-since", "HEAD", "--rule", "SEC006")
    assert code == 1
    assert [(file["path"], findings(file)) for file in document["files"]] == [("stacks/queue.yaml", [("SEC006", "Status", True)])]
    git(repo, "add", "stacks/scratch.yaml")  # staged: now tracked, and new
    _, document = report(repo, "--changed-since", "HEAD", "--rule", "SEC005")
    assert [(file["path"], findings(file)) for file in document["files"]] == [
        ("stacks/queue.yaml", [("SEC005", "Orders", False)]),
        ("stacks/scratch.yaml", [("SEC005", "Orders", True)]),
    ]


def test_a_renamed_file_is_compared_with_its_old_path(repo) -> None:
    header = "".join(f"# line {number} of a header long enough for git to see a rename\n" for number in range(12))
    (repo / "stacks" / "queue.yaml").write_text(header + QUEUE)
    git(repo, "commit", "-qam", "a header")
    git(repo, "tag", "before-rename")
    git(repo, "mv", "stacks/queue.yaml", "stacks/renamed-queue.yaml")
    (repo / "stacks" / "renamed-queue.yaml").write_text(header + QUEUE_AND_TABLE)
    git(repo, "commit", "-qm", "rename")
    assert git(repo, "diff", "--name-status", "--find-renames", "before-rename").startswith("R")
    code, document = report(repo, "--changed-since", "before-rename", "--rule", "SEC005,SEC006")
    assert code == 1
    [file] = document["files"]
    assert (file["path"], file["repo_path"]) == ("stacks/renamed-queue.yaml", "stacks/renamed-queue.yaml")
    assert findings(file) == [("SEC005", "Orders", False), ("SEC006", "Status", True)]


def test_deleted_and_non_template_changes_are_left_out(repo) -> None:
    git(repo, "rm", "-q", "stacks/queue.yaml")
    (repo / "docker-compose.yml").write_text("services:\n  db:\n    image: postgres\n")
    (repo / ".github" / "workflows" / "ci.yml").write_text("on: [pull_request]\njobs:\n  t:\n    runs-on: x\n")
    (repo / "notes.txt").write_text("not a template\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "other changes")
    code, document = report(repo, "--changed-since", "base")
    assert (code, document["files"]) == (0, [])
    assert sorted(item["path"] for item in document["skipped"]) == [".github/workflows/ci.yml", "docker-compose.yml"]


def test_paths_limit_the_changes_and_paths_are_from_the_working_directory(repo) -> None:
    (repo / "other").mkdir()
    (repo / "other" / "q.yaml").write_text(QUEUE)
    (repo / "stacks" / "queue.yaml").write_text(QUEUE_AND_TABLE)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two places")
    _, document = report(repo, "--changed-since", "base", "stacks")
    assert [file["path"] for file in document["files"]] == ["stacks/queue.yaml"]
    _, document = report(repo / "stacks", "--changed-since", "base")  # no PATH: the whole repository
    assert [(file["path"], file["repo_path"]) for file in document["files"]] == [
        ("../other/q.yaml", "other/q.yaml"),
        ("queue.yaml", "stacks/queue.yaml"),
    ]
    _, document = report(repo / "stacks", "--changed-since", "base", ".")
    assert [file["path"] for file in document["files"]] == ["queue.yaml"]


def test_markdown_answers_only_when_named_or_asked_for(repo) -> None:
    answer = "# Answer\n\n```yaml\n" + QUEUE + "```\n"
    (repo / "answer.md").write_text(answer)
    (repo / "README.md").write_text("# Project\n\nNo template here.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "answers")
    assert report(repo, "--changed-since", "base")[1]["files"] == []
    _, document = report(repo, "--changed-since", "base", "answer.md")
    assert [file["path"] for file in document["files"]] == ["answer.md"]
    _, document = report(repo, "--changed-since", "base", "--include-markdown")
    assert [file["path"] for file in document["files"]] == ["answer.md"]
    assert [item["path"] for item in document["skipped"]] == ["README.md"]


def test_a_file_that_was_invalid_and_still_is_stays_invalid(repo) -> None:
    (repo / "stacks" / "broken.yaml").write_text("Resources: [\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "broken")
    git(repo, "tag", "broken")
    (repo / "stacks" / "broken.yaml").write_text("Resources: [\n# still\n")
    code, document = report(repo, "--changed-since", "broken")
    assert code == 2
    [file] = document["files"]
    assert (file["status"], findings(file)) == ("invalid", [("TPL001", None, False)])


def test_names_with_spaces_and_non_ascii_come_back_as_written(repo) -> None:
    name = "stacks/cola de pedidos ñ.yaml"
    (repo / name).write_text(QUEUE)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "unicode")
    _, document = report(repo, "--changed-since", "base", "--rule", "SEC005")
    assert [(file["path"], findings(file)) for file in document["files"]] == [(name, [("SEC005", "Orders", True)])]


def test_the_working_tree_is_not_touched(repo) -> None:
    (repo / "stacks" / "queue.yaml").write_text(QUEUE_AND_TABLE)
    before = git(repo, "status", "--porcelain")
    cli(repo, "--changed-since", "base")
    assert git(repo, "status", "--porcelain") == before
    assert (repo / "stacks" / "queue.yaml").read_text() == QUEUE_AND_TABLE


@pytest.mark.parametrize(
    ("where", "ref", "message"),
    [
        ("outside", "HEAD", "cfn-compliance: error: --changed-since: not in a git repository"),
        ("repo", "no-such-branch", "cfn-compliance: error: --changed-since: unknown git ref 'no-such-branch'"),
        ("repo", "--output=x", "cfn-compliance: error: --changed-since: unknown git ref '--output=x'"),
    ],
)
def test_git_errors_exit_2_with_a_clear_message(repo, tmp_path, where, ref, message) -> None:
    cwd = repo if where == "repo" else tmp_path / "outside"
    cwd.mkdir(exist_ok=True)
    result = cli(cwd, f"--changed-since={ref}")
    assert result.returncode == 2
    assert result.stderr.startswith(message)
    assert result.stdout == ""
