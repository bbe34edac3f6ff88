"""The shared words are written once, in checker.vocabulary: the schemas, the rule files and the model agree with it."""

from __future__ import annotations

import dataclasses
import json

from checker.bundled import DATA
from checker.evaluation.catalogue import load_catalogue
from checker.model.recognise import Architecture
from checker.vocabulary import (
    CATEGORIES,
    CATEGORY_HEADINGS,
    COMPONENT_LABELS,
    COMPONENTS,
    FINDING_CATEGORIES,
    ID_PREFIXES,
    PARTS,
    RULE_COMPONENTS,
    SEVERITIES,
)

RULE_SCHEMA = json.loads((DATA / "rule.schema.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads((DATA / "report.schema.json").read_text(encoding="utf-8"))


def _guard_check_schema() -> dict:
    return next(
        option for option in RULE_SCHEMA["properties"]["check"]["oneOf"] if option["properties"]["engine"].get("const") == "guard"
    )


def test_the_rule_schema_speaks_the_vocabulary() -> None:
    properties = RULE_SCHEMA["properties"]
    assert properties["category"]["enum"] == list(CATEGORIES)
    assert properties["severity"]["enum"] == list(reversed(SEVERITIES))
    assert properties["reference"]["properties"]["component"]["enum"] == list(RULE_COMPONENTS)
    assert properties["id"]["pattern"] == "^(" + "|".join(ID_PREFIXES[category] for category in CATEGORIES) + ")[0-9]{3}$"
    applies_to = _guard_check_schema()["properties"]["applies_to"]["oneOf"]
    assert next(option for option in applies_to if "part" in option["properties"])["properties"]["part"]["enum"] == list(PARTS)


def test_the_report_schema_speaks_the_vocabulary() -> None:
    finding = REPORT_SCHEMA["$defs"]["finding"]["properties"]
    assert finding["category"]["enum"] == list(FINDING_CATEGORIES)
    assert sorted(finding["severity"]["enum"]) == sorted(SEVERITIES)


def test_the_recognised_architecture_has_one_field_per_part() -> None:
    assert [field.name for field in dataclasses.fields(Architecture)] == list(PARTS)


def test_every_rule_id_carries_its_category_prefix() -> None:
    for rule in load_catalogue():
        assert rule.id.rstrip("0123456789") == ID_PREFIXES[rule.category], rule.id


def test_every_component_and_category_has_its_report_words() -> None:
    assert tuple(COMPONENT_LABELS) == COMPONENTS
    assert tuple(CATEGORY_HEADINGS) == FINDING_CATEGORIES
