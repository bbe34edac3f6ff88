"""ARCH011's question: does the code return a partial batch response (``batchItemFailures``)?

An object literal with a ``batchItemFailures`` property (literal, quoted,
computed-literal or shorthand key) counts only when it is returned: as a ``return``
argument (also through ``await``, ``?:``, ``&&``/``||``, ``Promise.resolve(...)``), as
an arrow function's expression body, passed as the result to a handler's ``callback``
(third parameter), or via a variable holding such an object (or given
``x.batchItemFailures = ...``) that is returned. Any ``return`` in the code counts, so
helpers that build the response are covered. The line reported is that of the
``batchItemFailures`` key (or of the ``x.batchItemFailures = ...`` assignment).
"""

from __future__ import annotations

from typing import Any

from checker.model.code.index import (
    THROUGH_BRANCHES,
    THROUGH_OPERANDS,
    THROUGH_PROMISE_RESOLVE,
    THROUGH_SEQUENCE,
    CodeIndex,
    Steps,
)
from checker.model.code.syntax import key_of, member_name, unwrap

_BATCH_KEY = "batchItemFailures"

# A returned value is what `c ? x : y`, `x || y`, `(a, x)` and `Promise.resolve(x)` hand over.
_RETURNED_VALUE: Steps = {**THROUGH_BRANCHES, **THROUGH_OPERANDS, **THROUGH_SEQUENCE, **THROUGH_PROMISE_RESOLVE}


def batch_responses(index: CodeIndex) -> list[tuple[int, int]]:
    """Places (line, column) of the ``batchItemFailures`` keys (or assignments) in responses the code returns."""
    places: list[tuple[int, int]] = []
    for expression in _returned(index):
        for value in index.follow(expression, _RETURNED_VALUE, keep_identifiers=True):
            if value.type == "ObjectExpression":
                places.extend(index.place(prop.key) for prop in value.properties or [] if key_of(prop) == _BATCH_KEY)
            elif value.type == "Identifier":
                targets = index.member_assignments.get(value.name, ())
                places.extend(index.place(target.property) for target in targets if member_name(target) == _BATCH_KEY)
    return places


def _returned(index: CodeIndex) -> list[Any]:
    """What functions hand back: ``return`` arguments, arrow bodies, results passed to ``callback(null, result)``."""
    returned = list(index.returned)
    for call in index.calls:
        callee = unwrap(call.callee)
        args = call.arguments or []
        if getattr(callee, "type", None) == "Identifier" and callee.name in index.callback_names and len(args) >= 2:
            returned.append(args[1])
    return returned
