"""The rule catalogue: one YAML file per rule in rules/, validated against a JSON Schema."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from checker.bundled import DATA, bundled_path
from checker.vocabulary import CATEGORIES

RULE_SCHEMA = DATA / "rule.schema.json"
# The tools whose ids a rule's `equivalents:` may name, and how reports name them.
EQUIVALENT_TOOLS = {"cfn_lint": "cfn-lint", "checkov": "checkov", "guard_registry": "AWS Guard rules registry"}


class CatalogueError(Exception):
    """A rule file is malformed: a bug in the tool's own data, reported with the file name."""


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: str
    severity: str
    rationale: str
    remediation: str
    component: str
    component_properties: tuple[str, ...]
    check: dict
    parameters: dict[str, object] = field(default_factory=dict)
    parameter_descriptions: dict[str, str] = field(default_factory=dict)
    equivalents: dict[str, tuple[str, ...]] = field(default_factory=dict)  # tool -> its ids (EQUIVALENT_TOOLS)

    @property
    def engine(self) -> str:
        return self.check["engine"]


def rules_dir() -> Path:
    return bundled_path("rules")


def _read(path: Path) -> dict:
    import yaml

    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def validate_rule_document(document: object, source: str) -> None:
    """Raise CatalogueError when a rule document breaks the schema (used at load and in tests)."""
    import jsonschema

    schema = json.loads(RULE_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(part) for part in errors[0].path) or "(top)"
        raise CatalogueError(f"{source}: {where}: {errors[0].message}")


def _rule(document: dict) -> Rule:
    parameters = document.get("parameters", {})
    return Rule(
        id=document["id"],
        title=document["title"],
        category=document["category"],
        severity=document["severity"],
        rationale=document["rationale"].strip(),
        remediation=document["remediation"].strip(),
        component=document["reference"]["component"],
        component_properties=tuple(document["reference"].get("properties", ())),
        check=document["check"],
        parameters={name: spec["default"] for name, spec in parameters.items()},
        parameter_descriptions={name: spec["description"] for name, spec in parameters.items()},
        equivalents={tool: tuple(ids) for tool, ids in document.get("equivalents", {}).items()},
    )


@cache
def load_catalogue(validate: bool = False) -> tuple[Rule, ...]:
    """All rules in catalogue order. Schema validation runs in the tests (and will for rule files a user adds),
    not on every pre-commit run, where importing jsonschema would cost more than the check."""
    rules = []
    for path in sorted(rules_dir().glob("*.yaml")):
        document = _read(path)
        if validate:
            validate_rule_document(document, path.name)
            if document["id"] != path.stem:
                raise CatalogueError(f"{path.name}: id {document['id']} does not match the file name")
        rules.append(_rule(document))
    order = {category: index for index, category in enumerate(CATEGORIES)}
    return tuple(sorted(rules, key=lambda rule: (order[rule.category], _id_number(rule.id))))


def _id_number(rule_id: str) -> int:
    return int(rule_id[-3:])


def rule_by_id(rule_id: str) -> Rule | None:
    return next((rule for rule in load_catalogue() if rule.id == rule_id.upper()), None)
