"""ARCH010's question: which places catch errors, and does each log the error or rethrow it?

Logging: a catch logs when it (or a function defined in the same code that it calls,
transitively) calls ``console.error(...)`` or any ``<something>.error(...)``.
``console.log``/``console.warn`` do not count. Calls anywhere in the catch body,
callbacks included, count; local functions are followed when called by name, as
``obj.method(...)``/``this.method(...)``, via ``.call``/``.apply``/``.bind`` or when
passed as a callback (``.forEach(logFailure)``), see ``CodeIndex.callees``. The same
reachability decides whether a catch writes to DynamoDB (``checker.model.code.writes``).

Rethrowing: the catch body itself (not a nested function) lets the error propagate: a
``throw`` statement, a ``Promise.reject(...)`` call, or a call passing a value to a
Lambda ``callback`` (a function's third parameter) or to a ``new Promise`` executor's
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

A catch that does not log is excused (``logged_upstream``) when every error that can
reach it was logged by the catch that first caught it and rethrew it, see
``checker.model.code.flow``.

Catch clauses are sorted by line (ties: source order).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.model.code.facts import FORM_ALL_SETTLED, FORM_CATCH_METHOD, FORM_THEN_REJECTED, FORM_TRY, CatchClause
from checker.model.code.flow import ErrorFlow
from checker.model.code.index import CodeIndex
from checker.model.code.settled import code_after, fulfilled_only, inspects_rejections
from checker.model.code.syntax import FUNCTION_TYPES, is_member, is_null, member_name, position, unwrap

# Argument shapes that cannot be a rejection handler (``.catch(undefined)`` catches nothing).
_NOT_CALLABLE = frozenset({"Literal", "ObjectExpression", "ArrayExpression", "TemplateLiteral", "SpreadElement"})


@dataclass
class _RegionFacts:
    """What one stretch of code does directly, and the local functions it calls."""

    logs: bool = False
    write: bool = False
    throws: bool = False
    callees: list[Any] = field(default_factory=list)
    inspects_rejections: bool = False  # looks at rejected Promise.allSettled results


def catch_clauses(index: CodeIndex, write_calls: Mapping[int, int], in_handler: Callable[[Any], bool]) -> tuple[CatchClause, ...]:
    """Every catch clause in the code, sorted by line; ``in_handler`` tells a catch node or call inside the handler."""
    promise_calls = _promise_clauses(index)
    catches = _Catches(index, write_calls, {id(call): form for call, form in promise_calls})
    found: list[tuple[tuple[int, int], CatchClause]] = []
    for clause in index.catch_clauses:
        found.append((position(clause) or (0, 0), catches.try_clause(clause, in_handler(clause))))
    for call, form in promise_calls:
        promise_clause = catches.promise_clause(call, form, in_handler(call))
        if promise_clause is not None:
            found.append((position(call) or (0, 0), promise_clause))
    found.sort(key=lambda item: (item[1].line, item[0]))
    return tuple(clause for _, clause in found)


def _promise_clauses(index: CodeIndex) -> list[tuple[Any, str]]:
    """``(call, form)`` of the calls that may catch rejections: ``.catch``, ``.then`` and ``Promise.allSettled``."""
    found: list[tuple[Any, str]] = []
    for call in index.calls:
        callee = unwrap(call.callee)
        method = member_name(callee)
        args = call.arguments or []
        if method == "catch" and args and _is_rejection_handler(args[0]):
            found.append((call, FORM_CATCH_METHOD))
        elif method == "then" and len(args) >= 2 and _is_rejection_handler(args[1]):
            found.append((call, FORM_THEN_REJECTED))
        elif is_member(callee, "Promise", "allSettled"):
            found.append((call, FORM_ALL_SETTLED))
    return found


class _Catches:
    """Judges catch bodies, summarising each local function once however many catches reach it."""

    def __init__(self, index: CodeIndex, write_calls: Mapping[int, int], promise_forms: Mapping[int, str]) -> None:
        self._index = index
        self._write_calls = write_calls
        self._forms = promise_forms
        # Names that pass an error on when called with it: `callback(err)`, `reject(err)`.
        self._forward_names = index.callback_names | index.reject_names
        self._summaries: dict[int, _RegionFacts] = {}
        self._judged: dict[int, tuple[_RegionFacts, _RegionFacts]] = {}
        self._flow = ErrorFlow(index, promise_forms, self._verdict)

    def try_clause(self, clause: Any, in_handler: bool) -> CatchClause:
        direct, reached = self._judge(clause)
        upstream = not reached.logs and self._flow.only_logged([self._index.try_blocks[id(clause)]])
        return _clause(self._index.place(clause), direct, reached, in_handler, FORM_TRY, upstream)

    def promise_clause(self, call: Any, form: str, in_handler: bool) -> CatchClause | None:
        """The clause of a ``.catch``/``.then``/``Promise.allSettled`` call; None when nothing is caught."""
        callee = unwrap(call.callee)
        if form == FORM_ALL_SETTLED:
            direct = self._scan(code_after(self._index, call), settled=True)
            reached = self._reached(direct)
            if not reached.inspects_rejections:
                return None  # the rejections are dropped unseen: nothing handles them
            upstream = not reached.logs and self._flow.only_logged(call.arguments or [])
            return _clause(self._index.place(callee.property), direct, reached, in_handler, form, upstream)
        direct, reached = self._judge(call)
        upstream = not reached.logs and self._flow.only_logged([callee.object])
        place = self._index.place(callee.property if form == FORM_CATCH_METHOD else call.arguments[1])
        return _clause(place, direct, reached, in_handler, form, upstream)

    def _judge(self, node: Any) -> tuple[_RegionFacts, _RegionFacts]:
        """The direct and reached facts of a ``catch`` clause or a ``.catch``/``.then`` call, judged once each."""
        judged = self._judged.get(id(node))
        if judged is None:
            if node.type == "CatchClause":
                direct = self._scan([node.body])
            else:
                direct = self._rejection_handler_facts(node.arguments[0 if self._forms[id(node)] == FORM_CATCH_METHOD else 1])
            judged = self._judged[id(node)] = (direct, self._reached(direct))
        return judged

    def _verdict(self, node: Any) -> tuple[bool, bool]:
        """``(rethrows, logs)`` of a nested catch, for the error flow."""
        direct, reached = self._judge(node)
        return direct.throws, reached.logs

    def _scan(self, roots: list[Any], settled: bool = False) -> _RegionFacts:
        """Direct facts of a region: logging, writes, throws, local functions called.

        A ``throw`` inside a nested function does not count: it runs later, elsewhere.
        ``settled`` skips the code that only runs for fulfilled ``allSettled`` results.
        """
        facts = _RegionFacts()
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
            if not facts.inspects_rejections and inspects_rejections(node):
                facts.inspects_rejections = True
            inner = nested or (kind in FUNCTION_TYPES and id(node) not in root_ids)
            kids = self._index.kids(node)
            if settled:
                skipped = {id(child) for child in fulfilled_only(node) if child is not None}
                kids = [child for child in kids if id(child) not in skipped]
            stack.extend((child, inner) for child in kids)
        return facts

    def _scan_call(self, call: Any, facts: _RegionFacts) -> None:
        if id(call) in self._write_calls:
            facts.write = True
        if member_name(unwrap(call.callee)) == "error":
            facts.logs = True
        facts.callees.extend(self._index.callees(call))

    def _propagates(self, call: Any) -> bool:
        """``Promise.reject(...)``, or ``callback(err)``/``reject(err)`` with an error to pass on."""
        callee = unwrap(call.callee)
        if is_member(callee, "Promise", "reject"):
            return True
        args = call.arguments or []
        return (
            getattr(callee, "type", None) == "Identifier"
            and callee.name in self._forward_names
            and bool(args)
            and not is_null(args[0])
        )

    def _summary(self, function: Any) -> _RegionFacts:
        key = id(function)
        if key not in self._summaries:
            self._summaries[key] = self._scan([function])
        return self._summaries[key]

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
        return _RegionFacts(logs=logs, write=write, throws=direct.throws, inspects_rejections=inspects)

    def _rejection_handler_facts(self, handler: Any) -> _RegionFacts:
        """Direct facts of a rejection handler, as the body of ``catch (err) { handler(err) }``.

        A function literal, or a local function named by the handler, is itself the body.
        """
        node = unwrap(handler)
        kind = node.type
        if kind in FUNCTION_TYPES:
            return self._summary(node)
        if kind == "Identifier":
            functions = self._index.functions.get(node.name, [])
            if functions:
                return _merge([self._summary(function) for function in functions])
            return _RegionFacts(throws=node.name in self._forward_names)
        if kind == "MemberExpression":
            name = member_name(node)
            methods = self._index.methods.get(name, []) if name is not None else []
            facts = _merge([self._summary(method) for method in methods])
            facts.logs = facts.logs or name == "error"
            return facts
        return self._scan([node])  # e.g. a factory: `.catch(failWith(record))`


def _clause(
    place: tuple[int, int], direct: _RegionFacts, reached: _RegionFacts, in_handler: bool, form: str, upstream: bool
) -> CatchClause:
    return CatchClause(
        line=place[0],
        column=place[1],
        logs_error=reached.logs,
        rethrows=direct.throws,
        writes_dynamodb=reached.write,
        in_handler=in_handler,
        form=form,
        logged_upstream=upstream,
    )


def _merge(parts: list[_RegionFacts]) -> _RegionFacts:
    return _RegionFacts(
        logs=any(part.logs for part in parts),
        write=any(part.write for part in parts),
        throws=any(part.throws for part in parts),
        callees=[callee for part in parts for callee in part.callees],
        inspects_rejections=any(part.inspects_rejections for part in parts),
    )


def _is_rejection_handler(node: Any) -> bool:
    """Whether a ``.catch``/``.then`` argument can handle a rejection (not ``undefined``, ``null``, ...)."""
    node = unwrap(node)
    return node is not None and node.type not in _NOT_CALLABLE and not is_null(node)
