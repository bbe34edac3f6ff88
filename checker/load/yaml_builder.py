"""The first YAML document of a text, built from libyaml's event stream into marked data.

The tree is built here iteratively: no recursion to overflow on deep nesting, aliases
counted so a "billion laughs" document is refused instead of expanded, and no YAML tag
ever constructs a Python object. Short-form intrinsic tags (!Ref, !Sub...) become their
long form, scalars resolve as YAML 1.2 does, and every error names the file's line and column.
JSON comes here too, as YAML in flow style.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from checker.load.template import ORIGIN, LoadError, Mark, MarkedDict, MarkedList

MAX_DEPTH = 200
MAX_NODES = 2_000_000
TOO_DEEP = f"the document nests deeper than {MAX_DEPTH} levels; refusing to load it"

_Wrap = Callable[[object], MarkedDict]  # a short-form tag's value into its long form: !Ref x -> {Ref: x}

# --- short-form intrinsic tags -------------------------------------------------

_FN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And Base64 Cidr Equals FindInMap ForEach GetAZs GetAtt If ImportValue Join Length "
            "Not Or Select Split Sub ToJsonString Transform "
            # functions of the template's Rules section
            "Contains EachMemberEquals EachMemberIn RefAll ValueOf ValueOfAll"
        ).split()
    },
}
_CORE = "tag:yaml.org,2002:"
_CORE_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "binary", "timestamp")}

_INT = re.compile(r"[-+]?[0-9]+$")  # YAML 1.2 core schema: 012 is the integer 12
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def _plain_scalar(value: str, mark: Mark = ORIGIN) -> object:
    """YAML 1.2 core-schema resolution of an unquoted scalar."""
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        try:
            return int(value)
        except ValueError:  # more digits than Python converts (4,300): no template holds such a number
            raise LoadError(f"a number {len(value):,} digits long; refusing to read it", *mark) from None
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        return float(value)
    return value


def _tagged_scalar(tag: str, value: str, mark: Mark) -> object:
    if tag == _CORE + "str" or tag == _CORE + "binary" or tag == _CORE + "timestamp":
        return value
    if tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
        resolved = _plain_scalar(value, mark)
        return resolved if resolved is not None or tag == _CORE + "null" else value
    raise _tag_error(tag, mark)


def _tag_error(tag: str, mark: Mark) -> LoadError:
    if tag.startswith("tag:yaml.org,2002:python/"):
        return LoadError(
            f"YAML tag '!!{tag.split(':', 2)[-1]}' asks for a Python object; "
            "CloudFormation templates never contain such tags and nothing was constructed",
            *mark,
        )
    return LoadError(f"unknown YAML tag '{tag}': CloudFormation understands only its intrinsic-function tags", *mark)


def _getatt_scalar(value: str) -> list[str]:
    logical_id, _, attribute = value.partition(".")
    return [logical_id, attribute]


_YAML_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")  # what libyaml counts as line breaks (\r\n is one)
_ANY_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")  # the ones that editors, Markdown and JSON do not count


class _Places:
    """libyaml's 0-based (line, column) as the file's Mark. libyaml also ends lines at NEL, U+2028 and U+2029,
    which editors, Markdown and JSON do not: in a text holding one, its lines are mapped back to the file's.
    `offset` lines of the file precede the text (a code block of a Markdown answer)."""

    __slots__ = ("offset", "starts")

    def __init__(self, text: str, offset: int) -> None:
        self.offset = offset
        self.starts: list[tuple[int, int]] | None = None  # per libyaml line: the file's line, the columns before it
        if _YAML_ONLY_BREAK.search(text):
            self.starts, line, line_start = [(0, 0)], 0, 0
            for found in _ANY_YAML_BREAK.finditer(text):
                if _YAML_ONLY_BREAK.match(found.group()):
                    self.starts.append((line, found.end() - line_start))
                else:
                    line, line_start = line + 1, found.end()
                    self.starts.append((line, 0))

    def at(self, line: int, column: int) -> Mark:
        if self.starts is None or line >= len(self.starts):
            return Mark(line + 1 + self.offset, column + 1)
        file_line, before = self.starts[line]
        return Mark(file_line + 1 + self.offset, before + column + 1)

    def of(self, mark: Mark) -> Mark:
        """A 1-based mark in libyaml's lines (as _within gives it), in the file's."""
        return self.at(mark.line - 1, mark.column - 1)


def _mark(event: Any, places: _Places) -> Mark:
    """Where a parser event starts, in the file's lines (parsed events always carry their start)."""
    return places.at(event.start_mark.line, event.start_mark.column)


class _Frame:
    """A mapping or sequence being built, with what its parent needs to finish it."""

    __slots__ = ("anchor", "container", "key", "nodes_before", "wrap")

    def __init__(self, container: MarkedDict | MarkedList, wrap: _Wrap | None, anchor: str | None, nodes_before: int) -> None:
        self.container = container
        self.key: tuple[str, Mark] | None = None  # of a mapping, the key read whose value comes next
        self.wrap = wrap
        self.anchor = anchor
        self.nodes_before = nodes_before


