"""Readings of esprima nodes that every question shares, so each shape is recognised one way.

esprima is untyped; its nodes are ``Any`` here and are read defensively (``getattr``),
because the analysis must survive any tree the parser accepts.
"""

from __future__ import annotations

from typing import Any

FUNCTION_TYPES = frozenset({"FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"})


def unwrap(node: Any) -> Any:
    """Strip wrappers that do not change which value an expression denotes (``a?.b``, ``await x``)."""
    while node is not None and node.type in ("ChainExpression", "AwaitExpression"):
        node = node.expression if node.type == "ChainExpression" else node.argument
    return node


def prop_name(node: Any, computed: Any) -> str | None:
    """Name of a member or property key when it is statically known (``a.b``, ``a["b"]``, ``#b``)."""
    if node is None:
        return None
    kind = getattr(node, "type", None)
    if not computed and kind in ("Identifier", "PrivateIdentifier"):
        return node.name if isinstance(node.name, str) else None
    if kind == "Literal" and isinstance(node.value, str):
        return node.value
    return None


def member_name(node: Any) -> str | None:
    """``name`` when ``node`` is ``<anything>.name`` (or ``<anything>["name"]``), else None."""
    if getattr(node, "type", None) != "MemberExpression":
        return None
    return prop_name(node.property, node.computed)


def is_member(node: Any, owner: str, name: str) -> bool:
    """Whether ``node`` is the member expression ``owner.name`` (or ``owner["name"]``)."""
    return member_name(node) == name and getattr(node.object, "type", None) == "Identifier" and node.object.name == owner


def is_exports_object(node: Any) -> bool:
    """``exports`` or ``module.exports``: where CommonJS code puts what it exports."""
    node = unwrap(node)
    if getattr(node, "type", None) == "Identifier":
        return node.name == "exports"
    return is_member(node, "module", "exports")


def key_of(prop: Any) -> str | None:
    """Key of an object literal member (``a``, ``"a"``, ``["a"]``, shorthand ``{ a }``); None for ``...spread``."""
    if getattr(prop, "type", None) != "Property":
        return None
    return prop_name(prop.key, prop.computed)


def object_keys(node: Any) -> set[str]:
    """The static keys of an object literal; empty for anything else."""
    if getattr(node, "type", None) != "ObjectExpression":
        return set()
    return {key for key in map(key_of, node.properties or []) if key is not None}


def is_null(node: Any) -> bool:
    """``null`` or ``undefined``: no value to pass on, no handler to call."""
    node = unwrap(node)
    kind = getattr(node, "type", None)
    return (kind == "Literal" and getattr(node, "raw", None) == "null") or (kind == "Identifier" and node.name == "undefined")


def position(node: Any, end: bool = False) -> tuple[int, int] | None:
    """esprima's (line, column) of a node's start or end, for ordering and nesting nodes."""
    loc = getattr(node, "loc", None)
    point = getattr(loc, "end" if end else "start", None)
    line, column = getattr(point, "line", None), getattr(point, "column", None)
    return (line, column) if isinstance(line, int) and isinstance(column, int) else None


# Fields every esprima node has that never hold a node: skipped without a look (the walk's hottest loop).
_POSITION_FIELDS = frozenset({"type", "loc", "_start", "_end", "_line", "_column"})


def child_nodes(node: Any, node_type: type) -> list[Any]:
    """The nodes directly under ``node``, in the order esprima lists its fields."""
    children: list[Any] = []
    for key, value in vars(node).items():
        if key in _POSITION_FIELDS:
            continue
        if isinstance(value, node_type):
            children.append(value)
        elif isinstance(value, list):
            children.extend(item for item in value if isinstance(item, node_type))
    return children
