"""The catalogue as data: schema-valid, complete, every check used, documentation generated from it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from checker.evaluation import catalogue
from checker.evaluation.catalogue import CatalogueError, load_catalogue, rules_dir, validate_rule_document
from checker.evaluation.checks import REGISTRY
from checker.evaluation.registry import check
from checker.reports.rules import render_catalogue_markdown
from checker.vocabulary import CATEGORIES
from tests.conftest import ROOT


def test_every_rule_file_validates_against_the_schema() -> None:
    rules = load_catalogue.__wrapped__(validate=True)
    assert [rule.id for rule in rules] == [rule.id for rule in load_catalogue()]
    assert len({rule.id for rule in rules}) == len(rules)


def test_the_catalogue_lists_rules_by_category_then_number() -> None:
    order = [(CATEGORIES.index(rule.category), int(rule.id[-3:])) for rule in load_catalogue()]
    assert order == sorted(order)


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
    """The README's table is where public rule ids and severities are pinned: a rule renamed, removed or given
    another severity shows up in its diff."""
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    table = readme[readme.index(start) + len(start) : readme.index(end)]
    assert table == render_catalogue_markdown(load_catalogue()), "run: cfn-compliance rules --format markdown"


def test_rules_dir_holds_one_file_per_rule() -> None:
    assert sorted(path.stem for path in rules_dir().glob("*.yaml")) == sorted(rule.id for rule in load_catalogue())


def test_a_second_check_with_a_registered_name_is_refused() -> None:
    def order_queue_is_standard(_context: object) -> list:
        return []

    with pytest.raises(ValueError, match="two Python checks are named order_queue_is_standard"):
        check(order_queue_is_standard)


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The catalogue read from a copy of rules/, with its cache in a fresh folder."""
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir(), copy)
    monkeypatch.setattr(catalogue, "rules_dir", lambda: copy)
    monkeypatch.setenv("CFN_COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    load_catalogue.cache_clear()
    yield copy
    load_catalogue.cache_clear()


def test_the_parsed_catalogue_is_cached_and_read_back(rules_copy: Path, tmp_path: Path) -> None:
    first = load_catalogue()
    [cached] = (tmp_path / "cache").glob("catalogue-*.json")
    documents = json.loads(cached.read_text(encoding="utf-8"))
    assert [document["id"] for document in documents] == sorted(rule.id for rule in first)
    documents[0]["title"] = "Read from the cache"
    cached.write_text(json.dumps(documents), encoding="utf-8")
    load_catalogue.cache_clear()
    assert [rule.title for rule in load_catalogue() if rule.id == documents[0]["id"]] == ["Read from the cache"]


def test_an_edited_rule_file_is_read_again_and_the_old_cache_removed(rules_copy: Path, tmp_path: Path) -> None:
    load_catalogue()
    rule_file = rules_copy / "COST002.yaml"
    rule_file.write_text(rule_file.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    load_catalogue.cache_clear()
    assert next(rule.title for rule in load_catalogue() if rule.id == "COST002").startswith("Edited ")
    assert len(list((tmp_path / "cache").glob("catalogue-*.json"))) == 1


def test_a_cache_folder_that_cannot_be_written_costs_nothing_but_time(rules_copy: Path, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CFN_COMPLIANCE_CACHE_DIR", str(blocker / "cache"))
    assert len(load_catalogue()) == len(list(rules_copy.glob("*.yaml")))
