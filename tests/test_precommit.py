"""The pre-commit hooks (.pre-commit-hooks.yaml) with the real pre-commit: installed from this checkout into
pre-commit's own virtualenv, run on a team's repository, and in front of a real `git commit`.

pre-commit installs a hook repository only from a git commit, so the tracked files of this checkout (as they are
on disk) are committed into a temporary repository first. The install (a virtualenv and our dependencies, from
this machine's package index) is made once for the module, in a shared PRE_COMMIT_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REFERENCE, ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}
NON_COMPLIANT = "Resources:\n  Orders:\n    Type: AWS::SQS::Queue\n"
COMPOSE = "services:\n  web:\n    image: nginx\n"


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    variables = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    variables.pop("PYTHONPATH", None)  # the hook must run the checker pre-commit installed, not this checkout
    return variables


def git(cwd: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *argv], cwd=cwd, env=env, capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str]) -> Path:
    """This checkout's tracked files and the hooks file, as one commit pre-commit can install from."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    names = {name for name in os.fsdecode(listed).split("\0") if name} | {".pre-commit-hooks.yaml"}
    for name in sorted(names):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, environment, "init", "-q")
    git(repo, environment, "add", "-A")
    git(repo, environment, "commit", "-q", "-m", "the checker as it is in this checkout")
    return repo


@pytest.fixture
def project(tmp_path: Path, environment: dict[str, str]) -> Iterator[Path]:
    """A team's repository with a compliant template, a docker-compose.yml and a package.json, staged."""
    repo = tmp_path / "project"
    repo.mkdir()
    git(repo, environment, "init", "-q")
    (repo / "order-processing.yaml").write_text(REFERENCE.read_text())
    (repo / "docker-compose.yml").write_text(COMPOSE)
    (repo / "package.json").write_text('{"name": "orders", "private": true}\n')
    git(repo, environment, "add", "-A")
    yield repo


def pre_commit(project: Path, environment: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PRE_COMMIT, *argv], cwd=project, env=environment, capture_output=True, text=True, timeout=600, check=False
    )


def test_try_repo_blocks_a_non_compliant_template_passes_a_compliant_one_and_ignores_docker_compose(
    project, hook_repo, environment
) -> None:
    """pre-commit try-repo installs the hook from the checkout (each call into a fresh store: one call here)."""
    (project / "queue.yaml").write_text(NON_COMPLIANT)
    git(project, environment, "add", "queue.yaml")
    files = ["queue.yaml", "order-processing.yaml", "docker-compose.yml", "package.json"]
    result = pre_commit(project, environment, "try-repo", str(hook_repo), "cfn-compliance-fast", "--files", *files)
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout
    assert "cfn-compliance (fast, without cfn-lint)" in output and "Failed" in output
    assert "- exit code: 1" in output
    assert "FAIL queue.yaml — non-compliant" in output
    assert "  ERROR SEC005 [Orders] queue.yaml:2:3" in output
    assert "PASS order-processing.yaml — compliant" in output
    assert "  docker-compose.yml — no Resources, AWSTemplateFormatVersion or Transform section" in output  # skipped
    assert "INVALID" not in output and "TPL001" not in output
    assert "2 files: 1 compliant, 1 non-compliant, 0 invalid" in output


@pytest.fixture
def configured(project: Path, hook_repo: Path, environment: dict[str, str]) -> Path:
    """The project with a .pre-commit-config.yaml naming the hook repository at its commit, as a team writes it;
    every test's runs share one installed environment (PRE_COMMIT_HOME)."""
    revision = git(hook_repo, environment, "rev-parse", "HEAD").stdout.strip()
    config = f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {revision}\n    hooks:\n      - id: cfn-compliance-fast\n"
    (project / ".pre-commit-config.yaml").write_text(config)
    git(project, environment, "add", ".pre-commit-config.yaml")
    return project


def test_compliant_template_and_other_files_pass(configured, environment) -> None:
    files = ["order-processing.yaml", "docker-compose.yml", "package.json", ".pre-commit-config.yaml"]
    result = pre_commit(configured, environment, "run", "cfn-compliance-fast", "--files", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cfn-compliance (fast, without cfn-lint)" in result.stdout and "Passed" in result.stdout


def test_files_that_are_not_templates_alone_pass(configured, environment) -> None:
    files = ["docker-compose.yml", "package.json", ".pre-commit-config.yaml"]
    result = pre_commit(configured, environment, "run", "cfn-compliance-fast", "--verbose", "--files", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
    assert "0 files: 0 compliant, 0 non-compliant, 0 invalid; 0 errors, 0 warnings; 3 skipped" in result.stdout


def test_broken_template_blocks(configured, environment) -> None:
    (configured / "broken.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    git(configured, environment, "add", "broken.yaml")
    result = pre_commit(configured, environment, "run", "cfn-compliance-fast", "--files", "broken.yaml", "docker-compose.yml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "- exit code: 2" in result.stdout
    assert "INVALID broken.yaml — could not be evaluated" in result.stdout


def test_installed_hook_stops_a_real_commit(configured, environment) -> None:
    """`pre-commit install`, then plain `git commit`: the compliant commit goes in, the non-compliant one does not."""
    installed = pre_commit(configured, environment, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    committed = subprocess.run(
        ["git", "commit", "-q", "-m", "compliant"], cwd=configured, env=environment, capture_output=True, text=True, check=False
    )
    assert committed.returncode == 0, committed.stdout + committed.stderr

    (configured / "queue.yaml").write_text(NON_COMPLIANT)
    git(configured, environment, "add", "queue.yaml")
    refused = subprocess.run(
        ["git", "commit", "-q", "-m", "non-compliant"],
        cwd=configured,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "FAIL queue.yaml — non-compliant" in refused.stdout + refused.stderr
    assert git(configured, environment, "log", "--format=%s").stdout.splitlines() == ["compliant"]
