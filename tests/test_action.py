"""The GitHub Action (action.yml): its steps' scripts run here with bash as the runner runs them, with the runner's
files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) in a temporary folder and the real CLI; only pip is stood in for."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import FIXTURES, REFERENCE, ROOT
from tests.test_sarif import validate as validate_sarif

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = {step["id"]: step for step in ACTION["runs"]["steps"]}
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
BASH = shutil.which("bash") or "bash"


def test_the_action_is_a_composite_whose_every_input_is_used() -> None:
    assert ACTION["runs"]["using"] == "composite"
    used = {
        match.group(1).removeprefix("inputs.")
        for step in STEPS.values()
        for value in step.get("env", {}).values()
        for match in EXPRESSION.finditer(str(value))
        if match.group(1).startswith("inputs.")
    }
    assert used == set(ACTION["inputs"])
    assert ACTION["outputs"]["sarif"]["value"] == "${{ steps.check.outputs.sarif }}"
    assert ACTION["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"
    assert STEPS["install"]["env"]["ACTION_PATH"] == "${{ github.action_path }}"


def test_no_expression_is_pasted_into_a_script() -> None:
    """An input written into `run:` would be run as code (a path named `$(curl ...)`); they arrive as variables."""
    for step in STEPS.values():
        assert "${{" not in step["run"], step["id"]
        subprocess.run([BASH, "-n", "-c", step["run"]], check=True)


def run_step(step_id: str, values: dict[str, str], tmp_path: Path, *, path_prefix: str = "") -> subprocess.CompletedProcess:
    """Run one step's script as the runner does (bash --noprofile --norc -eo pipefail), its `env:` expressions
    evaluated from `values`, in the repository root as the working directory."""
    step = STEPS[step_id]
    environment = {name: value for name, value in os.environ.items() if not name.startswith("GITHUB_")}
    for name, value in step.get("env", {}).items():
        environment[name] = EXPRESSION.sub(lambda match: values[match.group(1)], str(value))
    environment["GITHUB_OUTPUT"] = str(tmp_path / "github_output")
    environment["GITHUB_STEP_SUMMARY"] = str(tmp_path / "step_summary.md")
    if path_prefix:
        environment["PATH"] = path_prefix + os.pathsep + environment["PATH"]
    return subprocess.run(
        [BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def executable(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def cli_shim(tmp_path: Path) -> str:
    """What the install step leaves: a `cfn-compliance` command; here, this checkout's CLI."""
    return str(executable(tmp_path / "cfn-compliance", f'#!/bin/sh\nexec "{sys.executable}" -m checker.cli "$@"\n'))


def outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "github_output").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def check_values(tmp_path: Path, paths: str, **changes: str) -> dict[str, str]:
    values = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update({"steps.install.outputs.bin": cli_shim(tmp_path), "inputs.paths": paths})
    values["inputs.sarif"] = str(tmp_path / "out" / "cfn-compliance.sarif")
    values["inputs.args"] = "--no-cfn-lint"
    values.update({f"inputs.{name}": value for name, value in changes.items()})
    return values


def test_the_check_step_passes_on_the_reference_and_writes_sarif_and_the_summary(tmp_path: Path) -> None:
    relative = str(REFERENCE.relative_to(ROOT))
    run = run_step("check", check_values(tmp_path, f"{relative}\n"), tmp_path)
    assert run.returncode == 0, run.stderr
    sarif = tmp_path / "out" / "cfn-compliance.sarif"
    assert outputs(tmp_path) == {"sarif": str(sarif), "exit-code": "0"}
    log = validate_sarif(sarif.read_text(encoding="utf-8"))
    assert log["runs"][0]["results"] == []
    assert run.stdout == "cfn-compliance: 1 file, 0 errors, 0 warnings (0 invalid)\n"
    assert (tmp_path / "step_summary.md").read_text(encoding="utf-8").startswith("### cfn-compliance\n")


