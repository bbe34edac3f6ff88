"""The processor's permissions: what its role must grant (SEC004) and nothing it does not need (SEC010).

Both read the role's effective permissions: its inline policies, the template's policies attached to it, the
AWS managed policies it names, and its permissions boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from checker.evaluation.checks.common import as_list, policy_documents, require
from checker.evaluation.context import Context, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.model import iam
from checker.model.recognise import log_group_name_of
from checker.model.values import RefStr, Unknown, as_mapping, find_unknown
from checker.vocabulary import ACCOUNT, REGION

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