def build(text: str, offset: int = 0) -> object:
    """Build the first YAML document of `text` from parser events, iteratively; `offset` lines precede it in its file."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    places = _Places(text, offset)
    anchors: dict[str, tuple[object, int]] = {}
    stack: list[_Frame] = []
    nodes = 0
    documents = 0
    root: object = None
    value: object
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event).__name__
            if kind == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    raise LoadError(
                        "the file holds more than one YAML document; a template is one document", *_mark(event, places)
                    )
                continue
            if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
                continue
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                frame = stack.pop()
                value = frame.container
                if frame.anchor:
                    anchors[frame.anchor] = (value, nodes - frame.nodes_before)
                value, mark = (frame.wrap(value) if frame.wrap else value), frame.container.start
            else:
                mark = _mark(event, places)
                nodes += 1
                if nodes > MAX_NODES:
                    raise LoadError(f"the document has more than {MAX_NODES:,} values; refusing to load it", *mark)
                tag = getattr(event, "tag", None)
                wrap = None
                if tag and tag != "!" and tag not in _CORE_TAGS:
                    if tag not in _FN_TAGS:
                        raise _tag_error(tag, mark)
                    wrap = _short_form(_FN_TAGS[tag], mark)
                if kind == "AliasEvent":
                    if event.anchor not in anchors:
                        raise LoadError(f"alias '*{event.anchor}' refers to no anchor", *mark)
                    value, weight = anchors[event.anchor]
                    nodes += weight
                    if nodes > MAX_NODES:
                        raise LoadError(
                            f"YAML aliases expand to more than {MAX_NODES:,} values (an alias bomb?); refusing to expand them",
                            *mark,
                        )
                elif kind == "ScalarEvent":
                    if event.implicit[0] and (not tag or tag == "!"):
                        value = _plain_scalar(event.value, mark) if not event.style else event.value
                    elif tag in _CORE_TAGS:
                        value = _tagged_scalar(tag, event.value, mark)
                    else:
                        value = event.value
                    if tag == "!GetAtt" and isinstance(value, str):
                        value = _getatt_scalar(value)
                    if wrap:
                        value = wrap(value)
                    if event.anchor:
                        anchors[event.anchor] = (value, 1)
                else:  # a collection starts
                    if len(stack) >= MAX_DEPTH:
                        raise LoadError(TOO_DEEP, *mark)
                    container = MarkedDict(mark) if kind == "MappingStartEvent" else MarkedList(mark)
                    stack.append(_Frame(container, wrap, event.anchor, nodes))
                    continue
            if not stack:
                root = value
                continue
            _add(stack[-1], value, mark)
    except yaml.MarkedYAMLError as error:
        problem_mark = error.problem_mark or error.context_mark
        where = places.of(_within(text, Mark(problem_mark.line + 1, problem_mark.column + 1) if problem_mark else ORIGIN))
        if error.problem == "exceeded maximum nesting depth":  # libyaml's own limit, met in flow style before ours
            raise LoadError(TOO_DEEP, *where) from None
        problem = error.problem or error.context or "invalid YAML"
        context_mark = error.context_mark
        if error.context and context_mark and context_mark is not problem_mark:
            context = places.of(_within(text, Mark(context_mark.line + 1, context_mark.column + 1)))
            problem += f" ({error.context} at line {context.line}, column {context.column})"
        if "cannot start any token" in problem and _character_at(text, where.line - offset, where.column) == "\t":
            problem += "; YAML indents with spaces, never tabs"
        raise LoadError(f"YAML syntax error: {problem}", *where) from None
    except yaml.reader.ReaderError as error:
        # Its position counts characters for the Python reader, bytes of UTF-8 for libyaml's.
        encoded = loader_class is not yaml.SafeLoader
        before = (
            text.encode("utf-8", "surrogatepass")[: error.position].decode("utf-8", "replace")
            if encoded
            else text[: error.position]
        )
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        character = error.character if isinstance(error.character, int) else ord(error.character)
        raise LoadError(f"YAML error: unacceptable character U+{character:04X}: {error.reason}", line + offset, column) from None
    except yaml.YAMLError as error:
        raise LoadError(f"YAML error: {error}") from None
    finally:
        loader.dispose()
    return root


def _within(text: str, mark: Mark) -> Mark:
    """libyaml puts an error met at the end of a text without a final line break on a line after
    the last: the end of the last line is where the reader should look."""
    lines = 1 + sum(text.count(brk) for brk in _YAML_BREAKS) - text.count("\r\n")
    if mark.line <= lines:
        return mark
    start = max((text.rfind(brk) + 1 for brk in _YAML_BREAKS if brk in text), default=0)
    return Mark(lines, len(text) - start + 1)


def _character_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line)
    return lines[line - 1][column - 1 : column] if 0 < line <= len(lines) else ""


def _short_form(function: str, mark: Mark) -> _Wrap:
    def wrap(value: object) -> MarkedDict:
        wrapped = MarkedDict(mark)
        wrapped[function] = value
        wrapped.key_marks[function] = mark
        wrapped.value_marks[function] = mark
        return wrapped

    return wrap


def _add(frame: _Frame, value: object, mark: Mark) -> None:
    container = frame.container
    if isinstance(container, MarkedList):
        container.append(value)
        container.item_marks.append(mark)
        return
    if frame.key is None:
        if isinstance(value, (dict, list)):
            raise LoadError("a mapping key must be a plain value, not a mapping or list", *mark)
        key = value if isinstance(value, str) else _key_text(value)
        if key in container:
            first = container.key_marks[key]
            raise LoadError(f"duplicate key '{key}' (first at line {first.line}); CloudFormation rejects duplicate keys", *mark)
        frame.key = (key, mark)
        return
    key, key_mark = frame.key
    container[key] = value
    container.key_marks[key] = key_mark
    container.value_marks[key] = mark
    frame.key = None


def _key_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
