"""A finding's identity: the same however its file was named, unchanged when lines move, distinct per finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.run.locations import repo_path, repository_root

TEMPLATE = """\
Resources:
  Orders:
    Type: AWS::SQS::Queue
"""


def fingerprints(capsys: pytest.CaptureFixture, path: str) -> list[str]:
    main(["check", path, "--no-cfn-lint", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    return [finding["fingerprint"] for finding in document["files"][0]["findings"]]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "stacks").mkdir()
    (root / "stacks" / "a.yaml").write_text(TEMPLATE)
    return root


def test_how_the_path_is_typed_does_not_change_fingerprints(capsys, monkeypatch, repo: Path) -> None:
    monkeypatch.chdir(repo)
    typed = ["stacks/a.yaml", "./stacks/a.yaml", "../repo/stacks/a.yaml", str(repo / "stacks" / "a.yaml")]
    results = [fingerprints(capsys, path) for path in typed]
    assert results[0] and all(result == results[0] for result in results)
    monkeypatch.chdir(repo / "stacks")  # from a subfolder, the path is still taken from the repository root
    assert fingerprints(capsys, "a.yaml") == results[0]


def test_moving_lines_keeps_fingerprints_and_renaming_the_file_changes_them(capsys, monkeypatch, repo: Path) -> None:
    monkeypatch.chdir(repo)
    before = fingerprints(capsys, "stacks/a.yaml")
    (repo / "stacks" / "a.yaml").write_text("# a comment that moves every line\n\n" + TEMPLATE)
    assert fingerprints(capsys, "stacks/a.yaml") == before
    (repo / "stacks" / "b.yaml").write_text(TEMPLATE)
    assert set(fingerprints(capsys, "stacks/b.yaml")).isdisjoint(before)


def test_findings_are_distinct_even_when_rule_resource_and_path_agree(capsys, monkeypatch, repo: Path) -> None:
    monkeypatch.chdir(repo)
    prints = fingerprints(capsys, "stacks/a.yaml")
    assert len(prints) == len(set(prints))


def test_repository_root_and_paths(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "deep" / "er").mkdir(parents=True)
    root = repository_root(tmp_path / "repo" / "deep" / "er")
    assert root == tmp_path / "repo"
    assert repo_path("../x.yaml", root, tmp_path / "repo" / "deep") == "x.yaml"
    assert repo_path("x.yaml", root, tmp_path) == (tmp_path / "x.yaml").as_posix()  # outside: absolute
    assert repository_root(tmp_path / "elsewhere") == tmp_path / "elsewhere"  # outside git: the folder itself
