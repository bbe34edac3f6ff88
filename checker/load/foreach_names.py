"""The names a template refers to but does not declare: those a loop whose collection is unknown may make.

A loop whose collection only the deployment knows is expanded with stand-in items. When the rest of the
template refers to a resource (or a condition) the loop would make for some item (GetAtt QueueOrders for
a loop making Queue${Name}), that item is the likeliest stand-in: with it, the references still wire the
stack together, and the rules judge the stack the template describes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.load.template import getatt_target
from checker.tree import walk

_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def undeclared(data: dict) -> tuple[set[str], set[str]]:
    """The resource names and the condition names the template refers to without declaring them."""
    resources = _names(data, "Resources")
    conditions = _names(data, "Conditions")
    known = resources | _names(data, "Parameters")
    resource_refs: set[str] = set()
    condition_refs: set[str] = set()
    for section in ("Resources", "Outputs", "Conditions"):
        for _, node in walk(data.get(section)):
            if isinstance(node, dict):
                resource_refs.update(_resource_refs(node))
                condition_refs.update(_condition_refs(node))
    for resource in (data.get("Resources") or {}).values() if isinstance(data.get("Resources"), dict) else ():
        depends = resource.get("DependsOn") if isinstance(resource, dict) else None
        resource_refs.update(name for name in (depends if isinstance(depends, list) else [depends]) if isinstance(name, str))
    return (
        {name for name in resource_refs if name not in known and not name.startswith("AWS::")},
        condition_refs - conditions,
    )


def _names(data: dict, section: str) -> set[str]:
    declared = data.get(section)
    return {str(name) for name in declared} if isinstance(declared, dict) else set()


def _resource_refs(node: dict) -> Iterator[str]:
    if len(node) != 1:
        return
    ((key, argument),) = node.items()
    if key == "Ref" and isinstance(argument, str):
        yield argument
    elif key == "Fn::GetAtt":
        target = getatt_target(argument)
        if target is not None:
            yield target
    elif key == "Fn::Sub":
        text, local = (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2 else (argument, {})
        if isinstance(text, str):
            for variable in _SUB_VARIABLE.findall(text):
                name = variable.strip().split(".", 1)[0]
                if not isinstance(local, dict) or name not in local:
                    yield name


def _condition_refs(node: dict) -> Iterator[str]:
    condition = node.get("Condition")
    if isinstance(condition, str):
        yield condition
    branches = node.get("Fn::If") if len(node) == 1 else None
    if isinstance(branches, list) and branches and isinstance(branches[0], str):
        yield branches[0]
