"""Parsing inline code with esprima, and reporting positions as the template's text counts lines.

esprima is imported only when code is parsed, so loading the checker does not pay for it.
"""

from __future__ import annotations

import re
from typing import Any

# The checks do not analyse inline code longer than this (in characters). CloudFormation dropped
# its old 4096-character limit on ZipFile in 2022, so inline code may be as long as the template
# (up to 1 MB from S3), but esprima here is pure Python: 128 KiB take about 0.25-0.8 s to parse
# and analyse, depending on the code and the machine, and real inline handlers are a few KiB.
MAX_ANALYSED_CODE = 128 * 1024

# JavaScript line terminators, as esprima counts them for ``loc`` lines.
_JS_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")


class CodeParseError(Exception):
    """The code is not parseable JavaScript; the message says what failed and where.

    ``reason`` is what failed without the place; ``line`` (from 1) and ``column`` (from 0) say
    where in the code's text lines, when the parser knows, so a check can name the file's place.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.reason = reason if reason is not None else message


class LineMap:
    """Maps esprima's JavaScript lines and columns to ``\n``-separated lines of the string.

    esprima also breaks lines at ``\r``, U+2028 and U+2029; reporting positions the
    way editors and YAML count them keeps findings pointing at the right line.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._js_starts: list[int] | None = None  # where each JavaScript line begins; None: text lines are the same
        if "\r" in source or "\u2028" in source or "\u2029" in source:
            self._js_starts = [0, *(match.end() for match in _JS_LINE_BREAK.finditer(source))]

    def line(self, js_line: Any) -> int:
        """The text line of an esprima line number (1 for anything that is not one)."""
        return self.place(js_line, 0)[0]

    def place(self, js_line: Any, js_column: Any) -> tuple[int, int]:
        """The text line (from 1) and column (from 0) of esprima's line and column ((1, 0) for anything else)."""
        if not isinstance(js_line, int) or js_line < 1:
            return 1, 0
        column = js_column if isinstance(js_column, int) and js_column >= 0 else 0
        if self._js_starts is None:
            return js_line, column
        return self.at(self._js_starts[min(js_line, len(self._js_starts)) - 1] + column)

    def at(self, offset: int) -> tuple[int, int]:
        """The text line (from 1) and column (from 0) of an offset in the string."""
        line_start = self.source.rfind("\n", 0, offset) + 1
        return self.source.count("\n", 0, line_start) + 1, offset - line_start


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
    index = _error_index(exc)
    if index < 0:
        return CodeParseError(f"cannot parse JavaScript: {type(exc).__name__}: {exc}")
    line, column = lines.at(index)
    reason = re.sub(r"^Line \d+: ", "", str(exc))
    return CodeParseError(f"cannot parse JavaScript at line {line}, column {column + 1}: {reason}", line, column, reason)
