"""The symbol index: what the code's names, exports, calls and returns stand for, from one walk.

The index is deliberately scope-insensitive: a name's bindings are collected across the
whole code string, not per scope. Inline handlers are small (and the checks analyse at
most ``MAX_ANALYSED_CODE``), so this is precise enough and keeps the rules predictable. Every question (catches, writes, the handler, batch
responses) reads the same index and resolves values with the one ``follow``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from checker.model.code.parse import LineMap, node_type
from checker.model.code.syntax import (
    FUNCTION_TYPES,
    child_nodes,
    is_exports_object,
    is_member,
    member_name,
    prop_name,
    unwrap,
)

# Bound on the expressions ``follow`` visits, e.g. along chains such as ``a = b; b = c; ...``.
MAX_FOLLOW_STEPS = 50

# What ``follow`` looks through: a node type, and the expressions such a node stands for
# (None: this node stands for itself after all).
Steps = Mapping[str, Callable[[Any], list[Any] | None]]


def _assigned(node: Any) -> list[Any] | None:
    return [node.right] if node.operator == "=" else None


def _branches(node: Any) -> list[Any] | None:
    return [node.consequent, node.alternate]


def _operands(node: Any) -> list[Any] | None:
    return [node.left, node.right]


def _last_expression(node: Any) -> list[Any] | None:
    return [node.expressions[-1]] if node.expressions else None


def _resolved(node: Any) -> list[Any] | None:
    if is_member(unwrap(node.callee), "Promise", "resolve") and node.arguments:
        return [node.arguments[0]]
    return None


NO_STEPS: Steps = MappingProxyType({})
THROUGH_ASSIGNMENT: Steps = MappingProxyType({"AssignmentExpression": _assigned})  # `a = b = x` is x
THROUGH_BRANCHES: Steps = MappingProxyType({"ConditionalExpression": _branches})  # `c ? x : y` is x or y
THROUGH_OPERANDS: Steps = MappingProxyType({"LogicalExpression": _operands})  # `x || y` is x or y
THROUGH_SEQUENCE: Steps = MappingProxyType({"SequenceExpression": _last_expression})  # `(a, x)` is x
THROUGH_PROMISE_RESOLVE: Steps = MappingProxyType({"CallExpression": _resolved})  # `Promise.resolve(x)` is x


class CodeIndex:
    """One pass over the tree that records every symbol and place the questions ask about."""

    def __init__(self, program: Any, lines: LineMap) -> None:
        self.program = program
        self.source = lines.source
        self._lines = lines
        self._node_type = node_type()
        self._child_cache: dict[int, list[Any]] = {}  # id(node) -> child nodes
        self.functions: dict[str, list[Any]] = {}  # plain names -> functions declared or bound with them
        self.methods: dict[str, list[Any]] = {}  # property / method names -> functions
        self.bindings: dict[str, list[Any]] = {}  # name -> assigned expressions
        self.member_assignments: dict[str, list[Any]] = {}  # x -> the `x.<name>` targets of `x.<name> = ...`
        self.callback_names: set[str] = set()  # third parameters: the Lambda `callback`
        self.reject_names: set[str] = set()  # `reject` parameters of `new Promise` executors
        self.function_nodes: list[Any] = []
        self.catch_clauses: list[Any] = []  # `catch (err) { ... }` nodes
        self.try_blocks: dict[int, Any] = {}  # id(catch clause) -> the block its `try` protects
        self.calls: list[Any] = []
        self.returned: list[Any] = []  # expressions a function hands back
        self.exports: dict[str, list[Any]] = {}  # export name -> expressions exported under it
        self.module_exports: list[Any] = []  # expressions assigned to (or merged into) module.exports
        self.computed_exports = False  # `exports[name] = ...`: names decided at run time
        for node in self.walk(program):
            self._record(node)

    # -- traversal -------------------------------------------------------------

    def kids(self, node: Any) -> list[Any]:
        """Child nodes, computed once per node (the questions walk regions repeatedly)."""
        kids = self._child_cache.get(id(node))
        if kids is None:
            kids = self._child_cache[id(node)] = child_nodes(node, self._node_type)
        return kids

    def walk(self, root: Any) -> Iterator[Any]:
        """``root`` and every node under it, parents before children, children in ``kids`` order."""
        seen: set[int] = set()
        stack = [root]
        cache = self._child_cache  # `kids`, inlined: this loop visits every node of every region asked about
        while stack:
            node = stack.pop()
            key = id(node)
            if key in seen:
                continue
            seen.add(key)
            yield node
            kids = cache.get(key)
            if kids is None:
                kids = cache[key] = child_nodes(node, self._node_type)
            stack.extend(reversed(kids))

    def line(self, node: Any) -> int:
        """The text line a node starts on."""
        return self.place(node)[0]

    def place(self, node: Any) -> tuple[int, int]:
        """The text line (from 1) and column (from 0) where a node starts."""
        start = getattr(getattr(node, "loc", None), "start", None)
        return self._lines.place(getattr(start, "line", None), getattr(start, "column", None))

    # -- resolution ------------------------------------------------------------

    def follow(
        self,
        node: Any,
        through: Steps = NO_STEPS,
        *,
        function_names: bool = False,
        keep_identifiers: bool = False,
    ) -> Iterator[Any]:
        """The expressions ``node`` may denote, through variable bindings and ``through``.

        A name stands for every expression bound to it (``const x = ...``, ``x = ...``),
        and with ``function_names`` also for the functions declared with it. Names are
        followed once each, and the walk stops after ``MAX_FOLLOW_STEPS`` expressions,
        so cycles (``a = b; b = a``) and long chains end. With ``keep_identifiers`` the
        names met on the way are yielded as well (``ddb`` says what ``ddb`` is).
        """
        pending = [node]
        seen_names: set[str] = set()
        seen_nodes: set[int] = set()
        for _ in range(MAX_FOLLOW_STEPS):
            if not pending:
                return
            current = unwrap(pending.pop())
            if current is None or id(current) in seen_nodes:
                continue
            seen_nodes.add(id(current))
            kind = current.type
            if kind == "Identifier":
                if keep_identifiers:
                    yield current
                if current.name not in seen_names:
                    seen_names.add(current.name)
                    pending.extend(self.bindings.get(current.name, ()))
                    if function_names:
                        pending.extend(self.functions.get(current.name, ()))
                continue
            step = through.get(kind)
            inner = step(current) if step is not None else None
            if inner is None:
                yield current
            else:
                pending.extend(inner)

    def callees(self, call: Any) -> list[Any]:
        """Local functions a call may run, so questions can follow calls into them.

        The functions it calls (``called``), and those handed over as callbacks (``.forEach(recordFailure)``).
        """
        found = self.called(call)
        for arg in call.arguments or []:
            if getattr(arg, "type", None) == "Identifier":
                found.extend(self.functions.get(arg.name, ()))
        return found

    def returns_of(self, function: Any) -> list[Any]:
        """What a local function hands back: an arrow function's expression body, or the values of its ``return``
        statements (not those of functions nested in it)."""
        if function.type == "ArrowFunctionExpression" and function.expression:
            return [function.body]
        found: list[Any] = []
        stack = list(self.kids(function.body))
        while stack:
            node = stack.pop()
            if node.type == "ReturnStatement" and node.argument is not None:
                found.append(node.argument)
            elif node.type not in FUNCTION_TYPES:
                stack.extend(self.kids(node))
        return found

    def called(self, call: Any) -> list[Any]:
        """Local functions the callee may name: by name, as ``obj.method(...)``/``this.method(...)``, or via
        ``.call``/``.apply``/``.bind``. Empty for code the string does not hold (``JSON.parse``, ``client.send``)."""
        found: list[Any] = []
        callee = unwrap(call.callee)
        kind = getattr(callee, "type", None)
        if kind == "Identifier":
            found.extend(self.functions.get(callee.name, ()))
        elif kind == "MemberExpression":
            name = member_name(callee)
            target = unwrap(callee.object)
            if name in ("call", "apply", "bind") and getattr(target, "type", None) == "Identifier":
                found.extend(self.functions.get(target.name, ()))
            elif name is not None:
                found.extend(self.methods.get(name, ()))
                found.extend(self.functions.get(name, ()))
        return found

    # -- recording -------------------------------------------------------------

    def _record(self, node: Any) -> None:
        kind = node.type
        if kind in FUNCTION_TYPES:
            self._record_function(node)
        elif kind == "VariableDeclarator":
            if getattr(node.id, "type", None) == "Identifier" and node.init is not None:
                self._bind(node.id.name, node.init)
        elif kind == "AssignmentExpression" and node.operator == "=":
            self._record_assignment(node)
        elif kind in ("Property", "MethodDefinition", "PropertyDefinition", "FieldDefinition"):
            name = prop_name(node.key, node.computed)
            if name is not None and getattr(node.value, "type", None) in FUNCTION_TYPES:
                self.methods.setdefault(name, []).append(node.value)
        elif kind == "CatchClause":
            self.catch_clauses.append(node)
        elif kind == "TryStatement" and node.handler is not None:
            self.try_blocks[id(node.handler)] = node.block
        elif kind == "CallExpression":
            self._record_call(node)
        elif kind == "NewExpression":
            self._record_new(node)
        elif kind == "ReturnStatement" and node.argument is not None:
            self.returned.append(node.argument)
        elif kind == "ExportNamedDeclaration":
            self._record_export(node)

    def _record_function(self, node: Any) -> None:
        self.function_nodes.append(node)
        if node.type != "ArrowFunctionExpression" and getattr(node.id, "type", None) == "Identifier":
            self.functions.setdefault(node.id.name, []).append(node)
        if node.type == "ArrowFunctionExpression" and node.expression:
            self.returned.append(node.body)
        params = node.params or []
        if len(params) >= 3 and getattr(params[2], "type", None) == "Identifier":
            self.callback_names.add(params[2].name)

    def _record_assignment(self, node: Any) -> None:
        left = node.left
        if getattr(left, "type", None) == "Identifier":
            self._bind(left.name, node.right)
            return
        name = member_name(left)
        if name is None:
            self.computed_exports = self.computed_exports or is_exports_object(getattr(left, "object", None))
            return
        if is_member(left, "module", "exports"):
            self.module_exports.append(node.right)
        elif is_exports_object(left.object):
            self.exports.setdefault(name, []).append(node.right)
        if getattr(node.right, "type", None) in FUNCTION_TYPES:
            self.methods.setdefault(name, []).append(node.right)
        if getattr(left.object, "type", None) == "Identifier":
            self.member_assignments.setdefault(left.object.name, []).append(left)

    def _bind(self, name: Any, value: Any) -> None:
        if not isinstance(name, str) or value is None:
            return
        self.bindings.setdefault(name, []).append(value)
        if value.type in FUNCTION_TYPES:
            self.functions.setdefault(name, []).append(value)

    def _record_export(self, node: Any) -> None:
        """``export function f``, ``export const f = ...``, ``export { g as f }``."""
        declaration: Any = getattr(node, "declaration", None)
        kind = getattr(declaration, "type", None)
        if kind == "FunctionDeclaration":
            if getattr(declaration.id, "type", None) == "Identifier":
                self.exports.setdefault(declaration.id.name, []).append(declaration)
        elif kind == "VariableDeclaration":
            for declarator in declaration.declarations or []:
                target = declarator.id
                if getattr(target, "type", None) == "Identifier" and declarator.init is not None:
                    self.exports.setdefault(target.name, []).append(declarator.init)
        if getattr(node, "source", None) is not None:
            return  # `export { handler } from "./impl"`: the code is elsewhere
        for specifier in getattr(node, "specifiers", None) or []:
            name = prop_name(getattr(specifier, "exported", None), False)
            if name is not None and specifier.local is not None:
                self.exports.setdefault(name, []).append(specifier.local)

    def _record_call(self, node: Any) -> None:
        self.calls.append(node)
        args = node.arguments or []
        if is_member(unwrap(node.callee), "Object", "assign") and args and is_exports_object(args[0]):
            self.module_exports.extend(args[1:])

    def _record_new(self, node: Any) -> None:
        """``new Promise((resolve, reject) => ...)``: calling ``reject(err)`` propagates."""
        callee = unwrap(node.callee)
        args = node.arguments or []
        if getattr(callee, "type", None) == "Identifier" and callee.name == "Promise" and args:
            executor = unwrap(args[0])
            params = getattr(executor, "params", None) or []
            is_executor = getattr(executor, "type", None) in FUNCTION_TYPES and len(params) >= 2
            if is_executor and getattr(params[1], "type", None) == "Identifier":
                self.reject_names.add(params[1].name)
