"""The Model Failures Analysis model that the Markdown and HTML reports render, on a realistic failing answer."""

from __future__ import annotations

import pytest

from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions
from checker.evaluation.reference import reference_snippet
from checker.reports.analysis import FileAnalysis, analyse_run
from checker.run.runner import check_paths
from checker.vocabulary import CATEGORIES, COMPONENTS
from tests.conftest import CHECK_DATE, FIXTURES, ROOT


def analyse(*names: str) -> tuple[FileAnalysis, ...]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        paths = [str((FIXTURES / "reports" / name).relative_to(ROOT)) for name in names]
        report = check_paths(paths, CheckOptions(cfn_lint=False, today=CHECK_DATE, compare_reference=True))
    rules = load_catalogue()
    snippets = {rule.id: reference_snippet(rule.component, rule.component_properties) for rule in rules}
    return analyse_run(report, rules, snippets).files


@pytest.fixture(scope="module")
def failing() -> FileAnalysis:
    return analyse("model-response.yaml")[0]


def test_components_are_present_failing_or_missing(failing: FileAnalysis) -> None:
    states = {view.component: (view.state, view.candidate_resource) for view in failing.components}
    assert list(states) == list(COMPONENTS)
    assert states["order_queue"] == ("failing", "OrdersQueue")
    assert states["dlq"] == ("missing", None)
    assert states["dashboard"] == ("missing", None)
    queue = failing.components[0]
    assert queue.rule_ids == ("ARCH006", "ARCH009", "SEC005")
    assert [(d.setting, d.reference, d.candidate) for d in queue.differences] == [
        ("VisibilityTimeout", 180, 60),
        ("maxReceiveCount", 5, None),
        ("SqsManagedSseEnabled", True, None),
    ]
    assert [view.label for view in failing.missing][:2] == ["Dead-letter queue", "Processor log group"]


def test_every_finding_is_in_its_category_with_the_rule_rationale(failing: FileAnalysis) -> None:
    assert [section.category for section in failing.categories] == list(CATEGORIES)
    issues = [issue for section in failing.categories for issue in section.issues]
    assert sorted(map(repr, (issue.finding for issue in issues))) == sorted(map(repr, failing.file.findings))
    rationale = {rule.id: rule.rationale for rule in load_catalogue()}
    assert all(issue.rationale == rationale[issue.finding.rule_id] for issue in issues)
    cost = failing.categories[CATEGORIES.index("cost")]
    assert (cost.judged, cost.passed, [issue.finding.rule_id for issue in cost.issues]) == (
        3,
        0,
        ["COST001", "COST002", "COST003"],
    )


def test_fixes_put_errors_first_and_quote_the_reference(failing: FileAnalysis) -> None:
    severities = [fix.severity for fix in failing.fixes]
    assert severities == sorted(severities, key=lambda severity: severity != "error")
    assert {fix.rule_id for fix in failing.fixes} == set(failing.tally.failed_rules)
    cost001 = next(fix for fix in failing.fixes if fix.rule_id == "COST001")
    assert "BillingMode: PAY_PER_REQUEST" in cost001.snippet


def test_rules_not_judged_say_why(failing: FileAnalysis) -> None:
    reasons = {item.rule_id: (item.status, item.reason) for item in failing.not_judged}
    assert reasons["TPL002"] == ("not_applicable", "the cfn-lint pass was turned off (--no-cfn-lint)")
    assert reasons["ARCH007"][1].startswith("the template has no dead-letter queue")


def test_headline_and_conclusion(failing: FileAnalysis) -> None:
    assert failing.headline == (
        "Non-compliant: 16 errors and 7 warnings from 22 failing rules; 8 of 13 reference components missing; score 40.9 of 100."
    )
    assert failing.conclusion.startswith("Add what is missing first: Dead-letter queue, Processor log group,")


def test_an_invalid_input_says_why_and_nothing_else() -> None:
    (invalid,) = analyse("broken.yaml")
    assert invalid.headline.startswith("Could not be evaluated: YAML syntax error")
    assert invalid.components == () and invalid.not_judged == ()
    assert [fix.rule_id for fix in invalid.fixes] == ["TPL001"]
    assert invalid.tally.score == 0
