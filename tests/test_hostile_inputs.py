"""Every hostile input of tests/hostile_inputs.py gets its exact TPL001 verdict, exit code 2, no traceback,
and the bundled reference checked in the same run is still reported compliant.

How fast and in how much memory is measured by benchmarks/bench.py, never here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.evaluation.catalogue import load_catalogue
from tests.conftest import REFERENCE, ROOT
from tests.hostile_inputs import HOSTILE_INPUTS, MARKER, HostileInput

VALIDATOR = jsonschema.Draft202012Validator(json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text()))
NOT_JUDGED = {rule.id: "not_applicable" for rule in load_catalogue() if rule.id != "TPL001"}


def verdict(file: dict) -> tuple:
    return file["status"], [(f["rule_id"], f["line"], f["column"], f["message"]) for f in file["findings"]]


@pytest.mark.parametrize("case", HOSTILE_INPUTS, ids=[case.name for case in HOSTILE_INPUTS])
def test_a_hostile_input_gets_its_verdict_and_the_reference_beside_it_passes(capsys, tmp_path, case: HostileInput) -> None:
    path = case.write(tmp_path)
    code = main(["check", str(path), str(REFERENCE), "--no-cfn-lint", "--format", "json"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (2, "")
    document = json.loads(captured.out)
    VALIDATOR.validate(document)
    hostile, reference = document["files"]
    assert hostile["path"] == str(path)
    assert verdict(hostile) == ("invalid", [("TPL001", case.line, case.column, case.message)])
    assert {result["rule_id"]: result["status"] for result in hostile["results"]} == {"TPL001": "fail", **NOT_JUDGED}
    assert (reference["path"], *verdict(reference)) == (str(REFERENCE), "compliant", [])
    assert not (tmp_path / MARKER).exists()


def test_all_hostile_inputs_in_one_run_of_the_installed_command(tmp_path) -> None:
    """One process, cfn-lint on, as CI runs it: a verdict for each input, the reference compliant, exit 2."""
    paths = [str(case.write(tmp_path)) for case in HOSTILE_INPUTS]
    result = subprocess.run(
        [sys.executable, "-m", "checker.cli", "check", *paths, str(REFERENCE), "--format", "json"],
        capture_output=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        check=False,
    )
    assert (result.returncode, result.stderr) == (2, b"")
    document = json.loads(result.stdout)
    VALIDATOR.validate(document)
    assert [(Path(file["path"]).name, *verdict(file)) for file in document["files"]] == [
        *[(Path(case.name).name, "invalid", [("TPL001", case.line, case.column, case.message)]) for case in HOSTILE_INPUTS],
        (REFERENCE.name, "compliant", []),
    ]
    assert document["summary"]["invalid"] == len(HOSTILE_INPUTS)
    assert not (tmp_path / MARKER).exists()


def test_the_text_report_names_each_hostile_input_invalid(capsys, tmp_path) -> None:
    paths = [str(case.write(tmp_path)) for case in HOSTILE_INPUTS]
    code = main(["check", *paths, str(REFERENCE), "--no-cfn-lint", "--color", "never"])
    out = capsys.readouterr().out
    assert code == 2
    for path, case in zip(paths, HOSTILE_INPUTS, strict=True):
        assert (
            f"INVALID {path} — could not be evaluated\nTemplate:\n  ERROR TPL001 {path}:{case.line}:{case.column}\n    {case.message}\n"
            in out
        )
    assert f"PASS {REFERENCE} — compliant (3 rules not applicable)\n" in out
    assert out.endswith(
        f"{len(paths) + 1} files: 1 compliant, 0 non-compliant, {len(paths)} invalid; {len(paths)} errors, 0 warnings\n"
    )
