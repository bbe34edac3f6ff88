"""One generic test runs every rule's paired fixtures: tests/fixtures/rules/<ID>/{pass,fail,other}/.

pass/<name>.<ext>: the rule passes with no finding.
fail/ and other/<name>.<ext>: <name>.expected.yaml gives the rule's exact status and its exact findings
(resource, path, line, column, and message where given), and optional parameter overrides. Any fixture's
expected file may name `also_run`: rules run beside the one under test, for a rule that judges the others'
findings (TPL004, the suppressions' audit).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, FIXTURES

RULES_FIXTURES = FIXTURES / "rules"
TEMPLATE_SUFFIXES = {".yaml", ".yml", ".json", ".template", ".md", ".txt", ".bin"}


def _fixtures() -> list[Path]:
    return sorted(
        path
        for path in RULES_FIXTURES.glob("*/*/*")
        if path.suffix in TEMPLATE_SUFFIXES and not path.name.endswith(".expected.yaml")
    )


def _expectation(fixture: Path) -> dict:
    expected = fixture.with_name(fixture.name.rsplit(".", 1)[0] + ".expected.yaml")
    if fixture.parent.name == "pass":
        extra = yaml.safe_load(expected.read_text(encoding="utf-8")) if expected.exists() else {}
        return {**extra, "status": "pass", "findings": []}
    return yaml.safe_load(expected.read_text(encoding="utf-8"))


def _run(rule_id: str, fixture: Path, parameters: dict | None = None, also_run: tuple[str, ...] = ()):
    options = CheckOptions(
        parameters={name: str(value) for name, value in (parameters or {}).items()},
        cfn_lint=rule_id == "TPL002",
        only_rules=frozenset({rule_id, *also_run}),
        today=CHECK_DATE,
        compare_reference=False,
    )
    return check_file(str(fixture), options)


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda path: "/".join(path.parts[-3:]))
def test_rule_fixture(fixture: Path) -> None:
    rule_id = fixture.parts[-3]
    expected = _expectation(fixture)
    report = _run(rule_id, fixture, expected.get("parameters"), tuple(expected.get("also_run", ())))
    result = next(result for result in report.results if result.rule_id == rule_id)
    findings = [
        {
            "resource": finding.resource,
            "path": finding.path,
            "line": finding.line,
            "column": finding.column,
            **({"message": finding.message} if "message" in _keys(expected) else {}),
        }
        for finding in report.findings
        if finding.rule_id == rule_id
    ]
    assert (result.status, findings) == (expected["status"], expected["findings"]), result.message


def _keys(expected: dict) -> set[str]:
    return {key for finding in expected["findings"] for key in finding}


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    for rule in load_catalogue():
        directory = RULES_FIXTURES / rule.id
        passing = [path for path in (directory / "pass").glob("*") if path.suffix in TEMPLATE_SUFFIXES]
        failing = [path for path in (directory / "fail").glob("*") if path.suffix in TEMPLATE_SUFFIXES]
        assert passing, f"{rule.id} has no pass fixture"
        assert failing, f"{rule.id} has no fail fixture"


def test_fixtures_cover_yaml_and_json() -> None:
    suffixes = {path.suffix for path in _fixtures()}
    assert {".yaml", ".json"} <= suffixes


def test_every_expected_file_has_a_fixture() -> None:
    for expected in RULES_FIXTURES.glob("*/*/*.expected.yaml"):
        stem = expected.name.removesuffix(".expected.yaml")
        assert [path for path in expected.parent.glob(stem + ".*") if path != expected], f"orphan {expected}"
