"""The bundled reference passes everything: every rule with zero findings, cfn-lint with no error and no warning."""

from __future__ import annotations

from checker.evaluation.options import CheckOptions
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, REFERENCE


def test_reference_passes_every_rule_with_cfn_lint() -> None:
    report = check_file(str(REFERENCE), CheckOptions(today=CHECK_DATE))
    assert report.findings == ()
    # The reference needs no queue policy, so the rule about queue policies has nothing to judge.
    assert {result.rule_id: result.status for result in report.results if result.status != "pass"} == {
        "SEC009": "not_applicable",
        "TPL004": "not_applicable",
    }
    assert report.status == "compliant"


def test_cfn_lint_reports_nothing_at_all_on_the_reference() -> None:
    from cfnlint.api import ManualArgs, lint

    matches = lint(REFERENCE.read_text(), config=ManualArgs(regions=["us-east-1"], include_checks=["I"]))
    assert [(match.rule.id, match.message) for match in matches] == []


def test_reference_recognises_itself_component_by_component() -> None:
    report = check_file(str(REFERENCE), CheckOptions(cfn_lint=False, today=CHECK_DATE))
    assert [(match.component, match.candidate_resource, match.differences) for match in report.reference] == [
        (match.component, match.reference_resource, ()) for match in report.reference
    ]
    assert all(match.candidate_resource for match in report.reference)


def test_side_by_side_lists_missing_components_and_differing_settings(tmp_path) -> None:
    text = REFERENCE.read_text().replace("MemorySize: 256", "MemorySize: 1024")
    # The query is the reference's last resource: cut it out, up to the Outputs section.
    start, end = text.index("  ProcessingErrorsQuery:"), text.index("Outputs:")
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(text[:start] + text[end:])
    report = check_file(str(candidate), CheckOptions(cfn_lint=False, today=CHECK_DATE))
    by_component = {match.component: match for match in report.reference}
    assert by_component["query"].candidate_resource is None
    assert [(d.setting, d.reference, d.candidate) for d in by_component["processor"].differences] == [("MemorySize", 256, 1024)]
    assert [finding.rule_id for finding in report.findings] == ["COST002", "MON005"]


def test_the_last_resource_snippet_ends_with_the_resources_section() -> None:
    from checker.evaluation.reference import reference_snippet

    query = reference_snippet("query")
    assert query.startswith("ProcessingErrorsQuery:\n  Type: AWS::Logs::QueryDefinition")
    assert "Outputs" not in query and query.splitlines()[-1].strip() == "| limit 100"
