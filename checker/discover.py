"""Which files a run checks: named files always; files found in directories only when they look like templates."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from checker.findings import SkippedFile

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRECTORIES = {".git", "node_modules", "cdk.out", ".aws-sam", "__pycache__", ".venv", ".tox"}
_SNIFF_BYTES = 64 * 1024
_TEMPLATE_MARKERS = re.compile(r"""^\s*["']?(Resources|AWSTemplateFormatVersion|Transform)["']?\s*:""", re.MULTILINE)
_KUBERNETES = re.compile(r"^apiVersion\s*:.*\n(?:.*\n)*?kind\s*:", re.MULTILINE)


@dataclass(frozen=True)
class Selection:
    files: tuple[str, ...]
    skipped: tuple[SkippedFile, ...]


def _why_not_a_template(path: Path) -> str | None:
    """None when the file plausibly holds a template; otherwise the reason to skip it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    text = head.decode("utf-8", errors="replace")
    if _TEMPLATE_MARKERS.search(text):
        return None
    if ".github" in path.parts and "workflows" in path.parts:
        return "a GitHub Actions workflow, not a CloudFormation template"
    if _KUBERNETES.search(text):
        return "a Kubernetes manifest, not a CloudFormation template"
    return "no Resources, AWSTemplateFormatVersion or Transform section: not a CloudFormation template"


def _walk(directory: Path) -> list[Path]:
    found = []
    for root, directories, files in os.walk(directory):
        directories[:] = sorted(name for name in directories if name not in SKIPPED_DIRECTORIES)
        found.extend(Path(root) / name for name in sorted(files) if name.lower().endswith(TEMPLATE_SUFFIXES))
    return found


def select_files(paths: list[str]) -> Selection:
    """Expand directories; a path named explicitly is always checked (a missing one gets an invalid verdict)."""
    files: list[str] = []
    skipped: list[SkippedFile] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for candidate in _walk(path):
                reason = _why_not_a_template(candidate)
                if reason is None:
                    files.append(str(candidate))
                else:
                    skipped.append(SkippedFile(str(candidate), reason))
        else:
            files.append(given)
    return Selection(tuple(dict.fromkeys(files)), tuple(skipped))
