"""The template once its Fn::ForEach loops are expanded, and the way back from what they made to what was written.

Rules judge the stack CloudFormation deploys, so the loops of the AWS::LanguageExtensions transform are
expanded (checker/load/foreach.py); a finding on a resource a loop made is then placed inside the loop
that made it: the same path below the loop's output key, at that key's line and column. Where SAM then
expands the result too, a path goes back through SAM's origins first, then through the loops.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from checker.load.sam import ExpandedTemplate
from checker.load.template import Mark, Template, explain_each_once, names_pattern
from checker.tree import Path


@dataclass(frozen=True)
class LoopedTemplate(Template):
    """A template whose loops are expanded: `data` is what CloudFormation deploys, `source` what was written.

    `written` maps the path of each key a loop made (or renamed) to the path of the key written in the loop's
    body; any deeper path follows from its longest mapped prefix. `made` names the loops (outermost first) that
    made each resource."""

    source: Template | None = None
    written: dict[Path, Path] = field(default_factory=dict)
    made: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def origin(self, path: Path) -> Path:
        for cut in range(len(path), 0, -1):
            found = self.written.get(tuple(path[:cut]))
            if found is not None:
                return (*found, *path[cut:])
        return tuple(path)

    # Marks are asked with written paths (origin() has been applied) or with paths of the expanded stack
    # (SAM's refusals, SAM's own origins); origin() leaves the former as they are and maps the latter.
    def mark_at(self, path: Path) -> Mark:
        return self.source.mark_at(self.origin(path)) if self.source is not None else super().mark_at(path)

    def written_at(self, path: Path) -> object:
        return self.source.written_at(self.origin(path)) if self.source is not None else super().written_at(path)

    def value_mark_at(self, path: Path) -> Mark | None:
        return self.source.value_mark_at(self.origin(path)) if self.source is not None else super().value_mark_at(path)

    def locate(self, path: Path, needle: str, occurrence: int = 0) -> Mark | None:
        if self.source is None:
            return super().locate(path, needle, occurrence)
        return self.source.locate(self.origin(path), needle, occurrence)

    def text_line_of(self, path: Path, line: int) -> int | None:
        return self.source.text_line_of(self.origin(path), line) if self.source is not None else super().text_line_of(path, line)

    def explained(self, message: str, path: Path = ()) -> str:
        """Name what loops made after the loop: 'QueueOrders (made by the loop Fn::ForEach::Queues)'."""
        return explain_each_once(message, self._made_names, self._made_by)

    def _made_by(self, name: str) -> str:
        loops = self.made[name]
        return f"made by the loop {loops[-1]}" + "".join(f" inside {outer}" for outer in reversed(loops[:-1]))

    @cached_property
    def _made_names(self) -> re.Pattern | None:
        return names_pattern(self.made)


@dataclass(frozen=True)
class LoopedSamTemplate(ExpandedTemplate):
    """SAM's stack of a template whose loops were expanded first: paths go back through SAM, then through the loops.

    Marks need nothing more: SAM asks its source, the LoopedTemplate, which maps its own paths."""

    loops: LoopedTemplate | None = None

    @classmethod
    def around(cls, expanded: ExpandedTemplate, loops: LoopedTemplate) -> LoopedSamTemplate:
        return cls(
            path=expanded.path,
            data=expanded.data,
            text=expanded.text,
            start=expanded.start,
            notes=expanded.notes,
            source=expanded.source,
            origins=expanded.origins,
            loops=loops,
        )

    def origin(self, path: Path) -> Path:
        through_sam = super().origin(path)
        return self.loops.origin(through_sam) if self.loops is not None else through_sam

    def written_resource(self, logical_id: str) -> str:
        """What SAM generated a resource from, as the loops named it (ProcessorOrders for ProcessorOrdersRole)."""
        written = super().origin(("Resources", logical_id))
        return str(written[1]) if len(written) == 2 else logical_id

    def explained(self, message: str, path: Path = ()) -> str:
        message = super().explained(message, path)
        return self.loops.explained(message, super().origin(path)) if self.loops is not None else message
