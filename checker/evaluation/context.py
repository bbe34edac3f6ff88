"""What a check reads (the Context) and what it says (Violation, Unresolved, NotApplicable)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from checker.load import Template
from checker.model.recognise import Architecture
from checker.model.resolve import ResolvedResource, ResolvedTemplate


@dataclass(frozen=True)
class Violation:
    """The rule fails here: `path` is from the resource (or from the template root when resource is None)."""

    resource: str | None
    path: tuple[str | int, ...]
    message: str
    line: int | None = None  # set when the check places the problem itself: cfn-lint's position, a place inside a value
    column: int | None = None

    @classmethod
    def at(cls, path: tuple[str | int, ...], message: str, **location: int) -> Violation:
        """A violation at a path from the template root: under Resources/<id>, it is on that resource."""
        if len(path) >= 2 and path[0] == "Resources":
            return cls(str(path[1]), tuple(path[2:]), message, **location)
        return cls(None, tuple(path), message, **location)


@dataclass(frozen=True)
class Unresolved:
    """The rule cannot be judged because a value is unknown before deployment."""

    message: str


@dataclass(frozen=True)
class NotApplicable:
    message: str


Outcome = Violation | Unresolved | NotApplicable


@dataclass(frozen=True)
class Context:
    """What a check may read: the source, the resolved stack, the recognised parts."""

    template: Template
    resolved: ResolvedTemplate
    arch: Architecture
    parameters: dict[str, object]
    today: date
    options: dict[str, object]

    def resource(self, logical_id: str) -> ResolvedResource:
        return self.resolved.resources[logical_id]

    def part(self, name: str) -> ResolvedResource:
        """The resource that plays a part (checker.vocabulary.PARTS); a check asks once `require` found it."""
        logical_id = getattr(self.arch, name)
        if logical_id is None:
            raise LookupError(f"the template has no {name}: the check should have asked require() first")
        return self.resolved.resources[logical_id]


Check = Callable[[Context], Iterable[Outcome]]
