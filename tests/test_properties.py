"""Property test: no template, however mangled, makes a rule crash or a finding lose its place.

Mutations start from the reference (every rule exercised) and replace, rename or
delete values with intrinsic-shaped ones that name the reference's own resources.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.judge import check_template
from checker.evaluation.options import CheckOptions
from checker.load import LoadError, load_text
from tests.conftest import CHECK_DATE, REFERENCE
from tests.strategies import paths_in, replace_at, template_values

REFERENCE_DATA = json.loads(json.dumps(load_text(REFERENCE.read_text(), "reference.yaml").data))
NAMES = [*REFERENCE_DATA["Resources"], *REFERENCE_DATA["Parameters"], "OrderQueue.Arn", "AWS::NoValue", "AWS::Region"]
OPTIONS = CheckOptions(cfn_lint=False, today=CHECK_DATE, compare_reference=True)


@st.composite
def mutated_references(draw) -> dict:
    data = json.loads(json.dumps(REFERENCE_DATA))
    for _ in range(draw(st.integers(1, 4))):
        paths = [path for path in paths_in(data) if path]
        path = draw(st.sampled_from(paths))
        if draw(st.integers(0, 3)) == 0:
            parent = data
            for step in path[:-1]:
                parent = parent[step]
            del parent[path[-1]]
        else:
            data = replace_at(data, path, draw(template_values(NAMES)), rename=draw(st.booleans()))
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated_references())
def test_no_rule_crashes_on_a_mutated_reference(data: dict) -> None:
    try:
        template = load_text(json.dumps(data, default=str), "mutated.json")
    except LoadError:
        return
    report = check_template(template, OPTIONS)
    crashed = [result.message for result in report.results if "crashed" in (result.message or "")]
    assert crashed == []
    assert all(finding.line >= 1 and finding.column >= 1 for finding in report.findings)
    assert [result.rule_id for result in report.results] == [rule.id for rule in load_catalogue()]
