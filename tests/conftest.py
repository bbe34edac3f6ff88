"""Shared test settings: the date the checks are pinned to, and the fixture locations."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

# Runtime deprecation depends on the date of the check; tests pin it.
CHECK_DATE = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = ROOT / "reference_template" / "order-processing.yaml"


def assert_golden(golden: Path, actual: str) -> None:
    """`actual` must equal the golden file; after a deliberate change (a new rule that fires on a realistic answer,
    a reworded message), regenerate every golden file with `CFN_COMPLIANCE_UPDATE_GOLDEN=1 pytest` and review the diff."""
    if os.environ.get("CFN_COMPLIANCE_UPDATE_GOLDEN"):
        golden.write_bytes(actual.encode("utf-8"))
    # Bytes, not text mode, which would read CRLF as LF: line endings are part of a format (CSV ends records with CRLF).
    assert actual == golden.read_bytes().decode("utf-8"), (
        f"{golden.name} changed; regenerate with CFN_COMPLIANCE_UPDATE_GOLDEN=1 if intended"
    )


@pytest.fixture
def check_date() -> date:
    return CHECK_DATE
