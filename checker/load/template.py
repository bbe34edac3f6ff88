"""What loading produces: data whose every key keeps its mark, the Template around it, or a LoadError.

Every other module of the load stage builds or refuses these; the later stages read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from checker.tree import Path, has_step


class Mark(NamedTuple):
    line: int
    column: int


ORIGIN = Mark(1, 1)


class MarkedDict(dict):
    """A mapping that remembers where each of its keys was written."""

    __slots__ = ("key_marks", "start")

    def __init__(self, start: Mark = ORIGIN) -> None:
        super().__init__()
        self.key_marks: dict[str, Mark] = {}
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
        """The declared resources; Fn::ForEach loops of the LanguageExtensions transform are left out."""
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

    def explained(self, message: str, path: Path = ()) -> str:
        """A finding's message (at `path`) in terms of what the user wrote: as is, unless a transform generated the stack."""
        return message

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
