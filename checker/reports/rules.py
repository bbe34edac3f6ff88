"""Pure renderers for the catalogue (`rules`) and one rule's explanation (`explain`)."""

from __future__ import annotations

import json

from checker.evaluation.catalogue import EQUIVALENT_TOOLS, Rule


def rule_document(rule: Rule) -> dict:
    """A rule as the JSON catalogue shows it (stable keys for scripts)."""
    return {
        "id": rule.id,
        "title": rule.title,
        "category": rule.category,
        "severity": rule.severity,
        "rationale": rule.rationale,
        "remediation": rule.remediation,
        "reference_component": rule.component,
        "engine": rule.engine,
        "parameters": dict(rule.parameters),
        "equivalents": {tool: list(rule.equivalents.get(tool, ())) for tool in EQUIVALENT_TOOLS},
    }


def render_catalogue_json(rules: tuple[Rule, ...]) -> str:
    return json.dumps([rule_document(rule) for rule in rules], indent=2) + "\n"


def render_catalogue_text(rules: tuple[Rule, ...]) -> str:
    width = max(len(rule.category) for rule in rules)
    lines = [f"{rule.id:<8}{rule.severity:<9}{rule.category:<{width + 2}}{rule.title}" for rule in rules]
    return "\n".join(lines) + f"\n\n{len(rules)} rules\n"


def render_catalogue_markdown(rules: tuple[Rule, ...]) -> str:
    """The README's rule table: generated from rules/, never written by hand."""
    rows = ["| id | severity | category | rule | checked by |", "|---|---|---|---|---|"]
    for rule in rules:
        engine = {"guard": "Guard", "python": "Python", "loader": "loader", "suppressions": "suppressions"}[rule.engine]
        rows.append(f"| {rule.id} | {rule.severity} | {rule.category} | {rule.title} | {engine} |")
    return "\n".join(rows) + "\n"


CATALOGUE_FORMATS = {"text": render_catalogue_text, "json": render_catalogue_json, "markdown": render_catalogue_markdown}


def render_explanation(rule: Rule, snippet: str) -> str:
    """Rationale, remediation, thresholds, how it is checked, and the reference's own lines."""
    parts = [
        f"{rule.id} ({rule.severity}, {rule.category}): {rule.title}",
        f"Why:\n  {rule.rationale}",
        f"Fix:\n  {rule.remediation}",
    ]
    if rule.parameters:
        parts.append(
            "Parameters:\n"
            + "\n".join(f"  {name} = {value}: {rule.parameter_descriptions[name]}" for name, value in rule.parameters.items())
        )
    if rule.engine == "guard":
        parts.append("Checked by this Guard rule on each resolved resource:\n" + _indent(rule.check["rule"].rstrip()))
    elif rule.engine == "python":
        parts.append(f"Checked by the Python check {rule.check['function']} on the resolved template.")
    elif rule.engine == "suppressions":
        parts.append("Checked after every other rule, on the suppressions the template's Metadata writes.")
    else:
        parts.append("Checked while the file is loaded.")
    if rule.equivalents:
        parts.append(
            "Equivalents in other tools:\n"
            + "\n".join(
                f"  {name}: {', '.join(rule.equivalents[tool])}"
                for tool, name in EQUIVALENT_TOOLS.items()
                if tool in rule.equivalents
            )
        )
    if snippet:
        parts.append(f"How the reference does it ({rule.component.replace('_', ' ')}):\n" + _indent(snippet))
    return "\n\n".join(parts) + "\n"


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())
