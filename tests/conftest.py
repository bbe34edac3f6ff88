"""Shared test settings: the date the checks are pinned to, and the fixture locations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

# Runtime deprecation depends on the date of the check; tests pin it.
CHECK_DATE = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = ROOT / "reference_template" / "order-processing.yaml"


@pytest.fixture
def check_date() -> date:
    return CHECK_DATE
