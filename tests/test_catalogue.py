"""The catalogue as data: schema-valid, complete, every check used, documentation generated from it."""

from __future__ import annotations

import re

import pytest

from checker.evaluation.catalogue import CatalogueError, load_catalogue, rules_dir, validate_rule_document
from checker.evaluation.checks import REGISTRY
from checker.evaluation.registry import check
from checker.reports.rules import render_catalogue_markdown
from tests.conftest import ROOT

PUBLIC_IDS = [
    "TPL001",
    "TPL002",
    "TPL003",
    "ARCH001",
    "ARCH002",
    "ARCH003",
    "ARCH004",
    "ARCH005",
    "ARCH006",
    "ARCH007",
    "ARCH008",
    "ARCH009",
    "ARCH010",
    "ARCH011",
    "COST001",
    "COST002",
    "COST003",
    "COST004",
    "MON001",
    "MON002",
    "MON003",
    "MON004",
    "MON005",
    "MON006",
    "SEC001",
    "SEC002",
    "SEC003",
    "SEC004",
    "SEC005",
    "SEC006",
    "SEC007",
    "SEC008",
    "SEC009",
    "REL001",
    "REL002",
    "REL003",
    "REL004",
    "REL005",
    "REL006",
]
WARNINGS = {"ARCH007", "ARCH009", "MON003", "MON004", "MON005", "SEC008", "REL003", "REL004", "REL005", "REL006"}


def test_every_rule_file_validates_against_the_schema() -> None:
    rules = load_catalogue.__wrapped__(validate=True)
    assert [rule.id for rule in rules] == PUBLIC_IDS


def test_severities_are_the_documented_defaults() -> None:
    assert {rule.id for rule in load_catalogue() if rule.severity == "warning"} == WARNINGS


def test_schema_rejects_a_malformed_rule() -> None:
    document = {"id": "COST9", "title": "x", "category": "cost", "severity": "fatal"}
    with pytest.raises(CatalogueError, match=r"COST9\.yaml"):
        validate_rule_document(document, "COST9.yaml")


def test_every_python_check_is_registered_and_used() -> None:
    used = {rule.check["function"] for rule in load_catalogue() if rule.engine == "python"}
    assert used == set(REGISTRY)


def test_guard_rules_name_only_their_parameters() -> None:
    for rule in load_catalogue():
        if rule.engine == "guard":
            assert set(re.findall(r"\{\{(\w+)\}\}", rule.check["rule"])) <= set(rule.parameters), rule.id


def test_readme_rule_table_is_generated_from_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    table = readme[readme.index(start) + len(start) : readme.index(end)]
    assert table == render_catalogue_markdown(load_catalogue()), "run: cfn-compliance rules --format markdown"


def test_rules_dir_holds_one_file_per_rule() -> None:
    assert sorted(path.stem for path in rules_dir().glob("*.yaml")) == sorted(PUBLIC_IDS)


def test_a_second_check_with_a_registered_name_is_refused() -> None:
    def order_queue_is_standard(_context: object) -> list:
        return []

    with pytest.raises(ValueError, match="two Python checks are named order_queue_is_standard"):
        check(order_queue_is_standard)
