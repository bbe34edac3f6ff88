"""Paths into trees of mappings and lists (templates as written, resolved values): one way to follow a path,
one way to walk every node. Both are iterative, because templates may nest deeper than Python's recursion."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Step = str | int
Path = tuple[Step, ...]


def has_step(node: object, step: Step) -> bool:
    """Can `step` (a key or a list index) be taken from `node`?"""
    if isinstance(node, dict):
        return step in node
    return isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)


def follow(node: object, path: Path, default: object = None) -> object:
    """The value at `path` under `node`, or `default` where the path leads nowhere."""
    current: Any = node  # a tree of mappings and lists, JSON-like
    for step in path:
        if not has_step(current, step):
            return default
        current = current[step]
    return current


def walk(node: object, path: Path = (), *, skip: Callable[[object], bool] | None = None) -> Iterator[tuple[Path, object]]:
    """Every node under `node` (itself first) with its path, in the order a reader meets them.

    `skip(key)`: the entries of mappings whose key it accepts are left out, with all they hold."""
    stack: list[tuple[object, Path]] = [(node, path)]
    while stack:
        item, where = stack.pop()
        yield where, item
        if isinstance(item, dict):
            entries = [(value, (*where, key)) for key, value in item.items() if skip is None or not skip(key)]
            stack.extend(reversed(entries))
        elif isinstance(item, list):
            stack.extend(reversed([(value, (*where, index)) for index, value in enumerate(item)]))
