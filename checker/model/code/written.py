"""Where inline code is written in the file, so a place in the code is shown as the file's line and column.

The checks analyse the resolved ``Code.ZipFile`` (SAM's ``InlineCode``); the user wrote a
scalar -- a literal block, a JSON or quoted string -- perhaps as the template string of a
``Fn::Sub`` (``!Sub |``, ``{"Fn::Sub": [text, {vars}]}``), or strings joined by ``Fn::Join``.
A place in the code is found in the file by the token written there: its n-th appearance in
the code is its n-th appearance in the written text (``Template.locate``), which holds in a
JSON string, a folded or quoted scalar and the strings of a ``Fn::Join`` as in a block. In a
literal block whose lines are the code's (no substitution added a line), code line k is the
file's line ``Template.text_line_of`` gives, and a token found elsewhere (a substitution that
wrote it) is not taken: the column then comes from the line's text. Anything else falls back
to where the value begins. A Markdown answer's template keeps the answer's line numbers, and
SAM's expanded template answers from the SAM source, so both are placed the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from checker.load import Mark, Template
from checker.tree import Path, follow

# The token at a place: a word, or one character that is written the same in every style.
_TOKEN = re.compile(r"[\w$]+|[^\s\"'\\]")
_WORD = re.compile(r"[\w$]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the loader's marks count lines
_ESCAPED = frozenset("nrtbfv")  # `\n` in a JSON or double-quoted string ends a word as a line break does


@dataclass(frozen=True)
class WrittenCode:
    """The code as analysed, and the written value that holds it."""

    template: Template
    path: Path  # the written value holding the code's text: ZipFile, InlineCode, or the text of their Fn::Sub
    code: str
    lines_match: bool  # the written text has the code's lines one to one

    @classmethod
    def of(cls, template: Template, path: Path, code: str) -> WrittenCode:
        """``path`` names the code in the stack (``Code.ZipFile``); the template leads it to what the user wrote."""
        written_path = template.origin(path)
        text = follow(template.data, path)
        if isinstance(text, dict) and list(text) == ["Fn::Sub"]:
            sub = text["Fn::Sub"]
            if isinstance(sub, list) and sub:
                written_path, text = (*written_path, "Fn::Sub", 0), sub[0]
            else:
                written_path, text = (*written_path, "Fn::Sub"), sub
        return cls(template, written_path, code, isinstance(text, str) and text.count("\n") == code.count("\n"))

    def place(self, line: int, column: int) -> Mark | None:
        """The file's line and column of the code's ``line`` (from 1) and ``column`` (from 0); None when the
        written value is not in the file."""
        start = self.template.value_mark_at(self.path)
        lines = self.code.split("\n")
        if start is None or not 1 <= line <= len(lines):
            return start
        offset = sum(len(text) + 1 for text in lines[: line - 1]) + column
        expected = self._block_line(line)
        token = _TOKEN.match(self.code, offset)
        if token is not None:
            found = self.template.locate(self.path, token.group(), _appearances(self.code, token.group(), offset))
            if found is not None and self._plausible(found, token.group(), start, expected):
                return found
        if expected is not None:
            return Mark(expected, self._column_on(expected, lines[line - 1], column))
        return start

    def _block_line(self, line: int) -> int | None:
        """The file's line of code line ``line`` when the value is a literal block with the code's lines."""
        if not self.lines_match:
            return None
        first, second = self.template.text_line_of(self.path, 1), self.template.text_line_of(self.path, 2)
        if first is None or second != first + 1:
            return None
        return self.template.text_line_of(self.path, line)

    def _plausible(self, found: Mark, token: str, start: Mark, expected: int | None) -> bool:
        """A found token is the one meant: on the expected line of a block, else after the value's start and a
        whole word where the token is one (not the `b` of `batch`)."""
        if expected is not None:
            return found.line == expected
        if found < start:
            return False
        if not _WORD.match(token):
            return True
        written = self._file_lines[found.line - 1]
        before, after = found.column - 2, found.column - 1 + len(token)
        starts_word = (
            before < 0
            or not _WORD.match(written[before])
            or (written[before] in _ESCAPED and written[before - 1 : before] == "\\")
        )
        return starts_word and not (after < len(written) and _WORD.match(written[after]))

    def _column_on(self, file_line: int, code_line: str, column: int) -> int:
        """The column of a code column on a block's line: after the indentation, else at the line's first character."""
        written = self._file_lines[file_line - 1] if file_line <= len(self._file_lines) else ""
        if written.endswith(code_line):
            return len(written) - len(code_line) + column + 1
        return len(written) - len(written.lstrip()) + 1

    @cached_property
    def _file_lines(self) -> list[str]:
        return _LINE_BREAK.split(self.template.text)


def _appearances(text: str, token: str, end: int) -> int:
    """How often ``token`` starts before ``end``, counted as ``Template.locate`` counts (overlaps included)."""
    count, at = 0, text.find(token)
    while 0 <= at < end:
        count += 1
        at = text.find(token, at + 1)
    return count
