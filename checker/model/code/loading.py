"""ARCH012's question: what in the code stops Lambda from loading it and calling its handler?

Lambda writes inline code to ``index.js`` and loads it as a CommonJS module, then calls
the export its ``Handler`` setting names. Three facts decide whether that can work:

* ``module_syntax``: the first ES module syntax, which CommonJS cannot load -- an
  ``import``/``export`` declaration, or a top-level ``await`` (``for await`` included).
  ``import()`` is allowed in CommonJS and does not count;
* ``exported_names``: what the module exports, each name with where it is exported --
  ``exports.x =``/``module.exports.x =`` (``exports["x"]``), the keys of an object literal
  assigned to (or ``Object.assign``-ed into) ``module.exports``,
  ``Object.defineProperty(exports, "x", ...)``, and ES ``export`` declarations. None when
  the code decides its exports at run time: a computed name, ``module.exports`` set to
  anything but an object literal (or one with ``...spread``), the exports object handed
  to other code, ``export * from``;
* ``sdk_v2_loads``: ``require('aws-sdk')`` (or ``'aws-sdk/...'``, or an ``import`` of it),
  the AWS SDK for JavaScript v2. A ``require`` inside a ``try`` block is a fallback the
  code survives and does not count.
"""

from __future__ import annotations

import re
from typing import Any

from checker.model.code.facts import Spot
from checker.model.code.index import THROUGH_ASSIGNMENT, THROUGH_BRANCHES, CodeIndex, Steps
from checker.model.code.syntax import FUNCTION_TYPES, is_exports_object, is_member, key_of, position, unwrap

_MODULE_DECLARATIONS = {
    "ImportDeclaration": "import",
    "ExportNamedDeclaration": "export",
    "ExportDefaultDeclaration": "export",
    "ExportAllDeclaration": "export",
}
_SDK_V2 = "aws-sdk"
# Where `exports` or `module.exports` can be an argument: followed by `,` or `)`. Code without one hands it to no call.
_HANDED_OVER = re.compile(r"\bexports\s*[,)\]}]")
# What `module.exports = ...` hands over: `a = b = {...}` and `c ? {...} : {...}` are object literals too.
_EXPORTED_VALUE: Steps = {**THROUGH_ASSIGNMENT, **THROUGH_BRANCHES}


def module_syntax(index: CodeIndex) -> Spot | None:
    """The first ES module syntax in the code, or None for a script CommonJS can load."""
    program = index.program
    if getattr(program, "sourceType", None) != "module":
        return None
    found = [_spot(index, node, _MODULE_DECLARATIONS[node.type]) for node in program.body if node.type in _MODULE_DECLARATIONS]
    awaited = _top_level_await(index)
    if awaited is not None:
        found.append(_spot(index, awaited, "top-level await"))
    return min(found, key=lambda spot: (spot.line, spot.column), default=None)


def _top_level_await(index: CodeIndex) -> Any:
    """The first ``await`` (or ``for await``) outside every function, or None."""
    stack = list(reversed(index.kids(index.program)))
    while stack:
        node = stack.pop()
        if node.type == "AwaitExpression" or (node.type == "ForOfStatement" and getattr(node, "allowAwait", False)):
            return node
        if node.type not in FUNCTION_TYPES:
            stack.extend(reversed(index.kids(node)))
    return None


def exported_names(index: CodeIndex) -> tuple[Spot, ...] | None:
    """The names the module exports, each where it is first exported, in name order; None when run time decides."""
    if index.computed_exports:
        return None
    names: dict[str, Spot] = {}

    def add(name: str, node: Any) -> None:
        spot = _spot(index, node, name)
        if name not in names or (spot.line, spot.column) < (names[name].line, names[name].column):
            names[name] = spot

    for name, expressions in index.exports.items():
        for expression in expressions:
            add(name, expression)
    for value in index.module_exports:
        targets = list(index.follow(value, _EXPORTED_VALUE, function_names=True))
        if not targets or any(target.type != "ObjectExpression" for target in targets):
            return None  # a call, a function, a name bound to nothing the code shows
        for prop in (prop for target in targets for prop in target.properties or []):
            key = key_of(prop)
            if key is None:
                return None  # `...spread`, a computed key
            add(key, prop)
    for call in index.calls if _HANDED_OVER.search(index.source) else ():
        args = call.arguments or []
        callee = unwrap(call.callee)
        for i, arg in enumerate(args):
            if not is_exports_object(arg):
                continue
            if i == 0 and is_member(callee, "Object", "assign"):
                continue  # its sources are in module_exports
            defined = args[1].value if len(args) > 1 and getattr(args[1], "type", None) == "Literal" else None
            if i == 0 and is_member(callee, "Object", "defineProperty") and isinstance(defined, str):
                add(defined, args[1])
                continue
            return None
    for node in index.program.body if getattr(index.program, "sourceType", None) == "module" else ():
        if node.type == "ExportAllDeclaration":
            return None
        if node.type == "ExportDefaultDeclaration":
            add("default", node)
        elif node.type == "ExportNamedDeclaration" and getattr(node, "source", None) is not None:
            for specifier in node.specifiers or []:
                exported = getattr(getattr(specifier, "exported", None), "name", None)
                if isinstance(exported, str):
                    add(exported, specifier)
    return tuple(sorted(names.values()))


def sdk_v2_loads(index: CodeIndex) -> tuple[Spot, ...]:
    """Where the code loads the AWS SDK v2 (outside a ``try`` block), in source order."""
    if _SDK_V2 not in index.source:
        return ()  # the module is named by a string literal
    loads: list[Spot] = []
    for node in index.program.body if getattr(index.program, "sourceType", None) == "module" else ():
        module = getattr(getattr(node, "source", None), "value", None) if node.type == "ImportDeclaration" else None
        if isinstance(module, str) and _is_sdk_v2(module):
            loads.append(_spot(index, node, module))
    guarded = [(position(block), position(block, end=True)) for block in index.try_blocks.values()]
    for call in index.calls:
        callee = unwrap(call.callee)
        args = call.arguments or []
        if getattr(callee, "type", None) != "Identifier" or callee.name != "require" or not args:
            continue
        module = getattr(args[0], "value", None) if args[0].type == "Literal" else None
        start = position(call)
        if not (isinstance(module, str) and _is_sdk_v2(module)) or start is None:
            continue
        if not any(low is not None and high is not None and low <= start <= high for low, high in guarded):
            loads.append(_spot(index, call, module))
    return tuple(sorted(loads, key=lambda spot: (spot.line, spot.column)))


def _is_sdk_v2(module: str) -> bool:
    return module == _SDK_V2 or module.startswith(_SDK_V2 + "/")


def _spot(index: CodeIndex, node: Any, what: str) -> Spot:
    line, column = index.place(node)
    return Spot(what, line, column)
