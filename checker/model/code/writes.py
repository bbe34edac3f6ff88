"""REL006's evidence: which calls write to DynamoDB.

A ``catch`` writes when one of these calls is in its body or in a local function it
reaches by calls, followed as for logging (see ``checker.model.code.catches``).
"""

from __future__ import annotations

import re
from typing import Any

from checker.model.code.index import CodeIndex
from checker.model.code.syntax import member_name, object_keys, unwrap

# AWS SDK v3 command classes that write to DynamoDB (client-dynamodb and lib-dynamodb).
DYNAMODB_WRITE_COMMANDS = frozenset(
    {
        "PutItemCommand",
        "UpdateItemCommand",
        "BatchWriteItemCommand",
        "TransactWriteItemsCommand",
        "PutCommand",
        "UpdateCommand",
        "BatchWriteCommand",
        "TransactWriteCommand",
    }
)
# SDK v2 ``AWS.DynamoDB`` (and v3 aggregated ``DynamoDB``) methods: unambiguous names.
_LOW_LEVEL_WRITE_METHODS = frozenset({"putItem", "updateItem", "batchWriteItem", "transactWriteItems"})
# DocumentClient methods: generic names (``hash.update(...)`` is not a write), so
# these only count with corroborating evidence, see ``_DynamoDBWrites.line_of``.
_DOCUMENT_WRITE_METHODS = frozenset({"put", "update", "batchWrite", "transactWrite"})
# Keys of a DynamoDB write request; an argument object carrying one is evidence.
_WRITE_REQUEST_KEYS = frozenset({"TableName", "RequestItems", "TransactItems"})
_DYNAMO_NAME = re.compile(r"dynamo|doc(?:ument)?_?client", re.IGNORECASE)
_DDB_NAME = re.compile(r"(?:^|[^A-Za-z])[dD]db|[a-z_]Ddb|DDB")


def dynamodb_writes(index: CodeIndex) -> dict[int, int]:
    """``id(call) -> line`` of every call in the code that writes to DynamoDB."""
    writes = _DynamoDBWrites(index)
    found: dict[int, int] = {}
    for call in index.calls:
        line = writes.line_of(call)
        if line is not None:
            found[id(call)] = line
    return found


class _DynamoDBWrites:
    def __init__(self, index: CodeIndex) -> None:
        self._index = index
        self._promised = _promised_calls(index)

    def line_of(self, call: Any) -> int | None:
        """Line of the write method's name if ``call`` writes to DynamoDB, else None.

        ``x.send(cmd)`` writes when ``cmd`` is (or is bound to) ``new <WriteCommand>``.
        ``putItem``/``updateItem``/``batchWriteItem``/``transactWriteItems`` always
        write. DocumentClient's ``put``/``update``/``batchWrite``/``transactWrite``
        are common words (``hash.update(data)``), so they need evidence: a chained
        ``.promise()``, a receiver named or built like a DynamoDB client (``ddb``,
        ``docClient``, ``new AWS.DynamoDB.DocumentClient()``, ``DynamoDBDocument.from``)
        or a request object with ``TableName``/``RequestItems``/``TransactItems``.
        """
        callee = unwrap(call.callee)
        method = member_name(callee)
        if method is None:
            return None
        args = call.arguments or []
        if method == "send":
            is_write = bool(args) and self._is_write_command(args[0])
        elif method in _LOW_LEVEL_WRITE_METHODS:
            is_write = True
        elif method in _DOCUMENT_WRITE_METHODS:
            is_write = (
                id(call) in self._promised
                or self._looks_like_dynamodb(callee.object)
                or (bool(args) and self._is_write_request(args[0]))
            )
        else:
            is_write = False
        return self._index.line(callee.property) if is_write else None

    def _is_write_command(self, node: Any) -> bool:
        """``cmd`` is a write command: built here, bound to a name, or returned by a local helper (``putStatus(...)``)."""
        through = {"CallExpression": self._returned_by_helper}
        return any(_is_write_command_new(value) for value in self._index.follow(node, through))

    def _returned_by_helper(self, call: Any) -> list[Any] | None:
        """What the local functions a call runs hand back; None (the call itself) when it runs none."""
        returned = [value for function in self._index.called(call) for value in self._index.returns_of(function)]
        return returned or None

    def _is_write_request(self, node: Any) -> bool:
        return any(object_keys(value) & _WRITE_REQUEST_KEYS for value in self._index.follow(node))

    def _looks_like_dynamodb(self, receiver: Any) -> bool:
        """Receiver named like a DynamoDB client, or built from something that is."""
        for value in self._index.follow(receiver, keep_identifiers=True):
            for node in self._index.walk(value):
                if node.type in ("Identifier", "PrivateIdentifier") and _is_dynamodb_name(node.name):
                    return True
        return False


def _promised_calls(index: CodeIndex) -> set[int]:
    """Ids of calls followed by ``.promise()``: the SDK v2 way to send a request."""
    promised: set[int] = set()
    for call in index.calls:
        callee = unwrap(call.callee)
        if member_name(callee) == "promise":
            inner = unwrap(callee.object)
            if getattr(inner, "type", None) == "CallExpression":
                promised.add(id(inner))
    return promised


def _is_write_command_new(node: Any) -> bool:
    """``new PutItemCommand(...)`` (or ``new lib.PutItemCommand(...)``), any write command."""
    if getattr(node, "type", None) != "NewExpression":
        return False
    callee = unwrap(node.callee)
    if getattr(callee, "type", None) == "Identifier":
        return callee.name in DYNAMODB_WRITE_COMMANDS
    return member_name(callee) in DYNAMODB_WRITE_COMMANDS


def _is_dynamodb_name(name: Any) -> bool:
    return isinstance(name, str) and bool(_DYNAMO_NAME.search(name) or _DDB_NAME.search(name))
