"""Values written into the template: secrets (SEC007) and hardcoded accounts, regions and zones (SEC008).

These read the source as written, not the resolved stack: a literal is a problem where the user wrote it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from checker.bundled import DATA
from checker.evaluation.checks.common import once_per_place
from checker.evaluation.context import Context, Outcome, Violation
from checker.evaluation.evaluate import source_path
from checker.evaluation.registry import check
from checker.load import Mark
from checker.load.template import MarkedDict, MarkedList
from checker.model import iam
from checker.tree import walk

# --- secrets and hardcoded identifiers in the source ----------------------------------

_SECRET_NAME = re.compile(r"passw(or)?d|passphrase|secret|token|api[_-]?key|credential|private[_-]?key", re.IGNORECASE)
# Names that point at a secret or describe one hold no secret themselves: DB_SECRET_NAME, TOKEN_TTL_SECONDS.
_POINTER_SUFFIX = re.compile(
    r"(name|arn|id|ids|path|param|parameter|url|uri|endpoint|header|ttl|ttl_?seconds|seconds|minutes|expiry|expiration|length|type|region)$",
    re.IGNORECASE,
)


def _secret_named(name: str) -> bool:
    return _SECRET_NAME.search(name) is not None and _POINTER_SUFFIX.search(name.replace("-", "_")) is None


_ACCESS_KEY = re.compile(r"(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")


def _source_strings(node: object, path: tuple) -> Iterator[tuple[tuple, str]]:
    """Every string (and whole number, as text) written in the source under `node`, with its path."""
    for where, item in walk(node, path):
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, int) and not isinstance(item, bool):
            yield where, str(item)


def _literal(value: object) -> bool:
    """A value written out in the template; a dynamic reference ({{resolve:...}}) is not.

    Fn::If is judged per branch; a Fn::Sub without variables and a Fn::Join of literals are literals too."""
    function, argument = next(iter(value.items())) if isinstance(value, dict) and len(value) == 1 else (None, None)
    if function == "Fn::If" and isinstance(argument, list):
        return any(_literal(branch) for branch in argument[1:])
    if function == "Fn::Sub" and isinstance(argument, str):
        return "${" not in argument.replace("${!", "") and _literal(argument)
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list):
        return all(isinstance(part, (str, int, float)) for part in argument[1]) and _literal("".join(map(str, argument[1])))
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    return str(value) != "" and not str(value).startswith("{{resolve:")


@check
def no_secrets_in_template(context: Context) -> Iterator[Outcome]:
    yield from once_per_place(context, _secret_settings(context))
    yield from once_per_place(context, _access_keys(context))  # also where a secret setting holds one


def _secret_settings(context: Context) -> Iterator[Violation]:
    parameters = context.template.data.get("Parameters")
    if isinstance(parameters, dict):
        for name, spec in parameters.items():
            if not _secret_named(name) or not isinstance(spec, dict):
                continue
            if _literal(spec.get("Default")) and not str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                yield Violation(
                    None, ("Parameters", name, "Default"), f"The secret-named parameter {name} has a literal Default."
                )
            if spec.get("NoEcho") not in (True, "true", "True"):
                yield Violation(None, ("Parameters", name), f"The secret-named parameter {name} is not NoEcho: true.")
    for logical_id, resource in context.template.resources.items():
        properties = resource.get("Properties")
        environment = properties.get("Environment") if isinstance(properties, dict) else None
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if isinstance(variables, dict):
            for name, value in variables.items():
                if _secret_named(name) and _literal(value):
                    yield Violation(
                        logical_id,
                        ("Properties", "Environment", "Variables", name),
                        f"The environment variable {name} of {logical_id} holds a literal secret value.",
                    )


def _access_keys(context: Context) -> Iterator[Violation]:
    for path, text in _source_strings(context.template.data, ()):
        if _ACCESS_KEY.search(text):
            yield Violation.at(path, "A value shaped like an AWS access key id is written in the template.")


_REGION_NAME = (
    r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob)-"
    r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-[0-9]"
)
# Every hardcoded value in a string, in the order written; a zone is tried before the region it begins with.
_HARDCODED = re.compile(
    r"(?P<account>(?<![0-9+])[0-9]{12}(?![0-9]))"  # "+447700900123" is a phone number
    rf"|(?P<zone>{_REGION_NAME}[a-z](?![a-z0-9]))"
    rf"|(?P<region>{_REGION_NAME}(?![0-9]))"
)
_ADVICE = {
    "account": "is an account id written into the template; use ${AWS::AccountId} or a reference.",
    "region": "is a region written into the template; use ${AWS::Region} or a reference.",
    "zone": "is an Availability Zone written into the template; use Fn::GetAZs (!Select [0, !GetAZs '']) or a parameter.",
}
_DIGIT = re.compile(r"[0-9]")
_LAYER_ACCOUNT = re.compile(r":([0-9]{12}):layer:")  # what follows the region of a layer ARN
# Parameter defaults and mapping values are the place for environment-specific values; conditions compare them.
_SKIPPED_SECTIONS = ("Description", "Metadata", "Parameters", "Mappings", "Rules", "Conditions")


@check
def no_hardcoded_account_or_region(context: Context) -> Iterator[Outcome]:
    found = once_per_place(context, _hardcoded_values(context), distinct=lambda one: (one.line, one.column, one.message))
    return iter(sorted(found, key=_written_order))


def _written_order(outcome: Outcome) -> tuple[int, int]:
    """Findings in the order the values are written, several in one string by column."""
    return (outcome.line or 0, outcome.column or 0) if isinstance(outcome, Violation) else (0, 0)


def _hardcoded_values(context: Context) -> Iterator[Violation]:
    """One violation per hardcoded account, region or zone, at the line and column where it is written."""
    for section, node in context.template.data.items():
        if section in _SKIPPED_SECTIONS:
            continue
        for path, text in _source_strings(node, (section,)):
            if _DIGIT.search(text) is None:  # accounts, regions and zones all hold one: most strings end here
                continue
            if iam.is_aws_managed_policy_arn(text) or (path and path[-1] in ("Description", "AlarmDescription")):
                continue
            for found in _HARDCODED.finditer(text):
                kind, value = str(found.lastgroup), found.group(0)
                if kind == "account" and text.startswith(":layer:", found.end()) and value in published_layer_accounts():
                    continue
                violation = Violation.at(path, f"'{value}' {_region_advice(text, found) or _ADVICE[kind]}")
                mark = _written_at(context, violation, value, text.count(value, 0, found.start()), text)
                yield replace(violation, line=mark.line, column=mark.column)


def _written_at(context: Context, violation: Violation, value: str, occurrence: int, text: str) -> Mark:
    """Where the occurrence-th `value` inside the string is written; the key's mark when the text cannot be found
    there (an escape sequence), or is found beyond the lines the string could span (or, for a string SAM generated,
    beyond the entry it was traced back to)."""
    path = source_path(context, violation)
    where = context.template.origin(path)
    start, found = context.template.value_mark_at(where), context.template.locate(where, value, occurrence)
    if start is None or found is None:
        return context.template.mark_at(where)
    last = start.line + text.count("\n") + text.count(" ") + 1
    if where != path:  # generated by a transform: the text may lie anywhere in what it was generated from
        last = max(last, _last_line(context.template.written_at(where)) + text.count("\n") + 1)
    return found if found.line <= last else context.template.mark_at(where)


def _last_line(node: object) -> int:
    """The last line on which anything inside a written node begins."""
    if isinstance(node, MarkedDict):
        marks = [*node.key_marks.values(), *node.value_marks.values()]
        return max([mark.line for mark in marks] + [_last_line(item) for item in node.values()], default=node.start.line)
    if isinstance(node, MarkedList):
        return max([mark.line for mark in node.item_marks] + [_last_line(item) for item in node], default=node.start.line)
    return 0


def _region_advice(text: str, found: re.Match) -> str | None:
    """For a region in the ARN of a layer published from that region only: ${AWS::Region} alone would name a layer
    that does not exist elsewhere."""
    layer = _LAYER_ACCOUNT.match(text, found.end()) if found.lastgroup == "region" else None
    publisher = published_layer_accounts().get(layer.group(1)) if layer else None
    if layer is None or publisher is None or publisher.regions != (found.group(0),):
        return None
    return (
        f"is a region written into the template; {publisher.name} publishes this layer from account {layer.group(1)} "
        f"in {found.group(0)} only, so look the ARN up in Mappings by ${{AWS::Region}}."
    )


@dataclass(frozen=True)
class Publisher:
    """Who publishes layers from an account, and in which regions (one region: the ARN must be mapped by region)."""

    name: str
    regions: tuple[str, ...]


@functools.cache
def published_layer_accounts() -> dict[str, Publisher]:
    """AWS accounts that publish public Lambda layers (data/published_layer_accounts.json, which names its sources)."""
    data = json.loads((DATA / "published_layer_accounts.json").read_text(encoding="utf-8"))
    return {
        account: Publisher(" and ".join(entry["publishes"]), tuple(entry["regions"]))
        for account, entry in data["accounts"].items()
    }
