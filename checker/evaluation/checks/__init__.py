"""The Python checks, one module per category (security in three: IAM in the template, the processor's
permissions, values written into the template). Each registers its checks with @check (checker.evaluation.registry);
importing this package imports every category module, so REGISTRY then holds them all."""

from __future__ import annotations

from checker.evaluation.checks import (
    architecture,
    code,
    cost,
    monitoring,
    permissions,
    reliability,
    security,
    template,
    written_values,
)
from checker.evaluation.registry import REGISTRY

CATEGORY_MODULES = (architecture, code, cost, monitoring, permissions, reliability, security, template, written_values)

__all__ = ["CATEGORY_MODULES", "REGISTRY"]
