"""Security checks: IAM written in the template, the processor's permissions, secrets, hardcoded ids, queue policies."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from checker.evaluation.checks.common import (
    Statement,
    as_list,
    once_per_place,
    policy_documents,
    require,
    statement_key,
    template_statements,
)
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.model import iam
from checker.model.recognise import log_group_name_of
from checker.model.values import RefStr, Unknown, as_mapping, find_unknown
from checker.tree import walk
from checker.vocabulary import ACCOUNT, REGION


def _list_entries(statement: Statement, key: str) -> Iterator[tuple[tuple, object]]:
    """(path, value) of each entry of Action/Resource/..., addressing list items by index."""
    value = statement.body.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield (*statement_key(statement, key), index), item
    elif value is not None:
        yield statement_key(statement, key), value


def _allows(statement: Statement) -> bool:
    return statement.body.get("Effect") == "Allow"


def _unresolved_entries(statement: Statement, *keys: str) -> Iterator[Unresolved]:
    """An Unresolved for each Effect/Action/Resource/... entry that cannot be known before deployment."""
    for key in ("Effect", *keys):
        for _, value in _list_entries(statement, key):
            if isinstance(value, Unknown):
                yield Unresolved(f"{statement.resource}: a statement's {key} cannot be resolved: {value.reason}")


def _statements_or_not_applicable(context: Context) -> Iterator[Statement | NotApplicable]:
    statements = list(template_statements(context))
    if not statements:
        yield NotApplicable("the template writes no IAM policy statement")
    yield from statements


@check
def no_wildcard_actions(context: Context) -> Iterator[Outcome]:
    return once_per_place(context, _wildcard_actions(context))


def _wildcard_actions(context: Context) -> Iterator[Outcome]:
    for statement in _statements_or_not_applicable(context):
        if isinstance(statement, NotApplicable):
            yield statement
            continue
        yield from _unresolved_entries(statement, "Action", "NotAction")
        if not _allows(statement):
            continue
        if "NotAction" in statement.body:
            excluded = ", ".join(str(action) for action in as_list(statement.body["NotAction"]))
            yield Violation(
                statement.resource,
                statement_key(statement, "NotAction"),
                f"{statement.resource} allows every action except {excluded} (NotAction with Allow).",
            )
        for path, action in _list_entries(statement, "Action"):
            if isinstance(action, str) and iam.is_wildcard_action(action):
                yield Violation(statement.resource, path, f"{statement.resource} allows the wildcard action '{action}'.")


def _needs_resource_scope(actions: list[str]) -> list[str]:
    """Actions of a statement that have a required resource type in AWS's IAM data."""
    scoped: list[str] = []
    for action in actions:
        if action == "*":
            return ["*"]
        scoped.extend(iam.actions_with_required_resource(action))
    return scoped


@check
def no_wildcard_resources(context: Context) -> Iterator[Outcome]:
    return once_per_place(context, _wildcard_resources(context))


def _wildcard_resources(context: Context) -> Iterator[Outcome]:
    for statement in _statements_or_not_applicable(context):
        if isinstance(statement, NotApplicable):
            yield statement
            continue
        yield from _unresolved_entries(statement, "Action", "NotAction", "Resource")
        if not _allows(statement):
            continue
        if "NotAction" in statement.body:
            for path, resource in _list_entries(statement, "Resource"):
                if isinstance(resource, str) and iam.is_wildcard_resource_arn(resource):
                    excluded = ", ".join(str(action) for action in as_list(statement.body["NotAction"]))
                    message = f"{statement.resource} allows every action except {excluded} on '{resource}'."
                    yield Violation(statement.resource, path, message)
            continue
        actions = [action for action in as_list(statement.body.get("Action")) if isinstance(action, str)]
        for path, resource in _list_entries(statement, "Resource"):
            if not isinstance(resource, str) or not iam.is_wildcard_resource_arn(resource):
                continue
            scoped = _needs_resource_scope(actions)
            if scoped:
                shown = ", ".join(scoped[:4]) + (f" and {len(scoped) - 4} more" if len(scoped) > 4 else "")
                yield Violation(
                    statement.resource,
                    path,
                    f"{statement.resource} allows {shown} on '{resource}', though these actions can be scoped to specific resources.",
                )


