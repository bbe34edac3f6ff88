"""The rule catalogue: one YAML file per rule in rules/, validated against a JSON Schema.

Parsing the 40-odd YAML files costs about 20 ms, a sixth of a one-file pre-commit run, so the parsed documents are
cached as one JSON file in the user's cache folder, named by the tool's version and each rule file's name, size and
modification time: an edited, added or removed rule file (or another version) never reads a stale cache. A cache
that cannot be written (a read-only home) costs only the time it would have saved."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from checker import __version__
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


def cache_folder() -> Path:
    """CFN_COMPLIANCE_CACHE_DIR, else $XDG_CACHE_HOME/cfn-compliance, else ~/.cache/cfn-compliance."""
    chosen = os.environ.get("CFN_COMPLIANCE_CACHE_DIR")
    if chosen:
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cfn-compliance"


def _documents(paths: list[Path]) -> list[dict]:
    """The rule files' documents, from the cache when it was written from these very files."""
    stamp = hashlib.sha256(__version__.encode())
    for path in paths:
        status = path.stat()
        stamp.update(f"\0{path.name}\0{status.st_size}\0{status.st_mtime_ns}".encode())
    cached = cache_folder() / f"catalogue-{stamp.hexdigest()[:24]}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    documents = [_read(path) for path in paths]
    _store(cached, json.dumps(documents))
    return documents


def _store(cached: Path, text: str) -> None:
    """Write the cache whole or not at all (several processes may start at once), removing the caches of other
    rule files or versions; any failure leaves things as they were."""
    import tempfile

    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cached.parent, delete=False, suffix=".tmp") as handle:
            handle.write(text)
        os.replace(handle.name, cached)
        for old in cached.parent.glob("catalogue-*.json"):
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError:
        pass


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
    paths = sorted(rules_dir().glob("*.yaml"))
    for path, document in zip(paths, _documents(paths), strict=True):
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