def test_the_check_step_fails_as_the_check_does_and_still_gives_the_sarif_path(tmp_path: Path) -> None:
    failing = FIXTURES / "rules" / "COST002" / "fail"
    template = next(path for path in sorted(failing.iterdir()) if path.suffix == ".yaml" and ".expected" not in path.name)
    paths = f"{REFERENCE.relative_to(ROOT)}  {template.relative_to(ROOT)}"  # two paths, split on white space
    run = run_step("check", check_values(tmp_path, paths, **{"fail-on": "error"}), tmp_path)
    assert run.returncode == 1, run.stderr
    assert outputs(tmp_path) == {"sarif": str(tmp_path / "out" / "cfn-compliance.sarif"), "exit-code": "1"}
    assert f"::error file={template.relative_to(ROOT)}," in run.stdout
    results = validate_sarif((tmp_path / "out" / "cfn-compliance.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert "COST002" in {result["ruleId"] for result in results}


def test_a_path_is_never_run_as_code(tmp_path: Path) -> None:
    run = run_step("check", check_values(tmp_path, "$(touch pwned) *"), tmp_path)
    assert run.returncode == 2  # two paths that do not exist, named as written
    assert not (ROOT / "pwned").exists()
    assert "$(touch" in run.stdout + run.stderr


def test_with_checkov_adds_the_flag(tmp_path: Path) -> None:
    relative = str(REFERENCE.relative_to(ROOT))
    run = run_step("check", check_values(tmp_path, relative, **{"with-checkov": "true"}), tmp_path)
    assert run.returncode == 1, run.stderr  # checkov's warnings on the reference (see tests/test_checkov.py)
    assert "::warning file=reference_template/order-processing.yaml,line=56,col=5,title=CKV_AWS_158" in run.stdout


@pytest.mark.parametrize(
    ("version", "with_checkov", "installed"),
    [
        ("", "false", "{action}"),
        ("", "true", "{action}[checkov]"),
        ("cfn-compliance==0.2.0", "false", "cfn-compliance==0.2.0"),
        ("cfn-compliance==0.2.0", "true", "cfn-compliance[checkov]==0.2.0"),
        ("git+https://github.com/o/r@v1", "true", "cfn-compliance[checkov] @ git+https://github.com/o/r@v1"),
    ],
)
def test_the_install_step_installs_the_action_s_own_checkout_or_the_version_asked(
    tmp_path: Path, version: str, with_checkov: str, installed: str
) -> None:
    """python3 is stood in for (no package is fetched): it makes the venv folder, and the venv's python records
    what pip was asked to install."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "pip.log"
    venv_python = f'#!/bin/sh\nprintf "%s\\n" "$@" > "{log}"\n'
    executable(
        bin_dir / "python3",
        f'#!/bin/sh\n[ "$1 $2" = "-m venv" ] || exit 9\nmkdir -p "$3/bin"\ncat > "$3/bin/python" <<\'EOF\'\n{venv_python}EOF\n'
        'chmod +x "$3/bin/python"\n',
    )
    values = {
        "github.action_path": str(ROOT),
        "inputs.version": version,
        "inputs.with-checkov": with_checkov,
        "runner.temp": str(tmp_path / "runner-temp"),
    }
    run = run_step("install", values, tmp_path, path_prefix=str(bin_dir))
    assert run.returncode == 0, run.stderr
    assert log.read_text(encoding="utf-8").splitlines() == [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        installed.format(action=ROOT),
    ]
    assert outputs(tmp_path) == {"bin": str(tmp_path / "runner-temp" / "cfn-compliance-venv" / "bin" / "cfn-compliance")}


def test_the_readme_workflow_uses_the_action_and_uploads_its_sarif() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## GitHub Action", 1)[1].split("\n## ", 1)[0]
    workflow = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    steps = workflow["jobs"]["cfn-compliance"]["steps"]
    ours = next(step for step in steps if step.get("id") == "cfn-compliance")
    assert set(ours.get("with", {})) <= set(ACTION["inputs"])
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@v3"))
    assert upload["with"]["sarif_file"] == "${{ steps.cfn-compliance.outputs.sarif }}"
    assert upload["if"] == "always()"
    assert json.dumps(workflow)  # plain data: nothing but what YAML reads
