"""What loading produces: data whose every key keeps its mark, the Template around it, or a LoadError.

Every other module of the load stage builds or refuses these; the later stages read them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from checker.tree import Path, has_step


class Mark(NamedTuple):
    line: int
    column: int


ORIGIN = Mark(1, 1)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The start of a scalar as written: tags and an anchor, then a block indicator (with its chomping and indentation).
_SCALAR_HEADER = re.compile(r"(?:(?:![^\s]*|&[^\s]+)[ \t]+)*(?P<indicator>[|>])?")


class MarkedDict(dict):
    """A mapping that remembers where each of its keys, and each of its values, was written."""

    __slots__ = ("key_marks", "start", "value_marks")

    def __init__(self, start: Mark = ORIGIN) -> None:
        super().__init__()
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}  # where a value begins: its tag, quote, block indicator or first character
        self.start = start


class MarkedList(list):
    """A sequence that remembers where each of its items was written."""

    __slots__ = ("item_marks", "start")

    def __init__(self, start: Mark = ORIGIN) -> None:
        super().__init__()
        self.item_marks: list[Mark] = []
        self.start = start


class LoadError(Exception):
    """The input holds no CloudFormation template; the message says why.

    `not_cloudformation` marks inputs that parsed but are plainly something else (prose,
    another tool's YAML): a directory search skips those instead of failing on them."""

    def __init__(self, message: str, line: int = 1, column: int = 1, *, not_cloudformation: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.not_cloudformation = not_cloudformation


class NoTemplateFound(LoadError):
    """A reader found nothing of its kind in the input (a Markdown answer without a template block).

    A weak verdict: when another reader that plainly owned the input failed too, its error says more."""


@dataclass(frozen=True)
class Template:
    """A loaded template. `text` is what was parsed (for a Markdown answer: its template block, every other
    line blank, so lines match the answer's); `start` is where the template begins, the mark of paths that
    name nothing written; `notes` are the loader's remarks for the report."""

    path: str
    data: MarkedDict
    text: str = ""
    start: Mark = ORIGIN
    notes: tuple[str, ...] = ()

    @cached_property
    def resources(self) -> MarkedDict:
        """The declared resources. Fn::ForEach loops (AWS::LanguageExtensions) are expanded before anything judges a
        template (checker/load/foreach.py), so the resources they make are here; a loop still written in a template
        that was not expanded is not a resource, and is left out."""
        declared = self.data["Resources"]
        if not any(name.startswith("Fn::ForEach::") for name in declared):
            return declared
        kept = MarkedDict(declared.start)
        for name, resource in declared.items():
            if not name.startswith("Fn::ForEach::"):
                kept[name] = resource
                kept.key_marks[name] = declared.key_marks[name]
        return kept

    def origin(self, path: Path) -> Path:
        """Where the user wrote what `path` names: the path itself, unless a transform generated it."""
        return path

    def written_resource(self, logical_id: str) -> str:
        """The resource a finding names: the one the user wrote when a transform generated `logical_id` from it (SAM's
        role for its function), else the resource as deployed (what a Fn::ForEach loop makes has no name of its own)."""
        written = self.origin(("Resources", logical_id))
        return str(written[1]) if len(written) == 2 else logical_id

    def explained(self, message: str, path: Path = ()) -> str:
        """A finding's message (at `path`) in terms of what the user wrote: as is, unless a transform generated the stack."""
        return message

    def value_mark_at(self, path: Path) -> Mark | None:
        """Where the value at `path` begins in the file (its tag, quote, block indicator or first character);
        None when the path does not lead to a value written in the source."""
        node: object = self.data
        mark: Mark | None = None
        for step in path:
            if isinstance(node, MarkedDict) and isinstance(step, str) and step in node:
                mark, node = node.value_marks.get(step), node[step]
            elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
                mark, node = node.item_marks[step], node[step]
            else:
                return None
        return mark

    def locate(self, path: Path, needle: str, occurrence: int = 0) -> Mark | None:
        """Where the `occurrence`-th appearance (from 0) of `needle` is written inside the value at `path`, searching the
        file's text from the value's start; None when the value or the text cannot be found (an escape sequence, say)."""
        start = self.value_mark_at(path)
        if start is None or not needle:
            return None
        offset = self._offset(start)
        for _ in range(occurrence + 1):
            offset = self.text.find(needle, offset)
            if offset < 0:
                return None
            offset += 1
        return self._mark_of(offset - 1)

    def text_line_of(self, path: Path, line: int) -> int | None:
        """The file's line that holds line `line` (from 1) of the text value at `path`: lines match one to one in a
        literal block (`|`); any other style writes the value on the line where it begins, or folds its lines."""
        start = self.value_mark_at(path)
        if start is None:
            return None
        header = _SCALAR_HEADER.match(self.text, self._offset(start))
        if header is not None and header.group("indicator") == "|":
            return start.line + line
        return start.line

    def _offset(self, mark: Mark) -> int:
        starts = self._line_starts
        return starts[min(mark.line, len(starts)) - 1] + mark.column - 1

    def _mark_of(self, offset: int) -> Mark:
        line = bisect_right(self._line_starts, offset)
        return Mark(line, offset - self._line_starts[line - 1] + 1)

    @cached_property
    def _line_starts(self) -> list[int]:
        """Where each line of the text begins, lines ending as editors end them (\n, \r\n, \r), as marks count them."""
        return [0, *(found.end() for found in _LINE_BREAK.finditer(self.text))]

    def mark_at(self, path: Path) -> Mark:
        """The mark of the deepest key of `path` that exists in the source."""
        node: object = self.data
        mark = self.start
        for step in path:
            if not has_step(node, step):
                break
            if isinstance(node, MarkedDict) and isinstance(step, str):
                mark, node = node.key_marks.get(step, mark), node[step]
            elif isinstance(node, MarkedList) and isinstance(step, int):
                mark, node = node.item_marks[step], node[step]
            else:
                break  # a value the loader built without marks (the list of a short !GetAtt) ends the path
        return mark
