"""Facts about a Lambda function's inline Node.js handler code (``Code.ZipFile``).

The rules do not judge JavaScript themselves; they ask this module a few questions
about the handler and phrase their messages from the answers:

* ARCH010 -- is there a ``try``/``catch`` in the exported handler (or in code it
  calls), and does each such ``catch`` log the error (or only rethrow it)?
* ARCH011 -- does the code return a partial batch response (``batchItemFailures``)?
* REL006 -- can a ``catch`` block reach a DynamoDB write?

The analysis is deliberately syntactic and scope-insensitive: names are resolved
across the whole code string, not per scope. Inline handlers are small (the
ZipFile limit is 4 KB), so this is precise enough and keeps the rules predictable.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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
# these only count with corroborating evidence, see ``_Analysis._write_line``.
_DOCUMENT_WRITE_METHODS = frozenset({"put", "update", "batchWrite", "transactWrite"})
# Keys of a DynamoDB write request; an argument object carrying one is evidence.
_WRITE_REQUEST_KEYS = frozenset({"TableName", "RequestItems", "TransactItems"})
_BATCH_KEY = "batchItemFailures"
DEFAULT_HANDLER = "handler"

# ``CatchClause.form``: how the error is caught.
FORM_TRY = "try"  # try { ... } catch (err) { ... }
FORM_CATCH_METHOD = ".catch"  # promise.catch(onRejected)
FORM_THEN_REJECTED = ".then"  # promise.then(onFulfilled, onRejected)
FORM_ALL_SETTLED = "Promise.allSettled"  # results inspected for status 'rejected'
_EQUALITY = frozenset({"===", "==", "!==", "!="})
_NEGATED = frozenset({"!==", "!="})
_SETTLED_STATUSES = frozenset({"fulfilled", "rejected"})
# Argument shapes that cannot be a rejection handler (``.catch(undefined)`` catches nothing).
_NOT_CALLABLE = frozenset({"Literal", "ObjectExpression", "ArrayExpression", "TemplateLiteral", "SpreadElement"})

_FUNCTION_TYPES = frozenset({"FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"})
_DYNAMO_NAME = re.compile(r"dynamo|doc(?:ument)?_?client", re.IGNORECASE)
_DDB_NAME = re.compile(r"(?:^|[^A-Za-z])[dD]db|[a-z_]Ddb|DDB")
# JavaScript line terminators, as esprima counts them for ``loc`` lines.
_JS_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")
# Bound on chains such as ``a = b; b = c; ...`` followed while resolving values.
_MAX_RESOLVE_STEPS = 50


@dataclass(frozen=True)
class CatchClause:
    """One place that catches errors and what it does with the error it caught.

    ``form`` says which: a ``try``/``catch`` (``FORM_TRY``), a promise rejection
    handler (``FORM_CATCH_METHOD``, ``FORM_THEN_REJECTED``) or the inspection of
    ``Promise.allSettled`` results (``FORM_ALL_SETTLED``), see ``analyse_node_code``.
    """

    # 1-based line in the code string: of the `catch` keyword, the `.catch` method
    # name, the `.then` rejection handler (its second argument) or `allSettled`.
    line: int
    logs_error: bool
    rethrows: bool  # the error propagates: `throw`, `Promise.reject(...)`, `callback(err)`
    writes_dynamodb: bool  # a DynamoDB write is reachable from this catch
    # Inside the exported handler or a local function reachable from it by calls.
    # True for every catch when no handler could be identified (see analyse_node_code).
    in_handler: bool
    form: str = FORM_TRY


@dataclass(frozen=True)
class CodeFacts:
    """Everything the Lambda code rules need to know about one handler."""

    catches: tuple[CatchClause, ...]
    returns_batch_item_failures: bool
    batch_item_failures_line: int | None  # where the batchItemFailures object is returned/built
    dynamodb_write_lines: tuple[int, ...]  # lines of all DynamoDB writes anywhere in the code
    handler_found: bool  # the exported ``handler`` resolves to code in this string
    handler_line: int | None  # first line of the handler's code (function or wrapper call)

    @property
    def has_try_catch(self) -> bool:
        """Whether anything catches errors (``try``/``finally`` alone does not count)."""
        return bool(self.catches)

    @property
    def mentions_dynamodb_write(self) -> bool:
        """Whether the code writes to DynamoDB anywhere, so messages can say so."""
        return bool(self.dynamodb_write_lines)


class CodeParseError(Exception):
    """The code is not parseable JavaScript; the message says what failed and where."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def analyse_node_code(source: str, handler_name: str = DEFAULT_HANDLER) -> CodeFacts:
    """Parse ``source`` as a CommonJS script or an ES module and gather its facts.

    Logging: a ``catch`` logs when it (or a function defined in the same code that it
    calls, transitively) calls ``console.error(...)`` or any ``<something>.error(...)``.
    ``console.log``/``console.warn`` do not count. Calls anywhere in the catch body,
    callbacks included, count; local functions are followed when called by name,
    as ``obj.method(...)``/``this.method(...)``, via ``.call``/``.apply``/``.bind``
    or when passed as a callback (``.forEach(logFailure)``). ``rethrows`` means the
    catch body itself (not a nested function) lets the error propagate: a ``throw``
    statement, a ``Promise.reject(...)`` call, or a call passing a value to a Lambda
    ``callback`` (a function's third parameter) or to a ``new Promise`` executor's
    ``reject``.

    Promise rejection handlers are catch clauses too: ``p.catch(onRejected)`` (line of
    ``catch``) and ``p.then(onFulfilled, onRejected)`` (line of ``onRejected``), where
    ``onRejected`` is a function literal, a local function (by name, as a method, or a
    binding), ``console.error``/``logger.error`` (logs), or any other expression (a
    factory call is judged on what it calls). ``.catch(f)`` is judged as
    ``catch (err) { f(err) }`` would be, except that a local ``f``'s own body counts as
    the catch body (its ``throw`` rethrows). ``.catch()`` or ``.catch(undefined)``
    catches nothing and is no clause.

    ``Promise.allSettled(...)`` whose results are inspected for rejections -- a
    comparison with ``'rejected'`` (or ``!== 'fulfilled'``), a ``.reason`` read or a
    destructured ``reason`` -- in the code after the call is a catch clause (line of
    ``allSettled``). Its body is that code: the rest of the innermost function holding
    the call, from the end of the call (so the promises being settled are not in it)
    onward, minus the branches only taken for fulfilled results (``if``/``?:``/
    ``&&``/``||``/``case`` on a ``'fulfilled'``/``'rejected'`` comparison), plus the
    local functions it calls. A callback wholly after the call (``.then((results) =>
    ...)``) is part of that body, so its ``throw`` rethrows. Results never inspected
    for rejections make no clause: the rejections are dropped without any error
    handling. Results filtered with ``.filter((r) => r.status === 'fulfilled')`` and
    then written are not told apart from failure handling (no data flow is followed).

    DynamoDB writes: see ``_Analysis._write_line``; the same reachability gives
    ``CatchClause.writes_dynamodb``.

    The handler: the export named ``handler_name`` (the function part of the Lambda's
    ``Handler`` setting, ``handler`` by default) -- ``exports.handler = ...``,
    ``module.exports.handler = ...``, ``module.exports = { handler }`` (or
    ``{ handler: fn }``, ``{ handler() {} }``, ``Object.assign(module.exports, ...)``),
    ``export const handler = ...``, ``export [async] function handler``,
    ``export { handler }``/``export { main as handler }`` -- resolved through variable
    bindings and named function declarations to a function, or to a call that wraps
    local code (``middy(main)``, ``withLogging(async (event) => ...)``).
    ``CatchClause.in_handler`` is true for a ``catch`` lexically inside that code
    (callbacks included) or inside a local function reachable from it by calls, followed
    as for logging. A ``catch`` run at module load is not in the handler. When no
    handler can be identified (another export name, a re-export ``export { handler }
    from "./impl"``, a handler imported from elsewhere, a shape not listed above),
    ``handler_found`` is false and every catch has ``in_handler=True``: unknown shapes
    are not held against the code.

    Catch clauses are sorted by line (ties: source order).

    Partial batch responses: an object literal with a ``batchItemFailures`` property
    (literal, quoted, computed-literal or shorthand key) counts only when it is
    returned: as a ``return`` argument (also through ``await``, ``?:``, ``&&``/``||``,
    ``Promise.resolve(...)``), as an arrow function's expression body, passed as the
    result to a handler's ``callback`` (third parameter), or via a variable holding
    such an object (or given ``x.batchItemFailures = ...``) that is returned. Any
    ``return`` in the code counts, so helpers that build the response are covered.
    ``batch_item_failures_line`` is the line of that ``batchItemFailures`` key (or of
    the ``x.batchItemFailures = ...`` assignment).

    Raises ``CodeParseError`` -- and nothing else -- for any input that cannot be
    parsed or analysed.
    """
    if not isinstance(source, str):
        raise CodeParseError(f"code must be a string, not {type(source).__name__}")
    lines = _LineMap(source)
    program = _parse(source, lines)
    try:
        return _Analysis(program, lines, handler_name).facts()
    except RecursionError as exc:
        raise CodeParseError("code is nested too deeply to analyse") from exc
    except Exception as exc:  # never let an odd tree escape as another exception type
        raise CodeParseError(f"cannot analyse code: {type(exc).__name__}: {exc}") from exc


