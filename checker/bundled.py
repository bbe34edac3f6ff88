"""Where the files that ship with the tool live: inside the installed package, or at the repository root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DATA = _PACKAGE / "data"  # schemas and AWS managed policy documents, always inside the package


def bundled_path(name: str) -> Path:
    """`rules` and `reference_template` sit in the package when installed, beside it in a checkout."""
    installed = _PACKAGE / name
    return installed if installed.exists() else _PACKAGE.parent / name
