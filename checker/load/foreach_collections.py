"""What a Fn::ForEach loop iterates over, read offline the way the AWS::LanguageExtensions transform reads it.

A collection is a list written in the loop, a Ref to a list parameter (its --parameter override, else its
Default), or an Fn::FindInMap whose keys are known. What only the deployment knows (a parameter without a
Default, one read from SSM, a pseudo parameter, any other function) is Undecided, with the reason: the loop
is then judged both ways. What CloudFormation itself refuses is Refused, with the place inside the collection.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.tree import Path

_LIST_TYPES = ("CommaDelimitedList", "List<")
_SSM = "AWS::SSM::Parameter::Value"


@dataclass(frozen=True)
class Undecided:
    """The collection is known only at deployment; `reason` says why."""

    reason: str


class Refused(Exception):
    """CloudFormation would refuse the collection: `message` says why, `path` is where inside the collection."""

    def __init__(self, message: str, path: Path = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def collection_items(data: dict, overrides: dict[str, str], collection: object, width: int) -> list[list[str]] | Undecided:
    """Each item of the collection as the texts of its `width` identifiers (a loop names one, or a list of them)."""
    if isinstance(collection, list):
        items: list[list[str]] = []
        for index, item in enumerate(collection):
            found = _item(data, overrides, item, width)
            if isinstance(found, Undecided):
                return found
            if found is None:
                raise Refused(_item_shape(width), (index,))
            items.append(found)
        return items
    if isinstance(collection, dict) and len(collection) == 1:
        ((function, argument),) = collection.items()
        if function == "Ref":
            values = _parameter_list(data, overrides, argument)
        elif function == "Fn::FindInMap":
            values = _find_in_map(data, overrides, argument, list_at=(function,))
        elif function == "Fn::GetAtt":
            raise Refused("its collection cannot be an Fn::GetAtt: the transform runs before any resource exists")
        elif function.startswith("Fn::"):
            return Undecided(f"its collection is computed by {function} at deployment")
        else:
            raise Refused("its collection must be a list, a Ref to a list parameter or an Fn::FindInMap of a list")
        if isinstance(values, Undecided):
            return values
        return collection_items(data, overrides, values, width)
    raise Refused("its collection must be a list, a Ref to a list parameter or an Fn::FindInMap of a list")


def _item(data: dict, overrides: dict[str, str], item: object, width: int) -> list[str] | Undecided | None:
    """The texts of one item; None when it has the wrong shape."""
    if width > 1:
        if not isinstance(item, list) or len(item) != width:
            return None
        texts = [_scalar(data, overrides, value) for value in item]
        undecided = next((text for text in texts if isinstance(text, Undecided)), None)
        if undecided is not None:
            return undecided
        return None if None in texts else [text for text in texts if isinstance(text, str)]
    text = _scalar(data, overrides, item)
    return text if text is None or isinstance(text, Undecided) else [text]


def _item_shape(width: int) -> str:
    if width > 1:
        return f"each item of its collection must be a list of {width} values, one for each of its identifiers"
    return "each item of its collection must be a string, a number or a boolean"


def _scalar(data: dict, overrides: dict[str, str], node: object) -> str | Undecided | None:
    """A text the transform can read offline: a scalar, a String parameter's value, a mapping's entry."""
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, dict) and len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Ref":
            value = _parameter_value(data, overrides, argument)
        elif function == "Fn::FindInMap":
            value = _find_in_map(data, overrides, argument)
        elif function.startswith("Fn::") and function != "Fn::GetAtt":
            return Undecided(f"{function} computes a value of its collection at deployment")
        else:
            return None
        return value if isinstance(value, Undecided) else _scalar(data, overrides, value) if not isinstance(value, dict) else None
    return None


def _declared(data: dict, name: object) -> dict | None:
    parameters = data.get("Parameters")
    spec = parameters.get(name) if isinstance(parameters, dict) and isinstance(name, str) else None
    return spec if isinstance(spec, dict) else {} if isinstance(parameters, dict) and name in parameters else None


def _parameter_value(data: dict, overrides: dict[str, str], name: object) -> object:
    """The value a parameter gets: its override, else its Default; Undecided when only the deployment knows it."""
    spec = _declared(data, name)
    if spec is None:
        if isinstance(name, str) and name.startswith("AWS::"):
            return Undecided(f"{name} is known only at deployment")
        raise Refused(
            f"Ref to {name}, which is not a parameter of the template (a loop's collection is read before any resource exists)"
        )
    if str(spec.get("Type", "String")).startswith(_SSM):
        return Undecided(f"the parameter {name} is read from SSM at deployment")
    if name in overrides:
        return overrides[str(name)]
    if "Default" in spec:
        return spec["Default"]
    return Undecided(f"the parameter {name} has no Default (pass --parameter {name}=VALUE)")


def _parameter_list(data: dict, overrides: dict[str, str], name: object) -> object:
    value = _parameter_value(data, overrides, name)
    if isinstance(value, Undecided):
        return value
    kind = str((_declared(data, name) or {}).get("Type", "String"))
    if isinstance(value, list):
        return value
    text = str(value) if value is not None else ""
    if not kind.startswith(_LIST_TYPES) and "," not in text:  # the transform splits any value that holds commas
        raise Refused(f"its collection is the {kind} parameter {name}; a collection is a list (CommaDelimitedList or List<...>)")
    return [part.strip() for part in text.split(",")] if text else []


def _find_in_map(data: dict, overrides: dict[str, str], argument: object, list_at: Path | None = None) -> object:
    """The mapping's entry, or the DefaultValue where it has none; with `list_at` (where the Fn::FindInMap is
    written in the collection), it is the collection itself and its entry must be a list."""
    at = list_at or ()
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        raise Refused("Fn::FindInMap needs [map, first key, second key] and may add {DefaultValue: ...}", at)
    keys = []
    for index, key in enumerate(argument[:3]):
        text = _scalar(data, overrides, key)
        if isinstance(text, Undecided):
            return text  # a key of the mapping known only at deployment
        if text is None:
            raise Refused("each key of Fn::FindInMap must be a string", (*at, index))
        keys.append(text)
    node: object = data.get("Mappings")
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if node is not None:
        if list_at is not None and not isinstance(node, list):
            raise Refused(f"Fn::FindInMap gives {node!r} for {'/'.join(keys)}, not a list", at)
        return node
    default = argument[3] if len(argument) == 4 else None
    if isinstance(default, dict) and "DefaultValue" in default:
        return default["DefaultValue"]
    raise Refused(f"Fn::FindInMap finds no entry {'/'.join(keys)} in Mappings, and gives no DefaultValue", at)
