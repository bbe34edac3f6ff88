"""Which files a run checks: named files always; files found in directories only when they look like templates."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.findings import SkippedFile
from checker.globs import Exclusion
from checker.load import MAX_BYTES

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
# Directories a search does not enter, with what they hold: another tool's metadata, installed packages,
# generated output (cdk.out and .aws-sam hold templates, but built ones). Named on the command line, they are searched.
SKIPPED_DIRECTORIES = {
    ".git": "version-control metadata",
    ".hg": "version-control metadata",
    ".svn": "version-control metadata",
    "node_modules": "installed npm packages",
    ".venv": "a Python virtual environment",
    ".tox": "tox environments",
    "cdk.out": "CDK synthesis output (generated templates)",
    ".aws-sam": "SAM build output (generated templates)",
    ".serverless": "Serverless Framework build output",
    ".terraform": "Terraform providers and modules",
    "__pycache__": "Python bytecode cache",
    ".mypy_cache": "a tool cache",
    ".pytest_cache": "a tool cache",
    ".ruff_cache": "a tool cache",
}
# A key that every template has one of, anywhere in the text (block, flow or minified JSON).
_TEMPLATE_MARKERS = re.compile(r"""(?:^|[\s{,])["']?(Resources|AWSTemplateFormatVersion|Transform)["']?\s*:""")
# CloudFormation's short-form intrinsic tags: a file written with them is a template even when broken.
_SHORT_TAGS = re.compile(
    r"(?:^|[\s\[{,:-])!(?:Ref|GetAtt|Sub|Join|If|Select|Split|FindInMap|ImportValue|Base64|Cidr|GetAZs|Equals|And|Or|Not|"
    r"Condition|Transform|ToJsonString|Length)(?![\w:])"
)
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
    if _TEMPLATE_MARKERS.search(text) or _SHORT_TAGS.search(text):
        return None
    if ".github" in path.parts and "workflows" in path.parts:
        return "a GitHub Actions workflow, not a CloudFormation template"
    if _KUBERNETES.search(text):
        return "a Kubernetes manifest, not a CloudFormation template"
    if '"cfn-compliance-baseline"' in text[:200]:
        return "a cfn-compliance baseline of accepted findings, not a CloudFormation template"
    return "no Resources, AWSTemplateFormatVersion or Transform section: not a CloudFormation template"


def _walk(
    directory: Path, named: set[str], unreadable: list[SkippedFile], exclude: Exclusion | None = None
) -> list[Path | SkippedFile]:
    """Files with a template suffix, and one entry per tool directory (or configured exclusion) left out, in a
    stable order.

    A tool directory that was itself named on the command line is left out here without a word: it is searched
    on its own."""

    def not_listed(error: OSError) -> None:
        unreadable.append(SkippedFile(str(error.filename or directory), f"cannot be listed ({error.strerror or error})"))

    found: list[Path | SkippedFile] = []
    for root, directories, files in os.walk(directory, onerror=not_listed):
        kept, left_out = [], []
        for name in sorted(directories):
            holds = SKIPPED_DIRECTORIES.get(name)
            excluded = _excluded(exclude, os.path.join(root, name))
            if excluded:
                left_out.append(SkippedFile(str(Path(root) / name), excluded))
            elif holds is None:
                kept.append(name)
            elif os.path.realpath(os.path.join(root, name)) not in named:
                left_out.append(SkippedFile(str(Path(root) / name), f"{holds}: not searched (name the directory to search it)"))
        directories[:] = kept
        for name in sorted(files):
            if name.lower().endswith(TEMPLATE_SUFFIXES):
                excluded = _excluded(exclude, os.path.join(root, name))
                found.append(SkippedFile(str(Path(root) / name), excluded) if excluded else Path(root) / name)
        found.extend(left_out)

    def walk_order(entry: Path | SkippedFile) -> list[tuple[bool, str]]:
        """os.walk's order (a directory's files, then its subdirectories by name); a skipped one where its contents would be."""
        parts = Path(entry.path if isinstance(entry, SkippedFile) else entry).relative_to(directory).parts
        return [(True, part) for part in parts[:-1]] + [(isinstance(entry, SkippedFile), parts[-1])]

    return sorted(found, key=walk_order)


def _excluded(exclude: Exclusion | None, path: str) -> str | None:
    """Why the configuration's `exclude` leaves a file or folder out, or None."""
    glob = exclude.excluding(path) if exclude else None
    return f"excluded by {glob!r} ({exclude.source})" if exclude and glob else None


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


def select_files(
    paths: list[str], found: Sequence[str] = (), exclude: Exclusion | None = None, *, only_templates: bool = False
) -> Selection:
    """Expand directories; a path named explicitly is always checked (a missing one gets an invalid verdict),
    and a directory named explicitly is searched even when a search would leave it out (node_modules, cdk.out).
    `found`: files a configured glob matched, judged like files a search found; `exclude` leaves out what a
    search (or a glob) finds, never a path named explicitly. With `only_templates` (pre-commit's hook mode, which
    names every staged YAML and JSON file), a named file is looked at as a search looks at what it finds: one
    plainly not CloudFormation is skipped.

    A file reached under two spellings (`a.yaml`, `./a.yaml`, a directory holding it) is checked once; a file
    named on the command line is checked as named wherever a directory search meets it, before or after."""
    files: dict[str, str] = {}  # real path -> the spelling first met
    searched: set[str] = set()
    skipped: list[SkippedFile] = []
    unreadable: list[SkippedFile] = []
    named = {os.path.realpath(given) for given in paths}
    directories = {given for given in paths if Path(given).is_dir()}
    met = {os.path.realpath(given) for given in paths if given not in directories}  # real paths already accounted for
    for given in paths:
        if given not in directories:
            real = os.path.realpath(given)
            if real in files:
                continue
            if only_templates:
                if not _searched_candidate(Path(given), skipped, unreadable):
                    continue
                searched.add(given)
            files[real] = given
            continue
        for candidate in _walk(Path(given), named, unreadable, exclude):
            real = os.path.realpath(candidate.path if isinstance(candidate, SkippedFile) else candidate)
            if real in met:
                continue
            met.add(real)
            if isinstance(candidate, SkippedFile):
                skipped.append(candidate)
            elif _searched_candidate(candidate, skipped, unreadable):
                files[real] = str(candidate)
                searched.add(str(candidate))
    for given in found:
        real = os.path.realpath(given)
        if real in met:
            continue
        met.add(real)
        excluded = _excluded(exclude, given)
        if excluded:
            skipped.append(SkippedFile(given, excluded))
        elif _searched_candidate(Path(given), skipped, unreadable):
            files[real] = given
            searched.add(given)
    return Selection(tuple(files.values()), frozenset(searched), tuple(skipped), tuple(unreadable))