class _LineMap:
    """Maps esprima's JavaScript line numbers to ``\\n``-separated lines of the string.

    esprima also breaks lines at ``\\r``, U+2028 and U+2029; reporting positions the
    way editors and YAML count them keeps findings pointing at the right line.
    """

    def __init__(self, source: str) -> None:
        self._js_to_text: list[int] | None = None  # None: the numbering is the same
        if "\r" in source or "\u2028" in source or "\u2029" in source:
            newlines = [m.start() for m in re.finditer("\n", source)]
            self._js_to_text = [1]
            for match in _JS_LINE_BREAK.finditer(source):
                self._js_to_text.append(bisect_right(newlines, match.end() - 1) + 1)

    def line(self, js_line: Any) -> int:
        if not isinstance(js_line, int) or js_line < 1:
            return 1
        if self._js_to_text is None:
            return js_line
        return self._js_to_text[min(js_line, len(self._js_to_text)) - 1]


def _parse(source: str, lines: _LineMap) -> Any:
    """Parse as a script first, then as a module (``import``/``export``, top-level await)."""
    try:
        import esprima
    except Exception as exc:  # pragma: no cover - environment problem
        raise CodeParseError(f"JavaScript parser unavailable: {exc}") from exc

    failures: list[Exception] = []
    for parse in (esprima.parseScript, esprima.parseModule):
        try:
            return parse(source, {"loc": True})
        except Exception as exc:  # esprima.Error, RecursionError, and anything odd
            failures.append(exc)
    # Report the attempt that got furthest: an ES module fails as a script at its
    # first import/export, a script with a late syntax error fails the same in both.
    best = max(failures, key=_error_index)
    raise _to_parse_error(best, lines) from best


