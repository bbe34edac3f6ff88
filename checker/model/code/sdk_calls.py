"""SEC010's question: which AWS SDK operations the code calls, as the IAM actions they need, so that what the
code visibly uses is never counted as more than the processor needs.

Read from the syntax tree, never from text (a comment or a log line names no call): AWS SDK v3 commands
(``new PutItemCommand(...)``, ``new GetCommand(...)``, ``new SendMessageCommand(...)``) and SDK v2 methods
(``ddb.getItem(...)``, ``sqs.sendMessage(...)``; DocumentClient's ``get``/``put``/... only where the code builds a
DocumentClient). An operation counts for a service only when the code names that service somewhere: a module it
loads (``@aws-sdk/client-dynamodb``), a class, a variable.
"""

from __future__ import annotations

import re
from typing import Any

from checker.model.code.index import CodeIndex
from checker.model.code.syntax import member_name, unwrap

_TRANSACT_WRITE = ("PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem")
_PARTIQL = ("PartiQLSelect", "PartiQLInsert", "PartiQLUpdate", "PartiQLDelete")
_OPERATIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "dynamodb": {
        **{name: (name,) for name in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan")},
        **{name: (name,) for name in ("BatchGetItem", "BatchWriteItem", "DescribeTable")},
        **{"Get": ("GetItem",), "Put": ("PutItem",), "Update": ("UpdateItem",), "Delete": ("DeleteItem",)},
        **{"BatchGet": ("BatchGetItem",), "BatchWrite": ("BatchWriteItem",)},
        **{"TransactGetItems": ("GetItem",), "TransactGet": ("GetItem",)},
        **{"TransactWriteItems": _TRANSACT_WRITE, "TransactWrite": _TRANSACT_WRITE},
        **{name: _PARTIQL for name in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction")},
    },
    "sqs": {
        **{
            f"{name}{batch}": (name,)
            for name in ("SendMessage", "DeleteMessage", "ChangeMessageVisibility")
            for batch in ("", "Batch")
        },
        **{name: (name,) for name in ("ReceiveMessage", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue")},
    },
}
_DOCUMENT_CLIENT_METHODS = frozenset({"Get", "Put", "Update", "Delete", "BatchGet", "BatchWrite", "TransactGet", "TransactWrite"})
_SERVICE_NAMED = {"dynamodb": re.compile(r"dynamodb", re.IGNORECASE), "sqs": re.compile(r"sqs", re.IGNORECASE)}
_DOCUMENT_CLIENTS = ("DocumentClient", "DynamoDBDocument", "DynamoDBDocumentClient")


def sdk_actions(index: CodeIndex) -> frozenset[str]:
    """The IAM actions of the AWS SDK operations the code calls."""
    commands: set[str] = set()
    methods: set[str] = set()
    names: set[str] = set()  # what may name a service: modules loaded, classes, variables, properties
    for node in index.walk(index.program):
        kind = node.type
        if kind == "NewExpression":
            built = _name_of(node.callee)
            if built is not None and built.endswith("Command"):
                commands.add(built.removesuffix("Command"))
        elif kind == "CallExpression":
            method = member_name(unwrap(node.callee))
            if method:
                methods.add(method[0].upper() + method[1:])
        elif kind in ("Identifier", "PrivateIdentifier") and isinstance(node.name, str):
            names.add(node.name)
        elif kind == "Literal" and isinstance(node.value, str):
            names.add(node.value)
    if not any(client in names for client in _DOCUMENT_CLIENTS):
        methods -= _DOCUMENT_CLIENT_METHODS
    calls = commands | methods
    return frozenset(
        f"{service}:{action}"
        for service, operations in _OPERATIONS.items()
        if any(_SERVICE_NAMED[service].search(name) for name in names)
        for call in calls & operations.keys()
        for action in operations[call]
    )


def _name_of(callee: Any) -> str | None:
    """``PutItemCommand`` of ``new PutItemCommand(...)`` or ``new lib.PutItemCommand(...)``."""
    callee = unwrap(callee)
    if getattr(callee, "type", None) == "Identifier":
        return callee.name if isinstance(callee.name, str) else None
    return member_name(callee)
