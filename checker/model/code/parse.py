"""Parsing inline code with esprima, and reporting positions as the template's text counts lines.

esprima is imported only when code is parsed, so loading the checker does not pay for it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

# The checks do not analyse inline code longer than this (in characters). CloudFormation dropped
# its old 4096-character limit on ZipFile in 2022, so inline code may be as long as the template
# (up to 1 MB from S3), but esprima here is pure Python: 128 KiB take about 0.25-0.8 s to parse
# and analyse, depending on the code and the machine, and real inline handlers are a few KiB.
MAX_ANALYSED_CODE = 128 * 1024

# JavaScript line terminators, as esprima counts them for ``loc`` lines.
_JS_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")


class CodeParseError(Exception):
    """The code is not parseable JavaScript; the message says what failed and where."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class LineMap:
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
        """The text line of an esprima line number (1 for anything that is not one)."""
        if not isinstance(js_line, int) or js_line < 1:
            return 1
        if self._js_to_text is None:
            return js_line
        return self._js_to_text[min(js_line, len(self._js_to_text)) - 1]


def parse(source: str, lines: LineMap) -> Any:
    """Parse as a script first, then as a module (``import``/``export``, top-level await)."""
    try:
        import esprima
    except Exception as exc:  # pragma: no cover - environment problem
        raise CodeParseError(f"JavaScript parser unavailable: {exc}") from exc

    failures: list[Exception] = []
    for parse_as in (esprima.parseScript, esprima.parseModule):
        try:
            return parse_as(source, {"loc": True})
        except Exception as exc:  # esprima.Error, RecursionError, and anything odd
            failures.append(exc)
    # Report the attempt that got furthest: an ES module fails as a script at its
    # first import/export, a script with a late syntax error fails the same in both.
    best = max(failures, key=_error_index)
    raise _to_parse_error(best, lines) from best


def node_type() -> type:
    """esprima's node class, to tell child nodes from other attribute values."""
    from esprima.nodes import Node

    return Node


def _error_index(exc: BaseException) -> int:
    index = getattr(exc, "index", None)
    return index if isinstance(index, int) else -1


def _to_parse_error(exc: BaseException, lines: LineMap) -> CodeParseError:
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
