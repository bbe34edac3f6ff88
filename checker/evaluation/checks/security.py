"""Security checks on IAM written in the template (SEC001-SEC003) and on queue policies (SEC009).

The processor's own permissions are in `permissions`, values written into the template in `written_values`.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.evaluation.checks.common import (
    Statement,
    as_list,
    once_per_place,
    statement_key,
    template_statements,
)
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.model import iam
from checker.model.values import Unknown, as_mapping, find_unknown


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
