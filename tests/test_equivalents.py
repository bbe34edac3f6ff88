"""Each rule's `equivalents:` names only ids that exist: cfn-lint's and checkov's are looked up in the installed
packages (the Guard rules registry is not a package; its names were read from the registry's own files)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from checker.cli import main
from checker.evaluation.catalogue import EQUIVALENT_TOOLS, load_catalogue, rule_by_id


@cache
def cfn_lint_ids() -> frozenset[str]:
    import cfnlint.rules
    from cfnlint.rules import Rules

    rules = Rules.create_from_directory(str(Path(cfnlint.rules.__file__).parent))
    return frozenset(rule.id for rule in rules.values())


@cache
def checkov_ids() -> frozenset[str]:
    from checker.evaluation.checkov import offline

    with offline():
        from checkov.cloudformation.checks.resource.registry import cfn_registry
        from checkov.common.checks_infra.registry import get_graph_checks_registry

        graph = get_graph_checks_registry("cloudformation")
        graph.load_checks()
        resource_checks = {check.id for checks in cfn_registry.checks.values() for check in checks}
    return frozenset(resource_checks | {check.id for check in graph.checks})


def named(tool: str) -> list[tuple[str, str]]:
    return [(rule.id, identifier) for rule in load_catalogue() for identifier in rule.equivalents.get(tool, ())]


def test_rules_name_equivalents_of_every_tool() -> None:
    assert {tool for rule in load_catalogue() for tool in rule.equivalents} == set(EQUIVALENT_TOOLS)


@pytest.mark.parametrize(("rule_id", "identifier"), named("cfn_lint"))
def test_every_cfn_lint_id_exists_in_the_installed_cfn_lint(rule_id: str, identifier: str) -> None:
    assert identifier in cfn_lint_ids(), f"{rule_id} names {identifier}, which the installed cfn-lint does not have"


@pytest.mark.parametrize(("rule_id", "identifier"), named("checkov"))
def test_every_checkov_id_exists_in_the_installed_checkov(rule_id: str, identifier: str) -> None:
    assert identifier in checkov_ids(), f"{rule_id} names {identifier}, which the installed checkov does not have"


def test_explain_shows_the_equivalents(capsys) -> None:
    assert main(["explain", "REL002"]) == 0
    assert (
        "Equivalents in other tools:\n  checkov: CKV_AWS_28\n  AWS Guard rules registry: DYNAMODB_PITR_ENABLED\n"
        in capsys.readouterr().out
    )


def test_the_json_catalogue_lists_the_equivalents_of_every_tool(capsys) -> None:
    assert main(["rules", "--format", "json"]) == 0
    documents = {document["id"]: document for document in json.loads(capsys.readouterr().out)}
    assert documents["ARCH002"]["equivalents"] == {
        "cfn_lint": ["W2531", "E2531"],
        "checkov": ["CKV_AWS_363"],
        "guard_registry": [],
    }
    assert documents["ARCH010"]["equivalents"] == {"cfn_lint": [], "checkov": [], "guard_registry": []}
    rule = rule_by_id("SEC003")
    assert rule is not None and rule.equivalents == {
        "guard_registry": ("IAM_ROLE_ADMINISTRATOR_ACCESS_POLICY_RULE", "IAM_ROLE_ELEVATED_MANAGED_POLICY_RULE")
    }
