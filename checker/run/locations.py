"""Where each file sits in the repository, so a finding's identity does not depend on how its path was typed."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def repository_root(start: Path) -> Path:
    """The nearest folder from `start` upwards that holds `.git` (a folder, or a file in a worktree or submodule);
    outside git, `start` itself. Read from the file system only: git is not run."""
    return enclosing_repository(start) or start


@lru_cache(maxsize=1024)
def enclosing_repository(start: Path) -> Path | None:
    """The repository `start` lies in (see repository_root), or None outside git. Cached: a run asks it per file."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def file_location(path: str, cwd: Path) -> str:
    """Where a file sits for fingerprints and code scanning: relative to the repository that holds it, whatever the
    working directory (a run from outside the repository, or through a symbolic link to it, names it the same);
    outside git, relative to the working directory's repository (or the working directory)."""
    folder = Path(os.path.normpath(cwd / path)).parent
    return repo_path(path, enclosing_repository(folder) or repository_root(cwd), cwd)


def repo_path(path: str, root: Path, cwd: Path) -> str:
    """`path` relative to `root` in POSIX form (`./a.yaml`, `a.yaml` and `../repo/a.yaml` give one answer);
    absolute when it lies outside the root. Symbolic links are kept as written, as git stores them."""
    absolute = Path(os.path.normpath(cwd / path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()
