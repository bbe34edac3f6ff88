"""The exported handler: which code runs when Lambda calls it, so a catch can be "in the handler".

The handler is the export named ``handler_name`` (the function part of the Lambda's
``Handler`` setting, ``handler`` by default) -- ``exports.handler = ...``,
``module.exports.handler = ...``, ``module.exports = { handler }`` (or
``{ handler: fn }``, ``{ handler() {} }``, ``Object.assign(module.exports, ...)``),
``export const handler = ...``, ``export [async] function handler``,
``export { handler }``/``export { main as handler }`` -- resolved through variable
bindings and named function declarations to a function, or to a call that wraps
local code (``middy(main)``, ``withLogging(async (event) => ...)``).

A catch is in the handler when it is lexically inside that code (callbacks included)
or inside a local function reachable from it by calls, followed as for logging (see
``checker.model.code.catches``). A catch run at module load is not in the handler.
When no handler can be identified (another export name, a re-export
``export { handler } from "./impl"``, a handler imported from elsewhere, a shape not
listed above), there is no ``HandlerCode`` and every catch counts as in the handler:
unknown shapes are not held against the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.model.code.index import THROUGH_ASSIGNMENT, THROUGH_BRANCHES, CodeIndex, Steps
from checker.model.code.syntax import FUNCTION_TYPES, key_of

DEFAULT_HANDLER = "handler"

# An exported value is what `a = b = x` and `c ? x : y` hand over, named functions included.
_EXPORTED_VALUE: Steps = {**THROUGH_ASSIGNMENT, **THROUGH_BRANCHES}


@dataclass(frozen=True)
class HandlerCode:
    """The handler's code and the places in it (or in local functions it calls) where errors may be caught."""

    roots: tuple[Any, ...]  # functions, or calls that wrap local code (``middy(main)``)
    catch_sites: frozenset[int]  # ids of the catch clauses and calls in that code

    def holds(self, node: Any) -> bool:
        """Whether a ``catch`` clause or a call (``.catch``, ``.then``, ...) runs as part of the handler."""
        return id(node) in self.catch_sites


def find_handler(index: CodeIndex, handler_name: str) -> HandlerCode | None:
    """The code exported as ``handler_name``, or None when it cannot be identified."""
    roots = _handler_roots(index, handler_name)
    if not roots:
        return None
    return HandlerCode(tuple(roots), _catch_sites(index, roots))


def _handler_roots(index: CodeIndex, handler_name: str) -> list[Any]:
    exported = list(index.exports.get(handler_name, ()))
    for value in index.module_exports:
        for target in index.follow(value, _EXPORTED_VALUE, function_names=True):
            if target.type != "ObjectExpression":
                continue
            for prop in target.properties or []:
                if key_of(prop) == handler_name and prop.value is not None:
                    exported.append(prop.value)
    roots: list[Any] = []
    for expression in exported:
        for value in index.follow(expression, _EXPORTED_VALUE, function_names=True):
            if value.type in FUNCTION_TYPES or (
                value.type in ("CallExpression", "NewExpression") and _wraps_local_code(index, value)
            ):
                roots.append(value)
    return roots


def _wraps_local_code(index: CodeIndex, call: Any) -> bool:
    """Whether a call has a function literal in it or reaches a local function."""
    return any(
        node.type in FUNCTION_TYPES or (node.type == "CallExpression" and index.callees(node)) for node in index.walk(call)
    )


def _catch_sites(index: CodeIndex, roots: list[Any]) -> frozenset[int]:
    """Ids of the catch clauses and calls inside the handler's code or local functions it calls."""
    sites: set[int] = set()
    pending = list(roots)
    visited: set[int] = set()
    while pending:
        region = pending.pop()
        if id(region) in visited:
            continue
        visited.add(id(region))
        for node in index.walk(region):
            if node.type == "CatchClause":
                sites.add(id(node))
            elif node.type == "CallExpression":
                sites.add(id(node))
                pending.extend(index.callees(node))
    return frozenset(sites)
