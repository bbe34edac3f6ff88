"""Path globs as the configuration writes them: relative to the configuration file's folder, `**` across folders.

A glob that matches a folder covers everything in it (`build`, `vendor/*`), as in a .gitignore; it is anchored
at the configuration's folder (write `**/name` to match at any depth).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=256)
def glob_pattern(glob: str) -> re.Pattern[str]:
    """A regular expression for a POSIX glob: `*` and `?` stay inside one folder, `**` crosses any number."""
    parts = [part for part in glob.strip().removeprefix("./").strip("/").split("/") if part not in ("", ".")]
    expression = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            expression += ".*" if last else "(?:[^/]+/)*"
            continue
        expression += _segment(part) + ("" if last else "/")
    return re.compile(expression or ".*")


def _segment(part: str) -> str:
    out, index = "", 0
    while index < len(part):
        char = part[index]
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[" and "]" in part[index + 2 :]:
            end = part.index("]", index + 2)
            body = part[index + 1 : end]
            out += "[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]"
            index = end
        else:
            out += re.escape(char)
        index += 1
    return out


def relative_to(path: str, base: str) -> str | None:
    """`path` (as given, relative to the working directory or absolute) relative to the folder `base`, in POSIX
    form; None when it lies outside `base`."""
    relative = os.path.relpath(os.path.abspath(path), base)
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return relative.replace(os.sep, "/")


def glob_matches(glob: str, relative: str) -> bool:
    """Does the glob match the path, or one of the folders it lies in?"""
    pattern = glob_pattern(glob)
    parts = relative.split("/")
    return any(pattern.fullmatch("/".join(parts[:end])) for end in range(len(parts), 0, -1))


@dataclass(frozen=True)
class Exclusion:
    """The configuration's `exclude` globs, relative to `base` (the configuration file's folder)."""

    base: str
    globs: tuple[str, ...]
    source: str  # the configuration file, for the reason a file is left out

    def excluding(self, path: str) -> str | None:
        """The first glob that excludes `path`, or None."""
        relative = relative_to(path, self.base)
        if relative is None or relative == ".":
            return None
        return next((glob for glob in self.globs if glob_matches(glob, relative)), None)
