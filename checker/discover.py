"""Which files a run checks: named files always; files found in directories only when they look like templates."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from checker.findings import SkippedFile
from checker.loader import MAX_BYTES

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRECTORIES = {".git", "node_modules", "cdk.out", ".aws-sam", "__pycache__", ".venv", ".tox"}
# A key that every template has one of, anywhere in the text (block, flow or minified JSON).
_TEMPLATE_MARKERS = re.compile(r"""(?:^|[\s{,])["']?(Resources|AWSTemplateFormatVersion|Transform)["']?\s*:""")
_KUBERNETES = re.compile(r"^apiVersion\s*:.*\n(?:.*\n)*?kind\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Selection:
    files: tuple[str, ...]  # to check, in a stable order
    searched: frozenset[str]  # those found by searching a directory rather than named
    skipped: tuple[SkippedFile, ...]
    unreadable: tuple[SkippedFile, ...]  # inputs that could not even be looked at: the run cannot vouch for them


def _why_not_a_template(path: Path) -> str | None:
    """None when the file plausibly holds a template; otherwise the reason to skip it."""
    with path.open("rb") as handle:
        head = handle.read(MAX_BYTES)
    text = head.decode("utf-8", errors="replace")
    if _TEMPLATE_MARKERS.search(text):
        return None
    if ".github" in path.parts and "workflows" in path.parts:
        return "a GitHub Actions workflow, not a CloudFormation template"
    if _KUBERNETES.search(text):
        return "a Kubernetes manifest, not a CloudFormation template"
    return "no Resources, AWSTemplateFormatVersion or Transform section: not a CloudFormation template"


def _walk(directory: Path, unreadable: list[SkippedFile]) -> list[Path]:
    def not_listed(error: OSError) -> None:
        unreadable.append(SkippedFile(str(error.filename or directory), f"cannot be listed ({error.strerror or error})"))

    found = []
    for root, directories, files in os.walk(directory, onerror=not_listed):
        directories[:] = sorted(name for name in directories if name not in SKIPPED_DIRECTORIES)
        found.extend(Path(root) / name for name in sorted(files) if name.lower().endswith(TEMPLATE_SUFFIXES))
    return found


def _searched_candidate(path: Path, skipped: list[SkippedFile], unreadable: list[SkippedFile]) -> bool:
    """Should a file found by search be checked? Records why not when it should not."""
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            skipped.append(SkippedFile(str(path), "not a regular file (a pipe, socket or device)"))
            return False
        reason = _why_not_a_template(path)
    except OSError as error:
        unreadable.append(SkippedFile(str(path), f"cannot be read ({error.strerror or error})"))
        return False
    if reason is not None:
        skipped.append(SkippedFile(str(path), reason))
    return reason is None


def select_files(paths: list[str]) -> Selection:
    """Expand directories; a path named explicitly is always checked (a missing one gets an invalid verdict).

    A file reached under two spellings (`a.yaml`, `./a.yaml`, a directory holding it) is checked once."""
    files: dict[str, str] = {}  # real path -> the spelling first met
    searched: set[str] = set()
    skipped: list[SkippedFile] = []
    unreadable: list[SkippedFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for candidate in _walk(path, unreadable):
                if os.path.realpath(candidate) not in files and _searched_candidate(candidate, skipped, unreadable):
                    files[os.path.realpath(candidate)] = str(candidate)
                    searched.add(str(candidate))
        else:
            files.setdefault(os.path.realpath(given), given)
    return Selection(tuple(files.values()), frozenset(searched), tuple(skipped), tuple(unreadable))
