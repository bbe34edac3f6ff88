"""SAM's reasons for refusing a template, at the place the user wrote what SAM refused.

SAM's exceptions say which resource they refuse (InvalidResourceException and its kinds, even for a
resource SAM meant to generate: FnOrders for the Orders event of Fn), which property by its key path
(InvalidResourcePropertyTypeException), which attribute (InvalidResourceAttributeTypeException), and
which event when a function's event refused it (the InvalidEventException it chains). Three things
they say only in words, read from the message: which entry of Policies SAM refused (by index, or by
the policy template's name), and which section and setting of Globals.
"""

from __future__ import annotations

import re

from checker.load.sam_origins import SERVERLESS_PREFIX, Origin, named_origin
from checker.load.template import LoadError, Template
from checker.tree import Path, follow

_REFUSED_POLICY_INDEX = re.compile(r"Policy at index ([0-9]+) in the 'Policies' property")
_REFUSED_POLICY_TEMPLATE = re.compile(r"(?:parameters of template|parameter values for policy template) '([A-Za-z0-9]+)'")
_GLOBALS_REFUSAL = re.compile(r"'Globals' section is invalid\. (?:'([^']+)' is not a supported property of )?(?:'([^']+)')?")
_INDEX_STEP = re.compile(r"\[?([0-9]+)\]?(?:\.|(?=\[)|$)")


def refusal(template: Template, error: Exception) -> LoadError:
    """SAM's own reasons for refusing the template, at the place the first of them names."""
    causes = getattr(error, "causes", None)
    messages = [str(getattr(cause, "message", cause)) for cause in causes] if causes else []
    if not messages:
        text = str(getattr(error, "message", "") or error)
        messages = [f"{type(error).__name__}: {text}" if not hasattr(error, "message") else text]
    first = messages[0].rstrip(".")
    mark = template.mark_at(_refused_at(template, causes[0] if causes else error, first))
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return LoadError(f"SAM cannot transform this template: {first}{more}", *mark)


def _refused_at(template: Template, cause: object, message: str) -> Path:
    """The path of what a cause refuses; () where it names nothing written (a malformed template, SAM's own failure)."""
    from samtranslator.model.exceptions import (
        DuplicateLogicalIdException,
        InvalidEventException,
        InvalidResourceAttributeTypeException,
        InvalidResourceException,
        InvalidResourcePropertyTypeException,
    )
    from samtranslator.plugins.globals.globals import InvalidGlobalsSectionException

    if isinstance(cause, InvalidGlobalsSectionException):  # it names only the section Globals
        named = _GLOBALS_REFUSAL.match(message)
        setting, section = named.groups() if named else (None, None)
        return tuple(name for name in ("Globals", section, setting) if name)
    if not isinstance(cause, (InvalidResourceException, DuplicateLogicalIdException)):
        return ()
    # SAM keeps the refused logical id (a list when it refuses resources together) without a public name.
    refused = getattr(cause, "_logical_id", None)
    refused = refused[0] if isinstance(refused, list) and refused else refused
    if not isinstance(refused, str):
        return ()
    logical_id = refused
    written = template.resources.get(logical_id)
    origin = Origin(logical_id, str(written.get("Type"))) if isinstance(written, dict) else named_origin(template, logical_id)
    if origin is None:
        return ("Resources", logical_id)
    resource: Path = ("Resources", origin.logical_id)
    if isinstance(cause, InvalidResourcePropertyTypeException):
        return _property_at(template, origin, cause.key_path)
    if origin.event is not None:
        return (*resource, "Properties", "Events", origin.event)
    if isinstance(cause, InvalidResourceAttributeTypeException) and len(cause.args) > 1:  # the attribute, as SAM was given it
        return (*resource, str(cause.args[1]))
    event = getattr(cause.__cause__, "_event_id", None) if isinstance(cause.__cause__, InvalidEventException) else None
    if isinstance(event, str):  # a function refusing what one of its events refused
        return (*resource, "Properties", "Events", event)
    return _policies_entry(template, resource, message)


def _property_at(template: Template, origin: Origin, key_path: str) -> Path:
    """Where a refused property was written, from SAM's key path below Properties (of the resource or its event):
    on the resource, else in Globals; as deep as the key path leads in what was written."""
    event = ("Events", origin.event, "Properties") if origin.event is not None else ()
    properties = ("Resources", origin.logical_id, "Properties", *event)
    on_resource = _steps(follow(template.data, properties), key_path)
    if not on_resource and origin.event is None and key_path:
        section = ("Globals", origin.type.removeprefix(SERVERLESS_PREFIX))
        in_globals = _steps(follow(template.data, section), key_path)
        if in_globals:
            return (*section, *in_globals)
    return (*properties, *on_resource)


def _steps(node: object, key_path: str) -> Path:
    """SAM's dotted key path ('Auth.Authorizers.MyAuth', 'SourceAccessConfigurations[0]') as steps into `node`, as
    far as they lead. Keys may hold dots themselves (the paths of an OpenAPI definition), so each step is the
    longest key the rest of the key path begins with."""
    steps: list[str | int] = []
    rest = key_path
    while rest:
        index = _INDEX_STEP.match(rest) if isinstance(node, list) else None
        if isinstance(node, list) and index and int(index.group(1)) < len(node):
            steps.append(int(index.group(1)))
            node, rest = node[int(index.group(1))], rest[index.end() :]
        elif isinstance(node, dict) and (keys := [key for key in node if _begins(rest, key)]):
            key = max(keys, key=len)
            steps.append(key)
            node, rest = node[key], rest[len(key) :].removeprefix(".")
        else:
            break
    return tuple(steps)


def _begins(key_path: str, key: object) -> bool:
    """Does `key_path` begin with the step `key`, a whole step?"""
    return isinstance(key, str) and key != "" and key_path.startswith(key) and key_path[len(key) :][:1] in ("", ".", "[")


def _policies_entry(template: Template, resource: Path, message: str) -> Path:
    """A refusal of a resource's Policies narrowed to the entry SAM names, by its index or its policy template."""
    entries = follow(template.data, (*resource, "Properties", "Policies"))
    at_index = _REFUSED_POLICY_INDEX.search(message)
    named = _REFUSED_POLICY_TEMPLATE.search(message)
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if (at_index and int(at_index.group(1)) == index) or (named and isinstance(entry, dict) and named.group(1) in entry):
            return (*resource, "Properties", "Policies", index)
    return resource