@check
def no_broad_managed_policies(context: Context) -> Iterator[Outcome]:
    roles = context.resolved.of_type("AWS::IAM::Role")
    if not roles:
        yield NotApplicable("the template has no IAM role")
    for role in roles:
        for index, arn in enumerate(as_list(role.properties.get("ManagedPolicyArns"))):
            if isinstance(arn, Unknown):
                yield Unresolved(f"{role.logical_id}: a managed policy ARN cannot be resolved: {arn.reason}")
            broad = iam.broad_managed_policy(arn) if isinstance(arn, str) else None
            if broad:
                yield Violation(
                    role.logical_id,
                    ("Properties", "ManagedPolicyArns", index),
                    f"The role {role.logical_id} attaches the AWS managed policy {broad}.",
                )


# --- SEC004: what the processor must be allowed to do ------------------------------


def _role_statements(context: Context, role: str) -> list[dict]:
    """Every statement that applies to the role: inline, attached template policies, AWS managed policies."""
    statements: list[dict] = []
    resource = context.resource(role)
    for _, document in policy_documents(resource):
        statements.extend(iam.statements_of(as_mapping(document)))
    for arn in as_list(resource.properties.get("ManagedPolicyArns")):
        statements.extend(_managed_statements(context, arn))
    for policy in context.resolved.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
        attached_to = [*as_list(policy.properties.get("Roles")), policy.properties.get("RoleName")]
        if any(_names_role(context, entry, role) for entry in attached_to):
            statements.extend(iam.statements_of(as_mapping(policy.properties.get("PolicyDocument"))))
    return statements


def _boundary_statements(context: Context, role: str) -> list[dict] | None:
    """The role's permissions boundary, which caps what its policies grant (None: no boundary)."""
    boundary = context.resource(role).properties.get("PermissionsBoundary")
    return None if boundary is None else _managed_statements(context, boundary)


def _managed_statements(context: Context, arn: object) -> list[dict]:
    if isinstance(arn, RefStr):
        for logical_id in arn.refs:
            if logical_id in context.resolved.resources and context.resource(logical_id).type == "AWS::IAM::ManagedPolicy":
                return iam.statements_of(as_mapping(context.resource(logical_id).properties.get("PolicyDocument")))
    document = iam.managed_policy_document(arn) if isinstance(arn, str) else None
    return iam.statements_of(document) if document else []


def _names_role(context: Context, entry: object, role: str) -> bool:
    return (isinstance(entry, RefStr) and role in entry.refs) or entry == context.resolved.name_of(role)


def _arn_fields(arn: str) -> list[str]:
    return arn.split(":", 5)


def _covers(context: Context, logical_id: str | None, arns: tuple[str, ...]) -> Callable[[object], bool]:
    """Does a policy Resource entry cover the subject? `*`, a Ref or GetAtt of it, or an ARN pattern matching its ARN."""
    references = {context.resolved.ref(logical_id), context.resolved.get_att(logical_id, "Arn")} if logical_id else set()

    def covers(entry: object) -> bool:
        if not isinstance(entry, str):
            return False
        return entry in references or any(iam.arn_matches(_lenient(entry, arn), arn) for arn in arns)

    return covers


def _lenient(pattern: str, arn: str) -> str:
    """Let a literal region or account in a policy match the stack's own (symbolic) ones."""
    pattern_fields, arn_fields = _arn_fields(pattern), _arn_fields(arn)
    if len(pattern_fields) == 6 and len(arn_fields) == 6:
        for index in (3, 4):
            if arn_fields[index] in (REGION, ACCOUNT):
                pattern_fields[index] = "*"
        return ":".join(pattern_fields)
    return pattern


