"""Values written into the template: secrets (SEC007) and hardcoded accounts, regions and zones (SEC008).

These read the source as written, not the resolved stack: a literal is a problem where the user wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.evaluation.checks.common import once_per_place
from checker.evaluation.context import Context, Outcome, Violation
from checker.evaluation.registry import check
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


_ACCOUNT = re.compile(r"(?<![0-9+])[0-9]{12}(?![0-9])")  # "+447700900123" is a phone number
_REGION = re.compile(
    r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob)-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-[0-9](?![0-9])"
)
# Parameter defaults and mapping values are the place for environment-specific values; conditions compare them.
_SKIPPED_SECTIONS = ("Description", "Metadata", "Parameters", "Mappings", "Rules", "Conditions")


@check
def no_hardcoded_account_or_region(context: Context) -> Iterator[Outcome]:
    return once_per_place(context, _hardcoded_accounts_and_regions(context), source_order=True)


def _hardcoded_accounts_and_regions(context: Context) -> Iterator[Violation]:
    for section, node in context.template.data.items():
        if section in _SKIPPED_SECTIONS:
            continue
        for path, text in _source_strings(node, (section,)):
            if iam.is_aws_managed_policy_arn(text) or (path and path[-1] in ("Description", "AlarmDescription")):
                continue
            found = _ACCOUNT.search(text) or _REGION.search(text)
            if found:
                kind = "an account id" if found.re is _ACCOUNT else "a region"
                pseudo = "AWS::AccountId" if found.re is _ACCOUNT else "AWS::Region"
                yield Violation.at(
                    path, f"'{found.group(0)}' is {kind} written into the template; use ${{{pseudo}}} or a reference."
                )
