"""Realistic answers in tests/fixtures/answers/ fail exactly the rules their row of EXPECTED.md names."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from checker.evaluation.options import CheckOptions
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, FIXTURES

ANSWERS = FIXTURES / "answers"
INDEX = ANSWERS / "EXPECTED.md"
RULE_ID = re.compile(r"[A-Z]+[0-9]{3}")


@dataclass(frozen=True)
class Expectation:
    answer: str
    cfn_lint: bool
    failing: frozenset[str]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _expectations() -> list[Expectation]:
    """The rows of the index table: answer file, cfn-lint on/off, expected failing rule ids."""
    rows = [_cells(line) for line in INDEX.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header, _separator, *body = rows
    column = {name: index for index, name in enumerate(header)}
    expectations = []
    for row in body:
        ids = row[column["expected failing rule ids"]]
        failing = frozenset() if ids == "-" else frozenset(part.strip() for part in ids.split(","))
        assert all(RULE_ID.fullmatch(rule_id) for rule_id in failing), f"bad rule ids in the row of {row[0]}: {ids}"
        lint = row[column["cfn-lint"]]
        assert lint in ("on", "off"), f"cfn-lint must be on or off in the row of {row[0]}"
        expectations.append(Expectation(row[column["answer"]], lint == "on", failing))
    return expectations


EXPECTATIONS = _expectations()


@pytest.mark.parametrize("expected", EXPECTATIONS, ids=lambda expected: expected.answer)
def test_answer_fails_exactly_the_expected_rules(expected: Expectation) -> None:
    report = check_file(str(ANSWERS / expected.answer), CheckOptions(cfn_lint=expected.cfn_lint, today=CHECK_DATE))
    failing = {result.rule_id for result in report.results if result.status == "fail"}
    messages = {result.rule_id: result.message for result in report.results if result.rule_id in failing ^ expected.failing}
    assert failing == set(expected.failing), (
        f"unexpected: {sorted(failing - expected.failing)}, missing: {sorted(expected.failing - failing)}; {messages}"
    )


def test_every_answer_has_a_row() -> None:
    answers = {path.name for path in ANSWERS.iterdir() if path.name != INDEX.name}
    listed = [expected.answer for expected in EXPECTATIONS]
    assert len(listed) == len(set(listed)), "an answer is listed twice"
    assert answers == set(listed)


def test_answers_are_complete_templates_of_realistic_size() -> None:
    for expected in EXPECTATIONS:
        lines = len((ANSWERS / expected.answer).read_text(encoding="utf-8").splitlines())
        assert 80 <= lines <= 300, f"{expected.answer} has {lines} lines"
