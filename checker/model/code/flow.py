"""ARCH010's path question: can an error reach a catch without having been logged on its way?

An error is logged on its way when the catch that first received it logged it and rethrew
it (or passed it on through a catch that did not log). A catch that only receives such
errors need not log them again: ``CatchClause.logged_upstream``. Errors reach a catch from
the code it protects -- a ``try`` block, the promise a ``.catch``/``.then`` handler is
attached to, the promises given to ``Promise.allSettled`` -- and in that code:

* a ``throw``, ``Promise.reject(...)``, ``new X(...)`` (but ``new Promise``), a call into code
  the string does not hold (``JSON.parse``, ``client.send``, a parameter, a template tag,
  ``import()``) or an ``await`` of a value not followed to where it was made starts a new
  error, never logged. Calls known not to throw start none: ``console.*``, logger methods
  (``log.info``), ``JSON.stringify``, the array and promise methods and
  ``Promise.all``/``race``/``any``/``resolve`` (the callbacks they are given are read as part
  of the code, as every nested function is: what a callback throws may reach the catch).
  Property reads are not counted as throwing;
* a call to a local function brings what that function lets escape, followed transitively;
* a nested ``try``/``catch`` or ``.catch``/``.then`` handler stops what its own protected code
  throws and lets out what it rethrows: logged when it logs (what its own statements might
  throw is not followed: the error it handles is), else whatever reached it;
* ``Promise.allSettled(...)`` never rejects: its promises reach only the code inspecting it.

A value awaited, settled or chained by name (``await p``, ``Promise.allSettled(promises)``) is
followed to the expressions bound to the name. With no logged rethrow reaching a catch at
all, the catch is not excused: code with nothing visible to throw must still log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.model.code.facts import FORM_ALL_SETTLED, FORM_CATCH_METHOD, FORM_THEN_REJECTED
from checker.model.code.index import CodeIndex
from checker.model.code.syntax import is_member, member_name, unwrap

# Methods whose call starts no error of its own: array and promise plumbing, logging.
_QUIET_METHODS = frozenset(
    {
        *("map", "forEach", "filter", "flatMap", "reduce", "reduceRight", "some", "every", "find", "findIndex"),
        *("push", "unshift", "concat", "slice", "includes", "indexOf", "join", "keys", "values", "entries"),
        *("then", "catch", "finally"),
        *("error", "warn", "info", "log", "debug", "trace"),
    }
)
_QUIET_PROMISE_FUNCTIONS = frozenset({"all", "race", "any", "resolve"})
# Nodes that start an error of their own: a throw, and calls the code cannot follow (a tag, `import()`).
_NEW_ERRORS = frozenset({"ThrowStatement", "TaggedTemplateExpression", "ImportExpression"})

# A catch's verdict as the flow needs it: (rethrows, logs).
Verdict = Callable[[Any], tuple[bool, bool]]


@dataclass
class _Sources:
    """What errors one stretch of code lets out: new unlogged ones, logged rethrows, and code that decides the rest."""

    unlogged: bool = False
    logged: bool = False
    further: list[tuple[Any, ...]] = field(default_factory=list)  # regions whose errors come out here too


class ErrorFlow:
    """Answers, per catch, whether only logged errors reach it; each region is read once."""

    def __init__(self, index: CodeIndex, promise_forms: Mapping[int, str], verdict: Verdict) -> None:
        self._index = index
        self._forms = promise_forms  # id(call) -> form, for `.catch`, `.then(_, h)` and `Promise.allSettled`
        self._verdict = verdict  # of a catch clause node or a `.catch`/`.then` call
        self._regions: dict[tuple[int, ...], _Sources] = {}

    def only_logged(self, protected: Sequence[Any]) -> bool:
        """Whether every error the ``protected`` code lets out was logged where first caught, and one can be."""
        logged = False
        pending = [tuple(protected)]
        seen: set[tuple[int, ...]] = set()
        while pending:
            region = pending.pop()
            key = tuple(map(id, region))
            if key in seen:
                continue
            seen.add(key)
            sources = self._sources(region, key)
            if sources.unlogged:
                return False
            logged = logged or sources.logged
            pending.extend(sources.further)
        return logged

    def _sources(self, region: tuple[Any, ...], key: tuple[int, ...]) -> _Sources:
        cached = self._regions.get(key)
        if cached is None:
            cached = self._regions[key] = self._scan(region)
        return cached

    def _scan(self, region: tuple[Any, ...]) -> _Sources:
        """The sources of errors in a region; stops at the first unlogged one, which decides."""
        found = _Sources()
        stack: list[Any] = []
        for root in region:
            self._promised(root, found, stack)
        while stack and not found.unlogged:
            node = stack.pop()
            kind = node.type
            if kind == "TryStatement" and node.handler is not None:
                self._caught(node.handler, (node.block,), found)
                if node.finalizer is not None:
                    stack.append(node.finalizer)
                continue
            if kind == "CallExpression" and self._call(node, found, stack):
                continue
            if kind in _NEW_ERRORS or (kind == "NewExpression" and not _names(node.callee, "Promise")):
                found.unlogged = True
            elif kind == "AwaitExpression":
                self._promised(node.argument, found, stack)
                continue
            stack.extend(self._index.kids(node))
        return found

    def _promised(self, node: Any, found: _Sources, stack: list[Any]) -> None:
        """A value whose rejection flows here: read it, or follow a name to what was bound to it."""
        value = unwrap(node)
        if getattr(value, "type", None) != "Identifier":
            if value is not None:
                stack.append(value)
            return
        bound = tuple(self._index.follow(value))
        if bound:
            found.further.append(bound)
        else:
            found.unlogged = True  # a parameter, a global: made where the code cannot see

    def _caught(self, clause: Any, protected: tuple[Any, ...], found: _Sources) -> None:
        rethrows, logs = self._verdict(clause)
        if rethrows and logs:
            found.logged = True
        elif rethrows:
            found.further.append(protected)

    def _call(self, call: Any, found: _Sources, stack: list[Any]) -> bool:
        """Read a call's own part in the flow; True when its children are not to be read as plain code."""
        form = self._forms.get(id(call))
        callee = unwrap(call.callee)
        args = call.arguments or []
        if form == FORM_ALL_SETTLED:
            return True
        if form in (FORM_CATCH_METHOD, FORM_THEN_REJECTED):
            self._caught(call, (callee.object,), found)
            if form == FORM_THEN_REJECTED:
                stack.append(args[0])
            return True
        targets = self._index.called(call)
        if targets:
            found.further.extend((target,) for target in targets)
        elif not _quiet(callee):
            found.unlogged = True
            return True
        for arg in args:
            if getattr(arg, "type", None) == "Identifier":
                found.further.extend((function,) for function in self._index.functions.get(arg.name, ()))
        if any(is_member(callee, "Promise", name) for name in _QUIET_PROMISE_FUNCTIONS):
            for arg in args:
                elements = (arg.elements or []) if getattr(arg, "type", None) == "ArrayExpression" else [arg]
                for element in elements:
                    self._promised(element, found, stack)
            return True
        return False


def _names(node: Any, name: str) -> bool:
    node = unwrap(node)
    return getattr(node, "type", None) == "Identifier" and node.name == name


def _quiet(callee: Any) -> bool:
    """A call into code the string does not hold that starts no error: see ``_QUIET_METHODS``."""
    if getattr(callee, "type", None) != "MemberExpression":
        return False
    if _names(callee.object, "console") or is_member(callee, "JSON", "stringify"):
        return True
    if _names(callee.object, "Promise"):
        return member_name(callee) in _QUIET_PROMISE_FUNCTIONS
    return member_name(callee) in _QUIET_METHODS
