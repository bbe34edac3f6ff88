"""A bug in one check, in the side-by-side or in evaluation costs only what it must, never the run."""

from __future__ import annotations

import pytest

import checker.evaluation.checks
import checker.evaluation.reference
import checker.model.resolve
from checker.evaluation.context import Violation
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, REFERENCE

OPTIONS = CheckOptions(cfn_lint=False, today=CHECK_DATE)


def _not_passing(report: FileReport) -> dict[str, str]:
    return {result.rule_id: result.status for result in report.results if result.status != "pass"}


def _explode(*_: object) -> None:
    raise ValueError("boom")


def test_a_crashing_check_becomes_a_finding_naming_its_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(checker.evaluation.checks.REGISTRY, "dlq_depth_alarm", _explode)
    report = check_file(str(REFERENCE), OPTIONS)
    message = "the MON002 check crashed on this template (ValueError: boom); this is a bug in cfn-compliance"
    assert [(finding.rule_id, finding.message) for finding in report.findings] == [("MON002", message)]
    assert {result.rule_id: result.status for result in report.results}["MON002"] == "unknown"
    # Every other rule is still judged and passes; TPL002 (cfn-lint off) and SEC009 (no queue policy) have nothing to judge.
    assert _not_passing(report) == {
        "MON002": "unknown",
        "TPL002": "not_applicable",
        "SEC009": "not_applicable",
        "TPL004": "not_applicable",
    }


def test_a_check_whose_finding_cannot_be_placed_costs_only_its_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    def unplaceable(_context: object):
        yield Violation("OrderQueue", ("Properties",), 42)  # type: ignore[arg-type]  # a message that is no text

    monkeypatch.setitem(checker.evaluation.checks.REGISTRY, "dlq_depth_alarm", unplaceable)
    report = check_file(str(REFERENCE), OPTIONS)
    assert report.status == "non_compliant"
    assert [finding.rule_id for finding in report.findings] == ["MON002"]
    assert report.findings[0].message.startswith("the MON002 check crashed on this template (TypeError: ")
    assert _not_passing(report) == {
        "MON002": "unknown",
        "TPL002": "not_applicable",
        "SEC009": "not_applicable",
        "TPL004": "not_applicable",
    }


def test_a_failing_side_by_side_leaves_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker.evaluation.reference, "compare_with_reference", _explode)
    report = check_file(str(REFERENCE), OPTIONS)
    assert report.status == "compliant"
    assert report.notes == ("the comparison with the reference failed (ValueError: boom); this is a bug in cfn-compliance",)


def test_a_failing_evaluation_is_an_invalid_verdict_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checker.model.resolve, "resolve", _explode)
    report = check_file(str(REFERENCE), OPTIONS)
    assert report.status == "invalid"
    assert report.findings[0].message == (
        "Internal error while evaluating the template (ValueError: boom); this is a bug in cfn-compliance."
    )