def _error_index(exc: BaseException) -> int:
    index = getattr(exc, "index", None)
    return index if isinstance(index, int) else -1


def _to_parse_error(exc: BaseException, lines: _LineMap) -> CodeParseError:
    if isinstance(exc, RecursionError):
        return CodeParseError("cannot parse JavaScript: code is nested too deeply")
    line = getattr(exc, "lineNumber", None)
    column = getattr(exc, "column", None)
    if not isinstance(line, int):
        return CodeParseError(f"cannot parse JavaScript: {type(exc).__name__}: {exc}")
    text_line = lines.line(line)
    description = re.sub(r"^Line \d+: ", "", str(exc))
    column = column if isinstance(column, int) else None
    where = f"line {text_line}" + (f", column {column}" if column is not None else "")
    return CodeParseError(f"cannot parse JavaScript at {where}: {description}", text_line, column)


def _children(node: Any, node_type: type) -> list[Any]:
    children: list[Any] = []
    for value in vars(node).values():
        if isinstance(value, node_type):
            children.append(value)
        elif isinstance(value, list):
            children.extend(item for item in value if isinstance(item, node_type))
    return children


def _prop_name(node: Any, computed: Any) -> str | None:
    """Name of a member/property key when it is statically known."""
    if node is None:
        return None
    kind = getattr(node, "type", None)
    if not computed and kind in ("Identifier", "PrivateIdentifier"):
        return node.name if isinstance(node.name, str) else None
    if kind == "Literal" and isinstance(node.value, str):
        return node.value
    return None


def _key_of(prop: Any) -> str | None:
    """Key of an object literal member (``a``, ``"a"``, ``["a"]``, shorthand ``{ a }``)."""
    if getattr(prop, "type", None) != "Property":
        return None  # SpreadElement
    return _prop_name(prop.key, prop.computed)


def _object_keys(node: Any) -> set[str]:
    if getattr(node, "type", None) != "ObjectExpression":
        return set()
    return {key for key in map(_key_of, node.properties or []) if key is not None}


def _unwrap(node: Any) -> Any:
    """Strip wrappers that do not change which value an expression denotes."""
    while node is not None and node.type in ("ChainExpression", "AwaitExpression"):
        node = node.expression if node.type == "ChainExpression" else node.argument
    return node


@dataclass
class _RegionFacts:
    logs: bool
    write: bool
    throws: bool
    callees: list[Any]
    inspects_rejections: bool = False  # looks at rejected Promise.allSettled results


def _position(node: Any, end: bool = False) -> tuple[int, int] | None:
    """esprima's (line, column) of a node's start or end, for ordering nodes."""
    loc = getattr(node, "loc", None)
    point = getattr(loc, "end" if end else "start", None)
    line, column = getattr(point, "line", None), getattr(point, "column", None)
    return (line, column) if isinstance(line, int) and isinstance(column, int) else None


def _settled_branch(test: Any) -> str | None:
    """``'fulfilled'``/``'rejected'``: the results a status comparison selects, else None.

    ``r.status === 'rejected'`` and ``status !== 'fulfilled'`` select rejected results,
    ``r.status === 'fulfilled'`` and ``r.status !== 'rejected'`` fulfilled ones; ``!``
    flips the selection.
    """
    negated = False
    test = _unwrap(test)
    while getattr(test, "type", None) == "UnaryExpression" and test.operator == "!":
        negated = not negated
        test = _unwrap(test.argument)
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


def _inspects_rejections(node: Any) -> bool:
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
        return _prop_name(node.property, node.computed) == "reason"
    if kind == "ObjectPattern":
        return any(_key_of(prop) == "reason" for prop in node.properties or [])
    return False


def _fulfilled_only(node: Any) -> list[Any]:
    """Children of ``node`` that only run for fulfilled ``allSettled`` results."""
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


def _is_null(node: Any) -> bool:
    node = _unwrap(node)
    kind = getattr(node, "type", None)
    return (kind == "Literal" and getattr(node, "raw", None) == "null") or (kind == "Identifier" and node.name == "undefined")


