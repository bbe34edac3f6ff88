"""What resolution produces besides plain data: values unknown before deployment, strings that remember the
resources they were built from, the removed value (AWS::NoValue), and the helpers that read such values."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TypeVar

from checker.tree import walk

# A ${...} variable of Fn::Sub; `${!Literal}` is written text, not a variable.
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Unknown:
    """A value that cannot be known before deployment; rules report it as unknown."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class Imported(Unknown):
    """A value another stack exports (Fn::ImportValue): unknown here, and never a resource of this template."""

    __slots__ = ()


_Built = TypeVar("_Built", bound="RefStr")


class RefStr(str):
    """A string built from references to resources of the template."""

    __slots__ = ("refs",)
    refs: frozenset[str]

    def __new__(cls: type[_Built], value: str, refs: Iterable[str] = ()) -> _Built:
        instance = super().__new__(cls, value)
        instance.refs = frozenset(refs)
        return instance


class SourceIndexedList(list):
    """A list some of whose items AWS::NoValue removed: remembers where each kept item was written."""

    __slots__ = ("source_indices",)

    def __init__(self, items: list, source_indices: list[int]) -> None:
        super().__init__(items)
        self.source_indices = source_indices


class UnknownName(RefStr):
    """A resource's name that comes from a value unknown before deployment: it stands for the
    resource in references, but cannot be compared with a name written elsewhere."""

    __slots__ = ("reason",)
    reason: str

    def __new__(cls, logical_id: str, reason: str) -> UnknownName:
        instance = super().__new__(cls, f"<{logical_id}>", (logical_id,))
        instance.reason = reason
        return instance


class _NoValue:
    """AWS::NoValue: the property is removed."""


NO_VALUE = _NoValue()


def as_list(value: object) -> list:
    """A list property that may be written as a single value."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def as_mapping(value: object) -> dict | None:
    """A mapping, also when written as a JSON string (RedrivePolicy, policy documents)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: a string of 100,000 "["
            return None
    return value if isinstance(value, dict) else None


def refs_in(value: object) -> set[str]:
    """Logical ids of the resources a resolved value was built from."""
    return {ref for _, item in walk(value) if isinstance(item, RefStr) for ref in item.refs}


_SYMBOL = re.compile(r"<(AWS-(?:Region|AccountId|StackName|StackId)|[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)?)>")


def readable(text: str, logical_ids: Iterable[str]) -> str:
    """Write the resolver's symbols the way a template would: <AWS-Region> as ${AWS::Region},
    <Queue> (a name CloudFormation generates) as ${Queue}."""
    known = logical_ids if isinstance(logical_ids, (dict, set, frozenset)) else set(logical_ids)  # a finding each: no copies

    def show(match: re.Match) -> str:
        token = match.group(1)
        if token.startswith("AWS-"):
            return "${AWS::" + token[4:] + "}"
        return "${" + token + "}" if token.split(".", 1)[0] in known else match.group(0)

    return _SYMBOL.sub(show, text)


def symbols_as_identifiers(text: str) -> str:
    """Code built with !Sub, its symbols (<AWS-AccountId>, <Table>) written as identifiers so it still parses:
    a deployment value stands where an expression may, as in `const ACCOUNT = ${AWS::AccountId};`."""
    return _SYMBOL.sub(lambda match: "__" + re.sub(r"\W", "_", match.group(1)) + "__", text)


def find_unknown(value: object) -> Unknown | None:
    """The first Unknown (or unknown name) inside a resolved value, in the order it is written, if any."""
    for _, item in walk(value):
        if isinstance(item, Unknown):
            return item
        if isinstance(item, UnknownName):
            return Unknown(item.reason)
    return None