_NEEDS = (
    ("order_queue", ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"), "all"),
    ("status_table", ("dynamodb:PutItem", "dynamodb:UpdateItem"), "any"),
    ("log_group", ("logs:CreateLogStream", "logs:PutLogEvents"), "all"),
)


def _subject_arns(context: Context, part: str) -> tuple[str | None, tuple[str, ...]]:
    if part == "log_group":
        # Both actions act on log streams: a grant must reach arn:...:log-group:NAME:log-stream:*.
        name = log_group_name_of(context.resolved, context.part("processor").logical_id)
        return context.arch.processor_log_group, (f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:log-stream:<stream>",)
    logical_id = getattr(context.arch, part)
    if logical_id is None:
        return None, ()
    arn = context.resolved.get_att(logical_id, "Arn")
    return logical_id, (arn,) if isinstance(arn, str) else ()


@check
def processor_role_permissions(context: Context) -> Iterator[Outcome]:
    absent = require(context, "processor")
    if absent:
        yield absent
        return
    processor, role = context.part("processor").logical_id, context.arch.processor_role
    if role is None:
        yield Unresolved(f"the role of {processor} is not defined in this template, so its permissions cannot be read")
        return
    log_group_name = log_group_name_of(context.resolved, processor)
    statements = _role_statements(context, role)
    boundary = _boundary_statements(context, role)
    lacking: list[str] = []
    for part, actions, mode in _NEEDS:
        if part != "log_group" and getattr(context.arch, part) is None:
            continue
        if part == "log_group" and isinstance(log_group_name, Unknown):
            yield Unresolved(f"the log group of {processor} cannot be resolved, so its log permissions cannot be judged")
            continue
        logical_id, arns = _subject_arns(context, part)
        covers = _covers(context, logical_id, arns)
        granted = [
            action
            for action in actions
            if iam.allows(statements, action, covers) and (boundary is None or iam.allows(boundary, action, covers))
        ]
        subject = logical_id or f"its log group {log_group_name}"
        if mode == "all":
            lacking.extend(f"{action} on {subject}" for action in actions if action not in granted)
        elif not granted:
            lacking.append(f"{' or '.join(actions)} on {subject}")
    if lacking and find_unknown([statements, boundary]):
        yield Unresolved(f"the role {role} may lack {'; '.join(lacking)}, but some of its policy values cannot be resolved")
    elif lacking:
        yield Violation(role, ("Properties",), f"The processor's role {role} lacks {'; '.join(lacking)}.")


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


@check
def queue_policies_not_public(context: Context) -> Iterator[Outcome]:
    policies = context.resolved.of_type("AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy")
    if not policies:
        yield NotApplicable("the template has no SQS queue policy")
    for policy in policies:
        document = as_mapping(policy.properties.get("PolicyDocument"))
        statements = document.get("Statement") if document else None
        entries = list(enumerate(statements)) if isinstance(statements, list) else [(None, statements)]
        for index, statement in entries:
            if not isinstance(statement, dict):
                continue
            unknown = next(
                (value for value in (statement.get("Effect"), statement.get("Principal")) if find_unknown(value)), None
            )
            if unknown is not None:
                yield Unresolved(f"{policy.logical_id}: a statement's Effect or Principal cannot be resolved")
                continue
            if statement.get("Effect") != "Allow" or statement.get("Condition"):
                continue
            if _public(statement.get("Principal")):
                where = ("Properties", "PolicyDocument", "Statement", *(() if index is None else (index,)), "Principal")
                yield Violation(
                    policy.logical_id,
                    where,
                    f"The queue policy {policy.logical_id} allows any principal ('*') without a condition.",
                )


def _public(principal: object) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(entry == "*" for entry in as_list(principal.get("AWS")))
    return False