def _is_promise_call(call: Any, method: str) -> bool:
    """``Promise.<method>(...)``."""
    callee = _unwrap(call.callee)
    return (
        getattr(callee, "type", None) == "MemberExpression"
        and getattr(callee.object, "type", None) == "Identifier"
        and callee.object.name == "Promise"
        and _prop_name(callee.property, callee.computed) == method
    )


def _merge(parts: list[_RegionFacts]) -> _RegionFacts:
    return _RegionFacts(
        logs=any(part.logs for part in parts),
        write=any(part.write for part in parts),
        throws=any(part.throws for part in parts),
        callees=[callee for part in parts for callee in part.callees],
        inspects_rejections=any(part.inspects_rejections for part in parts),
    )


class _Analysis:
    """One pass to index the tree, then per-catch reachability over local functions."""

    def __init__(self, program: Any, lines: _LineMap, handler_name: str = DEFAULT_HANDLER) -> None:
        from esprima.nodes import Node

        self._handler_name = handler_name
        self._node_type: type = Node
        self._lines = lines
        self._program = program
        self._functions: dict[str, list[Any]] = {}  # plain names
        self._methods: dict[str, list[Any]] = {}  # property / method names
        self._bindings: dict[str, list[Any]] = {}  # name -> assigned expressions
        self._member_batch: dict[str, list[int]] = {}  # x -> lines of x.batchItemFailures =
        self._callback_names: set[str] = set()
        self._reject_names: set[str] = set()  # `reject` parameters of `new Promise` executors
        self._function_nodes: list[Any] = []
        self._catches: list[Any] = []
        self._promise_clauses: list[tuple[Any, str]] = []  # (call, form), see analyse_node_code
        self._handler_exports: list[Any] = []  # expressions exported as `handler`
        self._module_exports: list[Any] = []  # expressions assigned to module.exports
        self._calls: list[Any] = []
        self._returned: list[Any] = []  # expressions a function hands back
        self._callback_calls: list[Any] = []
        self._promised: set[int] = set()  # ids of calls followed by .promise()
        self._write_calls: dict[int, int] = {}  # id(call) -> line
        self._summaries: dict[int, _RegionFacts] = {}
        self._child_cache: dict[int, list[Any]] = {}  # id(node) -> child nodes
        self._index()
        # Names that pass an error on when called with it: `callback(err)`, `reject(err)`.
        self._forward_names = self._callback_names | self._reject_names
        self._classify_writes()

    # -- indexing ---------------------------------------------------------------

    def _kids(self, node: Any) -> list[Any]:
        """Child nodes in source order, computed once per node (walks repeat per region)."""
        kids = self._child_cache.get(id(node))
        if kids is None:
            kids = self._child_cache[id(node)] = _children(node, self._node_type)
        return kids

    def _walk(self, root: Any) -> Iterator[Any]:
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            stack.extend(reversed(self._kids(node)))

    def _line(self, node: Any) -> int:
        loc = getattr(node, "loc", None)
        start = getattr(loc, "start", None)
        return self._lines.line(getattr(start, "line", None))

    def _index(self) -> None:
        for node in self._walk(self._program):
            kind = node.type
            if kind in _FUNCTION_TYPES:
                self._index_function(node)
            elif kind == "VariableDeclarator":
                if getattr(node.id, "type", None) == "Identifier" and node.init is not None:
                    self._bind(node.id.name, node.init)
            elif kind == "AssignmentExpression" and node.operator == "=":
                self._index_assignment(node)
            elif kind == "Property" or kind in (
                "MethodDefinition",
                "PropertyDefinition",
                "FieldDefinition",
            ):
                name = _prop_name(node.key, node.computed)
                value = node.value
                if name is not None and getattr(value, "type", None) in _FUNCTION_TYPES:
                    self._methods.setdefault(name, []).append(value)
            elif kind == "CatchClause":
                self._catches.append(node)
            elif kind == "CallExpression":
                self._index_call(node)
            elif kind == "NewExpression":
                self._index_new(node)
            elif kind == "ReturnStatement" and node.argument is not None:
                self._returned.append(node.argument)
            elif kind == "ExportNamedDeclaration":
                self._index_export(node)

    def _index_function(self, node: Any) -> None:
        self._function_nodes.append(node)
        named = getattr(node.id, "type", None) == "Identifier"
        if node.type != "ArrowFunctionExpression" and named:
            self._functions.setdefault(node.id.name, []).append(node)
        if node.type == "ArrowFunctionExpression" and node.expression:
            self._returned.append(node.body)
        params = node.params or []
        if len(params) >= 3 and getattr(params[2], "type", None) == "Identifier":
            self._callback_names.add(params[2].name)

    def _index_assignment(self, node: Any) -> None:
        left = node.left
        if getattr(left, "type", None) == "Identifier":
            self._bind(left.name, node.right)
        elif getattr(left, "type", None) == "MemberExpression":
            name = _prop_name(left.property, left.computed)
            if name is None:
                return
            if _is_module_exports(left):
                self._module_exports.append(node.right)
            elif name == self._handler_name and _is_exports_object(left.object):
                self._handler_exports.append(node.right)
            if getattr(node.right, "type", None) in _FUNCTION_TYPES:
                self._methods.setdefault(name, []).append(node.right)
            if name == _BATCH_KEY and getattr(left.object, "type", None) == "Identifier":
                lines = self._member_batch.setdefault(left.object.name, [])
                lines.append(self._line(left.property))

    def _bind(self, name: Any, value: Any) -> None:
        if not isinstance(name, str) or value is None:
            return
        self._bindings.setdefault(name, []).append(value)
        if value.type in _FUNCTION_TYPES:
            self._functions.setdefault(name, []).append(value)

    def _index_export(self, node: Any) -> None:
        """``export function handler``, ``export const handler =``, ``export { x as handler }``."""
        declaration = getattr(node, "declaration", None)
        kind = getattr(declaration, "type", None)
        if kind == "FunctionDeclaration":
            if getattr(declaration.id, "type", None) == "Identifier" and declaration.id.name == self._handler_name:
                self._handler_exports.append(declaration)
        elif kind == "VariableDeclaration":
            for declarator in declaration.declarations or []:
                target = declarator.id
                is_handler = getattr(target, "type", None) == "Identifier" and target.name == self._handler_name
                if is_handler and declarator.init is not None:
                    self._handler_exports.append(declarator.init)
        if getattr(node, "source", None) is not None:
            return  # `export { handler } from "./impl"`: the code is elsewhere
        for specifier in getattr(node, "specifiers", None) or []:
            exported = getattr(specifier, "exported", None)
            if _prop_name(exported, False) == self._handler_name and specifier.local is not None:
                self._handler_exports.append(specifier.local)

    def _index_call(self, node: Any) -> None:
        self._calls.append(node)
        callee = _unwrap(node.callee)
        args = node.arguments or []
        if _is_object_assign(callee) and args and _is_exports_object(args[0]):
            self._module_exports.extend(args[1:])
        if getattr(callee, "type", None) == "MemberExpression":
            method = _prop_name(callee.property, callee.computed)
            if method == "promise":
                inner = _unwrap(callee.object)
                if getattr(inner, "type", None) == "CallExpression":
                    self._promised.add(id(inner))
            elif method == "catch" and args and _is_rejection_handler(args[0]):
                self._promise_clauses.append((node, FORM_CATCH_METHOD))
            elif method == "then" and len(args) >= 2 and _is_rejection_handler(args[1]):
                self._promise_clauses.append((node, FORM_THEN_REJECTED))
            elif _is_promise_call(node, "allSettled"):
                self._promise_clauses.append((node, FORM_ALL_SETTLED))
        elif getattr(callee, "type", None) == "Identifier":
            self._callback_calls.append(node)

    def _index_new(self, node: Any) -> None:
        """``new Promise((resolve, reject) => ...)``: calling ``reject(err)`` propagates."""
        callee = _unwrap(node.callee)
        args = node.arguments or []
        if getattr(callee, "type", None) == "Identifier" and callee.name == "Promise" and args:
            executor = _unwrap(args[0])
            params = getattr(executor, "params", None) or []
            is_executor = getattr(executor, "type", None) in _FUNCTION_TYPES and len(params) >= 2
            if is_executor and getattr(params[1], "type", None) == "Identifier":
                self._reject_names.add(params[1].name)

    # -- DynamoDB writes --------------------------------------------------------

    def _classify_writes(self) -> None:
        for call in self._calls:
            line = self._write_line(call)
            if line is not None:
                self._write_calls[id(call)] = line

    def _write_line(self, call: Any) -> int | None:
        """Line of the write method's name if ``call`` writes to DynamoDB, else None.

        ``x.send(cmd)`` writes when ``cmd`` is (or is bound to) ``new <WriteCommand>``.
        ``putItem``/``updateItem``/``batchWriteItem``/``transactWriteItems`` always
        write. DocumentClient's ``put``/``update``/``batchWrite``/``transactWrite``
        are common words (``hash.update(data)``), so they need evidence: a chained
        ``.promise()``, a receiver named or built like a DynamoDB client (``ddb``,
        ``docClient``, ``new AWS.DynamoDB.DocumentClient()``, ``DynamoDBDocument.from``)
        or a request object with ``TableName``/``RequestItems``/``TransactItems``.
        """
        callee = _unwrap(call.callee)
        if getattr(callee, "type", None) != "MemberExpression":
            return None
        method = _prop_name(callee.property, callee.computed)
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
        return self._line(callee.property) if is_write else None

    def _is_write_command(self, node: Any) -> bool:
        return any(self._is_command_new(value) for value in self._resolve(node))

    @staticmethod
    def _is_command_new(node: Any) -> bool:
        if getattr(node, "type", None) != "NewExpression":
            return False
        callee = _unwrap(node.callee)
        if getattr(callee, "type", None) == "Identifier":
            name = callee.name
        elif getattr(callee, "type", None) == "MemberExpression":
            name = _prop_name(callee.property, callee.computed)
        else:
            return False
        return name in DYNAMODB_WRITE_COMMANDS

    def _is_write_request(self, node: Any) -> bool:
        return any(_object_keys(value) & _WRITE_REQUEST_KEYS for value in self._resolve(node))

    def _looks_like_dynamodb(self, receiver: Any) -> bool:
        """Receiver named like a DynamoDB client, or built from something that is."""
        for value in self._resolve(receiver, keep_identifiers=True):
            for node in self._walk(value):
                is_name = node.type in ("Identifier", "PrivateIdentifier")
                if is_name and _is_dynamodb_name(node.name):
                    return True
        return False

    def _resolve(self, node: Any, keep_identifiers: bool = False) -> list[Any]:
        """Expressions ``node`` may denote, following simple variable bindings."""
        results: list[Any] = []
        pending = [node]
        seen: set[str] = set()
        steps = 0
        while pending and steps < _MAX_RESOLVE_STEPS:
            steps += 1
            current = _unwrap(pending.pop())
            if current is None:
                continue
            if current.type == "Identifier":
                if keep_identifiers:
                    results.append(current)
                if current.name not in seen:
                    seen.add(current.name)
                    pending.extend(self._bindings.get(current.name, ()))
                continue
            results.append(current)
        return results

    # -- catch clauses ----------------------------------------------------------

    def _scan(self, root: Any) -> _RegionFacts:
        """Direct facts of one region: logging, writes, throws, local functions called.

        A ``throw`` inside a nested function does not count: it runs later, elsewhere.
        """
        return self._scan_roots([root])

    def _scan_roots(self, roots: list[Any], settled: bool = False) -> _RegionFacts:
        """``_scan`` over several roots; ``settled`` skips code run only for fulfilled results."""
        facts = _RegionFacts(logs=False, write=False, throws=False, callees=[])
        root_ids = {id(root) for root in roots}
        stack: list[tuple[Any, bool]] = [(root, False) for root in roots]
        seen: set[int] = set()
        while stack:
            node, nested = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            kind = node.type
            if kind == "ThrowStatement" and not nested:
                facts.throws = True
            elif kind == "CallExpression":
                self._scan_call(node, facts)
                if not nested and self._propagates(node):
                    facts.throws = True
            if not facts.inspects_rejections and _inspects_rejections(node):
                facts.inspects_rejections = True
            inner = nested or (kind in _FUNCTION_TYPES and id(node) not in root_ids)
            kids = self._kids(node)
            if settled:
                skipped = {id(child) for child in _fulfilled_only(node) if child is not None}
                kids = [child for child in kids if id(child) not in skipped]
            stack.extend((child, inner) for child in kids)
        return facts

    def _propagates(self, call: Any) -> bool:
        """``Promise.reject(...)``, or ``callback(err)``/``reject(err)`` with an error to pass on."""
        if _is_promise_call(call, "reject"):
            return True
        callee = _unwrap(call.callee)
        args = call.arguments or []
        return (
            getattr(callee, "type", None) == "Identifier"
            and callee.name in self._forward_names
            and bool(args)
            and not _is_null(args[0])
        )

    def _scan_call(self, call: Any, facts: _RegionFacts) -> None:
        if id(call) in self._write_calls:
            facts.write = True
        callee = _unwrap(call.callee)
        kind = getattr(callee, "type", None)
        if kind == "Identifier":
            facts.callees.extend(self._functions.get(callee.name, ()))
        elif kind == "MemberExpression":
            name = _prop_name(callee.property, callee.computed)
            if name == "error":
                facts.logs = True
            target = _unwrap(callee.object)
            if name in ("call", "apply", "bind") and getattr(target, "type", None) == "Identifier":
                facts.callees.extend(self._functions.get(target.name, ()))
            elif name is not None:
                facts.callees.extend(self._methods.get(name, ()))
                facts.callees.extend(self._functions.get(name, ()))
        # Local functions handed over as callbacks (`.forEach(recordFailure)`) run too.
        for arg in call.arguments or []:
            if getattr(arg, "type", None) == "Identifier":
                facts.callees.extend(self._functions.get(arg.name, ()))

    def _summary(self, function: Any) -> _RegionFacts:
        key = id(function)
        if key not in self._summaries:
            self._summaries[key] = self._scan(function)
        return self._summaries[key]

    def _catch_clause(self, clause: Any, in_handler: bool) -> CatchClause:
        direct = self._scan(clause.body)
        return self._clause(self._line(clause), direct, self._reached(direct), in_handler, FORM_TRY)

    def _promise_clause(self, call: Any, form: str, in_handler: bool) -> CatchClause | None:
        """The clause of a ``.catch``/``.then``/``Promise.allSettled`` call, see analyse_node_code."""
        callee = _unwrap(call.callee)
        if form == FORM_ALL_SETTLED:
            direct = self._settled_region(call)
            reached = self._reached(direct)
            if not reached.inspects_rejections:
                return None  # the rejections are dropped unseen: nothing handles them
            return self._clause(self._line(callee.property), direct, reached, in_handler, form)
        handler = call.arguments[0] if form == FORM_CATCH_METHOD else call.arguments[1]
        line = self._line(callee.property if form == FORM_CATCH_METHOD else handler)
        direct = self._handler_facts(handler)
        return self._clause(line, direct, self._reached(direct), in_handler, form)

    @staticmethod
    def _clause(line: int, direct: _RegionFacts, reached: _RegionFacts, in_handler: bool, form: str) -> CatchClause:
        return CatchClause(
            line=line,
            logs_error=reached.logs,
            rethrows=direct.throws,
            writes_dynamodb=reached.write,
            in_handler=in_handler,
            form=form,
        )

    def _reached(self, direct: _RegionFacts) -> _RegionFacts:
        """A body's facts together with those of the local functions it reaches by calls."""
        logs, write, inspects = direct.logs, direct.write, direct.inspects_rejections
        pending = list(direct.callees)
        visited: set[int] = set()
        while pending and not (logs and write and inspects):
            function = pending.pop()
            if id(function) in visited:
                continue
            visited.add(id(function))
            summary = self._summary(function)
            logs = logs or summary.logs
            write = write or summary.write
            inspects = inspects or summary.inspects_rejections
            pending.extend(summary.callees)
        return _RegionFacts(logs=logs, write=write, throws=direct.throws, callees=[], inspects_rejections=inspects)

    def _handler_facts(self, handler: Any) -> _RegionFacts:
        """Direct facts of a rejection handler, as the body of ``catch (err) { handler(err) }``.

        A function literal, or a local function named by the handler, is itself the body.
        """
        node = _unwrap(handler)
        kind = node.type
        if kind in _FUNCTION_TYPES:
            return self._summary(node)
        if kind == "Identifier":
            functions = self._functions.get(node.name, [])
            if functions:
                return _merge([self._summary(function) for function in functions])
            forwards = node.name in self._forward_names
            return _RegionFacts(logs=False, write=False, throws=forwards, callees=[])
        if kind == "MemberExpression":
            name = _prop_name(node.property, node.computed)
            methods = self._methods.get(name, []) if name is not None else []
            facts = _merge([self._summary(method) for method in methods])
            facts.logs = facts.logs or name == "error"
            return facts
        return self._scan(node)  # e.g. a factory: `.catch(failWith(record))`

    def _settled_region(self, call: Any) -> _RegionFacts:
        """Facts of the code after ``call`` in its innermost function (or the script)."""
        start, end = _position(call), _position(call, end=True)
        if start is None or end is None:
            return _RegionFacts(logs=False, write=False, throws=False, callees=[])
        scope, scope_start = self._program, (0, 0)
        for function in self._function_nodes:
            function_start, function_end = _position(function), _position(function, end=True)
            if function_start is None or function_end is None:
                continue
            if scope_start <= function_start <= start and end <= function_end:
                scope, scope_start = function, function_start  # the innermost so far
        roots: list[Any] = []
        stack = list(self._kids(scope))
        while stack:
            node = stack.pop()
            node_start, node_end = _position(node), _position(node, end=True)
            if node_start is not None and node_start >= end:
                roots.append(node)  # wholly after the call
            elif node_end is None or node_end > end:
                stack.extend(self._kids(node))  # holds the call and code after it
        return self._scan_roots(roots, settled=True)

    # -- the exported handler ---------------------------------------------------

    def _values(self, node: Any) -> list[Any]:
        """Expressions ``node`` may denote: through bindings, function names, ``a = b = x``."""
        results: list[Any] = []
        pending = [node]
        seen_names: set[str] = set()
        seen_nodes: set[int] = set()
        steps = 0
        while pending and steps < _MAX_RESOLVE_STEPS:
            steps += 1
            current = _unwrap(pending.pop())
            if current is None or id(current) in seen_nodes:
                continue
            seen_nodes.add(id(current))
            kind = current.type
            if kind == "Identifier":
                if current.name not in seen_names:
                    seen_names.add(current.name)
                    pending.extend(self._bindings.get(current.name, ()))
                    pending.extend(self._functions.get(current.name, ()))
            elif kind == "AssignmentExpression" and current.operator == "=":
                pending.append(current.right)
            elif kind == "ConditionalExpression":
                pending.extend((current.consequent, current.alternate))
            else:
                results.append(current)
        return results

    def _handler_roots(self) -> list[Any]:
        """The handler's code: functions, or calls that wrap local code (``middy(main)``)."""
        exported = list(self._handler_exports)
        for value in self._module_exports:
            for target in self._values(value):
                if getattr(target, "type", None) != "ObjectExpression":
                    continue
                for prop in target.properties or []:
                    if _key_of(prop) == self._handler_name and prop.value is not None:
                        exported.append(prop.value)
        roots: list[Any] = []
        for expression in exported:
            for value in self._values(expression):
                if value.type in _FUNCTION_TYPES or (
                    value.type in ("CallExpression", "NewExpression") and self._wraps_local_code(value)
                ):
                    roots.append(value)
        return roots

    def _wraps_local_code(self, call: Any) -> bool:
        """Whether a call has a function literal in it or reaches a local function."""
        if self._summary(call).callees:
            return True
        return any(node.type in _FUNCTION_TYPES for node in self._walk(call))

    def _handler_catches(self, roots: list[Any]) -> set[int]:
        """Ids of the catch clauses inside the handler's code or local functions it calls."""
        catches: set[int] = set()
        clauses = {id(call) for call, _ in self._promise_clauses}
        pending = list(roots)
        visited: set[int] = set()
        while pending:
            region = pending.pop()
            if id(region) in visited:
                continue
            visited.add(id(region))
            catches.update(id(node) for node in self._walk(region) if node.type == "CatchClause" or id(node) in clauses)
            pending.extend(self._summary(region).callees)
        return catches

    # -- partial batch responses -------------------------------------------------

    def _batch_response_lines(self) -> list[int]:
        returned = list(self._returned)
        for call in self._callback_calls:
            args = call.arguments or []
            if _unwrap(call.callee).name in self._callback_names and len(args) >= 2:
                returned.append(args[1])
        lines: list[int] = []
        for expression in returned:
            lines.extend(self._batch_lines_of(expression))
        return lines

    def _batch_lines_of(self, expression: Any) -> list[int]:
        lines: list[int] = []
        pending = [expression]
        seen_names: set[str] = set()
        steps = 0
        while pending and steps < _MAX_RESOLVE_STEPS:
            steps += 1
            node = _unwrap(pending.pop())
            kind = getattr(node, "type", None)
            if kind == "ObjectExpression":
                for prop in node.properties or []:
                    if _key_of(prop) == _BATCH_KEY:
                        lines.append(self._line(prop.key))
            elif kind == "ConditionalExpression":
                pending.extend((node.consequent, node.alternate))
            elif kind == "LogicalExpression":
                pending.extend((node.left, node.right))
            elif kind == "SequenceExpression" and node.expressions:
                pending.append(node.expressions[-1])
            elif kind == "CallExpression" and self._is_promise_resolve(node):
                pending.append(node.arguments[0])
            elif kind == "Identifier" and node.name not in seen_names:
                seen_names.add(node.name)
                lines.extend(self._member_batch.get(node.name, ()))
                pending.extend(self._bindings.get(node.name, ()))
        return lines

    @staticmethod
    def _is_promise_resolve(call: Any) -> bool:
        callee = _unwrap(call.callee)
        return (
            getattr(callee, "type", None) == "MemberExpression"
            and getattr(callee.object, "type", None) == "Identifier"
            and callee.object.name == "Promise"
            and _prop_name(callee.property, callee.computed) == "resolve"
            and bool(call.arguments)
        )

    # -- result -----------------------------------------------------------------

    def facts(self) -> CodeFacts:
        roots = self._handler_roots()
        in_handler = self._handler_catches(roots) if roots else None
        found: list[tuple[tuple[int, int], CatchClause]] = []
        for clause in self._catches:
            inside = in_handler is None or id(clause) in in_handler
            found.append((_position(clause) or (0, 0), self._catch_clause(clause, inside)))
        for call, form in self._promise_clauses:
            inside = in_handler is None or id(call) in in_handler
            promise_clause = self._promise_clause(call, form, inside)
            if promise_clause is not None:
                found.append((_position(call) or (0, 0), promise_clause))
        found.sort(key=lambda item: (item[1].line, item[0]))
        catches = tuple(clause for _, clause in found)
        batch_lines = self._batch_response_lines()
        return CodeFacts(
            catches=catches,
            returns_batch_item_failures=bool(batch_lines),
            batch_item_failures_line=min(batch_lines) if batch_lines else None,
            dynamodb_write_lines=tuple(sorted(set(self._write_calls.values()))),
            handler_found=bool(roots),
            handler_line=min(map(self._line, roots)) if roots else None,
        )


def _is_rejection_handler(node: Any) -> bool:
    """Whether a ``.catch``/``.then`` argument can handle a rejection (not ``undefined``, ``null``, ...)."""
    node = _unwrap(node)
    return node is not None and node.type not in _NOT_CALLABLE and not _is_null(node)


def _is_exports_object(node: Any) -> bool:
    """``exports`` or ``module.exports``."""
    node = _unwrap(node)
    if getattr(node, "type", None) == "Identifier":
        return node.name == "exports"
    return _is_module_exports(node)


def _is_member(node: Any, owner: str, name: str) -> bool:
    """Is `node` the member expression `owner.name` (or `owner["name"]`)?"""
    return (
        getattr(node, "type", None) == "MemberExpression"
        and getattr(node.object, "type", None) == "Identifier"
        and node.object.name == owner
        and _prop_name(node.property, node.computed) == name
    )


def _is_module_exports(node: Any) -> bool:
    return _is_member(_unwrap(node), "module", "exports")


def _is_object_assign(callee: Any) -> bool:
    return _is_member(callee, "Object", "assign")


def _is_dynamodb_name(name: Any) -> bool:
    return isinstance(name, str) and bool(_DYNAMO_NAME.search(name) or _DDB_NAME.search(name))
