"""Reading ``Promise.allSettled`` results: which code inspects rejections, which only runs for successes.

``Promise.allSettled(...)`` never rejects; its rejections are handled only where the
results are inspected for them. ``checker.model.code.catches`` turns such an
inspection into a catch clause whose body is the code after the call, as found here.
"""

from __future__ import annotations

from typing import Any

from checker.model.code.index import CodeIndex
from checker.model.code.syntax import key_of, member_name, position, unwrap

_EQUALITY = frozenset({"===", "==", "!==", "!="})
_NEGATED = frozenset({"!==", "!="})
_SETTLED_STATUSES = frozenset({"fulfilled", "rejected"})


def _settled_branch(test: Any) -> str | None:
    """``'fulfilled'``/``'rejected'``: the results a status comparison selects, else None.

    ``r.status === 'rejected'`` and ``status !== 'fulfilled'`` select rejected results,
    ``r.status === 'fulfilled'`` and ``r.status !== 'rejected'`` fulfilled ones; ``!``
    flips the selection.
    """
    negated = False
    test = unwrap(test)
    while getattr(test, "type", None) == "UnaryExpression" and test.operator == "!":
        negated = not negated
        test = unwrap(test.argument)
    if getattr(test, "type", None) != "BinaryExpression" or test.operator not in _EQUALITY:
        return None
    status = next(
        (
            side.value
            for side in (test.left, test.right)
            if getattr(side, "type", None) == "Literal" and isinstance(side.value, str) and side.value in _SETTLED_STATUSES
        ),
        None,
    )
    if status is None:
        return None
    if (test.operator in _NEGATED) != negated:
        status = "rejected" if status == "fulfilled" else "fulfilled"
    return status


def inspects_rejections(node: Any) -> bool:
    """A comparison with ``'rejected'``, ``!== 'fulfilled'``, ``x.reason`` or ``{ reason }``."""
    kind = node.type
    if kind == "BinaryExpression" and node.operator in _EQUALITY:
        sides = (node.left, node.right)
        if any(getattr(side, "type", None) == "Literal" and side.value == "rejected" for side in sides):
            return True
        return _settled_branch(node) == "rejected"
    if kind == "SwitchCase":
        return getattr(node.test, "type", None) == "Literal" and node.test.value == "rejected"
    if kind == "MemberExpression":
        return member_name(node) == "reason"
    if kind == "ObjectPattern":
        return any(key_of(prop) == "reason" for prop in node.properties or [])
    return False


def fulfilled_only(node: Any) -> list[Any]:
    """Children of ``node`` that only run for fulfilled results (``if``/``?:``/``&&``/``||``/``case``)."""
    kind = node.type
    if kind in ("IfStatement", "ConditionalExpression"):
        branch = _settled_branch(node.test)
        if branch == "fulfilled":
            return [node.consequent]
        if branch == "rejected":
            return [node.alternate]
    elif kind == "LogicalExpression":
        wanted = {"&&": "fulfilled", "||": "rejected"}.get(node.operator)
        if wanted is not None and _settled_branch(node.left) == wanted:
            return [node.right]
    elif kind == "SwitchCase" and getattr(node.test, "type", None) == "Literal" and node.test.value == "fulfilled":
        return list(node.consequent or [])
    return []


def code_after(index: CodeIndex, call: Any) -> list[Any]:
    """The nodes wholly after ``call`` in its innermost function (or the script).

    Starting at the end of the call keeps the promises being settled out of it; a
    callback wholly after the call (``.then((results) => ...)``) is in it.
    """
    start, end = position(call), position(call, end=True)
    if start is None or end is None:
        return []
    scope, scope_start = index.program, (0, 0)
    for function in index.function_nodes:
        function_start, function_end = position(function), position(function, end=True)
        if function_start is None or function_end is None:
            continue
        if scope_start <= function_start <= start and end <= function_end:
            scope, scope_start = function, function_start  # the innermost so far
    roots: list[Any] = []
    stack = list(index.kids(scope))
    while stack:
        node = stack.pop()
        node_start, node_end = position(node), position(node, end=True)
        if node_start is not None and node_start >= end:
            roots.append(node)  # wholly after the call
        elif node_end is None or node_end > end:
            stack.extend(index.kids(node))  # holds the call and code after it
    return roots
