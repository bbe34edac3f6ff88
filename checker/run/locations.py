"""Where each file sits in the repository, so a finding's identity does not depend on how its path was typed."""

from __future__ import annotations

import os
from pathlib import Path


def repository_root(start: Path) -> Path:
    """The nearest folder from `start` upwards that holds `.git` (a folder, or a file in a worktree or submodule);
    outside git, `start` itself. Read from the file system only: git is not run."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def repo_path(path: str, root: Path, cwd: Path) -> str:
    """`path` relative to `root` in POSIX form (`./a.yaml`, `a.yaml` and `../repo/a.yaml` give one answer);
    absolute when it lies outside the root. Symbolic links are kept as written, as git stores them."""
    absolute = Path(os.path.normpath(cwd / path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()
