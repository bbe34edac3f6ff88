"""The Python checks, one module per category. Each registers its checks with @check (checker.evaluation.registry);
importing this package imports every category module, so REGISTRY then holds them all."""

from __future__ import annotations

from checker.evaluation.checks import architecture, code, cost, monitoring, reliability, security, template
from checker.evaluation.registry import REGISTRY

CATEGORY_MODULES = (architecture, code, cost, monitoring, reliability, security, template)

__all__ = ["CATEGORY_MODULES", "REGISTRY"]
