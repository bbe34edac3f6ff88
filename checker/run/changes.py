"""--changed-since: which files changed since a git ref, and which findings in them are new.

git is run as a program (never through a shell, never on template contents), from the repository root, with
`core.quotepath=off` so that names come back as written. The ref's versions are read from git's objects, never
checked out, so the working tree is left alone."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from checker.evaluation.options import CheckOptions, file_status
from checker.findings import FileReport
from checker.load.markdown import is_markdown_path
from checker.run.discover import TEMPLATE_SUFFIXES
from checker.run.files import check_bytes

# Statuses of `git diff --name-status` whose file exists now: added, modified, renamed, copied, type changed,
# unmerged. Deleted files (D) have nothing to check.
_KEPT = frozenset("AMRCTU")


class GitError(Exception):
    """git could not answer (not a repository, an unknown ref, git missing); the message says which, for the user."""


@dataclass(frozen=True)
class Change:
    path: str  # where the file is now, relative to the repository root (POSIX)
    old_path: str | None  # where it was at the ref: the same path, the path before a rename, or None when it is new


@dataclass(frozen=True)
class ChangeSet:
    ref: str  # as the user wrote it
    commit: str  # what it names
    root: Path
    changes: tuple[Change, ...]

    def files(self, paths: Iterable[str], cwd: Path, *, include_markdown: bool) -> dict[str, Change]:
        """The changed files to check, as paths from `cwd`, with their change: templates by suffix, under one of
        `paths` (none: the whole repository); Markdown answers only when named themselves or `include_markdown`."""
        limits = [Path(os.path.normpath(cwd / given)) for given in paths] or [self.root]
        named = set(limits)
        chosen = {}
        for change in self.changes:
            absolute = self.root / change.path
            if not any(absolute == limit or limit in absolute.parents for limit in limits):
                continue
            markdown = is_markdown_path(change.path)
            if not (change.path.lower().endswith(TEMPLATE_SUFFIXES) or (markdown and (include_markdown or absolute in named))):
                continue
            chosen[os.path.relpath(absolute, cwd)] = change
        return chosen


def changes_since(ref: str, cwd: Path) -> ChangeSet:
    """The files that differ between `ref` and the working tree of tracked files (what `git diff REF` shows:
    committed work, and edits not yet committed; untracked files are not part of it), renames followed."""
    root = Path(os.fsdecode(_git(["rev-parse", "--show-toplevel"], cwd, "not in a git repository").rstrip(b"\n")))
    commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root, f"unknown git ref {ref!r}")
    commit_id = commit.decode("ascii").strip()
    listing = _git(["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", commit_id, "--"], root, "git diff failed")
    return ChangeSet(ref, commit_id, root, tuple(_parse_name_status(listing)))


def _parse_name_status(listing: bytes) -> list[Change]:
    """`git diff --name-status -z`: a status, then one path, or two (old, new) for a rename or copy."""
    fields = [os.fsdecode(field) for field in listing.split(b"\0")]
    changes, index = [], 0
    while index < len(fields) and fields[index]:
        status = fields[index][0]
        if status in "RC":
            old, new = fields[index + 1], fields[index + 2]
            index += 3
        else:
            old = new = fields[index + 1]
            index += 2
        if status in _KEPT:
            # a copy is new work (its source is unchanged and checked on its own), so all its findings are new
            changes.append(Change(new, old if status in "RMTU" else None))
    return changes


def old_version(changes: ChangeSet, change: Change) -> bytes | None:
    """The file's contents at the ref (under its old path), read from git's objects; None when it did not exist."""
    if change.old_path is None:
        return None
    return _git(
        ["cat-file", "blob", f"{changes.commit}:{change.old_path}"],
        changes.root,
        f"cannot read {change.old_path} at {changes.ref}",
    )


def compare_with_ref(file: FileReport, old: bytes | None, old_name: str, options: CheckOptions) -> FileReport:
    """`file` with its findings that were already there at the ref marked, and its status decided by the new ones.

    The old version is checked with the same options (but no side-by-side) under the file's present identity,
    so a renamed file keeps its fingerprints: a finding is pre-existing when the old version had one with the same
    fingerprint (rule, file, resource, property path)."""
    before: frozenset[str] = frozenset()
    if old is not None:
        outcome = check_bytes(old, old_name, dataclasses.replace(options, compare_reference=False))
        if isinstance(outcome, FileReport):
            before = frozenset(dataclasses.replace(outcome, repo_path=file.location).fingerprints())
    prints = file.fingerprints()
    preexisting = frozenset(prints) & before
    if file.status == "invalid":  # a file that cannot be evaluated is never vouched for, whatever it was before
        return dataclasses.replace(file, preexisting=preexisting)
    compared = dataclasses.replace(file, preexisting=preexisting)
    return dataclasses.replace(compared, status=file_status(compared.counting_findings(), file.results, options))


def _git(arguments: list[str], cwd: Path, failure: str) -> bytes:
    try:
        completed = subprocess.run(
            ["git", "-c", "core.quotepath=off", *arguments], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise GitError("--changed-since needs git, which is not installed (or not on PATH)") from None
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
    if completed.returncode != 0:
        said = os.fsdecode(completed.stderr).strip().splitlines()
        raise GitError(f"{failure}" + (f" ({said[-1]})" if said else ""))
    return completed.stdout
