"""Python checks register where they are written: `@check` files a function under its own name, which is the
name a rule file gives as `check: {engine: python, function: NAME}`."""

from __future__ import annotations

from checker.evaluation.context import Check

REGISTRY: dict[str, Check] = {}


def check(function: Check) -> Check:
    """Register a check; two checks with one name would make a rule file ambiguous."""
    name = getattr(function, "__name__", "")
    if name in REGISTRY:
        raise ValueError(f"two Python checks are named {name}")
    REGISTRY[name] = function
    return function
