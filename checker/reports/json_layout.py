"""JSON laid out for people and diffs, written fast: the reports' frame indented, each item (a finding, a result, a
rule) on one line of its own. Python's indenting encoder took a third of a corpus run; here every line is written by
the C encoder, and only the frame a report names is walked in Python."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

Json = Any  # a value json.dumps accepts without help
# Where a document is indented: a mapping of the keys to open (others are written on one line), a one-item list saying
# how to write each item of a list, LINES, or None to write the value on one line.
Shape = Mapping[str, "Shape"] | list["Shape"] | str | None

LINES: Shape = "lines"  # a list of objects, each already written with `one_line` (or a cache of its lines): a line each
_INDENT = "  "
_PUBLIC = json.JSONEncoder(separators=(", ", ": "), allow_nan=False)  # ASCII: valid JSON whatever the output encoding


def _one_line_encoder() -> Callable[[Json], str]:
    """One C encoder made once and reused; JSONEncoder.encode makes a new one per call, which a run's tens of
    thousands of lines pay for. `c_make_encoder` is CPython's private accelerator: without it, the public encoder."""
    if c_make_encoder is None:
        return _PUBLIC.encode
    encode = c_make_encoder(
        None, _PUBLIC.default, encode_basestring_ascii, None, _PUBLIC.key_separator, _PUBLIC.item_separator, False, False, False
    )
    return lambda value: "".join(encode(value, 0))


one_line = _one_line_encoder()


def dumps(value: Json, shape: Shape) -> str:
    """`value` as JSON text ending in a newline, opened along `shape`. A container there is indented unless it is empty
    or holds nothing but scalars and lists of scalars (the items of a LINES list count as objects); anything else is
    written on one line."""
    parts: list[str] = []
    _write(value, shape, 0, parts)
    parts.append("\n")
    return "".join(parts)


def stream(value: Mapping[str, Json], shape: Shape, streamed: str) -> Iterator[str]:
    """What `dumps(value, shape)` writes, in chunks, where `value[streamed]` is an iterable of objects rather than a
    list: each is written as it comes, so a report of thousands of files never holds its whole text (or all its
    items) at once. The object `value` must open (it holds a mapping, so it is never written on one line)."""
    inner, outer = "\n" + _INDENT, "\n"
    shapes = shape if isinstance(shape, Mapping) else {}
    for index, (key, item) in enumerate(value.items()):
        head = ("{" + inner if index == 0 else "," + inner) + encode_basestring_ascii(key) + ": "
        if key == streamed:
            items = shapes.get(key)
            yield head
            yield from _stream_list(item, items[0] if isinstance(items, list) else None, 1)
        else:
            parts = [head]
            _write(item, shapes.get(key), 1, parts)
            yield "".join(parts)
    yield outer + "}\n"


def _stream_list(items: Iterable[Json], shape: Shape, depth: int) -> Iterator[str]:
    """A list of objects, an item at a time, laid out as `_write` lays out a list it opens (`[]` when empty)."""
    inner, outer = "\n" + _INDENT * (depth + 1), "\n" + _INDENT * depth
    first = True
    for item in items:
        parts = ["[" + inner if first else "," + inner]
        _write(item, shape, depth + 1, parts)
        yield "".join(parts)
        first = False
    yield "[]" if first else outer + "]"


def _write(value: Json, shape: Shape, depth: int, parts: list[str]) -> None:
    if shape is None or not isinstance(value, (dict, list)) or _flat(value, shape):
        parts.append(one_line(value))
        return
    inner, outer = "\n" + _INDENT * (depth + 1), "\n" + _INDENT * depth
    if shape is LINES and isinstance(value, list):
        parts.extend(("[", inner, ("," + inner).join(value), outer, "]"))
    elif isinstance(value, list):
        parts.append("[")
        for index, item in enumerate(value):
            parts.append(inner if index == 0 else "," + inner)
            _write(item, shape[0] if isinstance(shape, list) else None, depth + 1, parts)
        parts.extend((outer, "]"))
    else:
        parts.append("{")
        shapes = shape if isinstance(shape, Mapping) else {}
        for index, (key, item) in enumerate(value.items()):
            parts.extend((inner if index == 0 else "," + inner, encode_basestring_ascii(key), ": "))
            _write(item, shapes.get(key), depth + 1, parts)
        parts.extend((outer, "}"))


def _flat(value: dict | list, shape: Shape) -> bool:
    """Short enough for one line: nothing inside but scalars and lists of scalars (a summary, a file's notes)."""
    if isinstance(value, list):
        return not value if shape is LINES else all(map(_scalar, value))
    shapes = shape if isinstance(shape, Mapping) else {}
    return all(
        not isinstance(member, dict)
        and (not isinstance(member, list) or (not member if shapes.get(key) is LINES else all(map(_scalar, member))))
        for key, member in value.items()
    )


def _scalar(value: Json) -> bool:
    return not isinstance(value, (dict, list))
