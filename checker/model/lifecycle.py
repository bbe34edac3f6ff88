"""Lambda runtime deprecation dates, read from cfn-lint's maintained lifecycle data.

The JSON is located with importlib.util.find_spec, which does not execute
cfnlint/__init__.py: importing cfn-lint costs more than half a second.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib.util import find_spec
from pathlib import Path


@cache
def runtime_lifecycle() -> dict[str, dict]:
    spec = find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed; it carries the Lambda runtime lifecycle data")
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json"
    return json.loads(data.read_text(encoding="utf-8"))


def deprecation_date(runtime: str) -> date | None:
    """When AWS deprecates `runtime` (None: not deprecated or unknown to the data)."""
    entry = runtime_lifecycle().get(runtime)
    deprecated = entry.get("deprecated") if isinstance(entry, dict) else None
    return date.fromisoformat(deprecated) if deprecated else None
