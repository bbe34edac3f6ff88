"""Expand the Fn::ForEach loops of the AWS::LanguageExtensions transform offline, as CloudFormation does.

A resource a loop makes is judged like any other, so the loops are expanded before anything else (before
SAM, when the template is SAM too): every key and string of a loop's body with ${Identifier} written as
the item, &{Identifier} as the item without its non-alphanumeric characters, and Ref: Identifier as the
item; nested loops, and loops in Conditions, Outputs and anywhere inside a resource, included. Each key a
loop makes remembers the key written in the loop's body, so findings are placed there (foreach_template.py).

A loop whose collection only the deployment knows is expanded once with a stand-in item, and what it makes
exists under a condition that cannot be decided: the judge runs the rules with and without it, and a rule
whose verdict depends on it is unknown. A loop CloudFormation itself refuses is a LoadError at its place.
Only data is read and built: nothing is fetched, nothing runs.
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from checker.load.foreach_collections import Refused, Undecided, collection_items
from checker.load.foreach_template import LoopedSamTemplate, LoopedTemplate
from checker.load.template import ORIGIN, LoadError, MarkedDict, MarkedList, Template
from checker.tree import Path

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
LOOP = "Fn::ForEach::"
_SECTIONS = ("Conditions", "Resources", "Outputs")
_LOOP_NAME = re.compile(r"Fn::ForEach::[A-Za-z0-9]+")
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")
MAX_NESTING = 5  # loops inside loops, as CloudFormation allows
MAX_RESOURCES = 500  # CloudFormation's quota applies to the expanded template
MAX_VALUES = 500_000  # more values than a 1 MB template can hold: refused before memory runs out
_GUESS = "Zz{}cfnComplianceGuessZz"  # where an unknown item goes in the pattern of a name (alphanumeric: &{} keeps it)


class _Binding(NamedTuple):
    """An identifier's item: what ${Identifier} becomes, and what Ref: Identifier becomes; for a stand-in item
    (the collection is unknown), the loop's place and the identifier's position."""

    text: str
    ref: object
    loop: Path | None = None
    position: int = 0


Guess = dict[int, str]  # a stand-in item: the values of some of a loop's identifiers, by position


class _Scope(NamedTuple):
    loops: tuple[str, ...]  # the loops being expanded, outermost first
    undecided: tuple[str, ...]  # the conditions under which what they make exists, when some are unknown
    bindings: dict[str, _Binding]  # never changed: each item of each loop makes its own


_OUTSIDE = _Scope((), (), {})


def transforms(data: dict) -> list[str]:
    """The transforms a template declares, by name."""
    declared = data.get("Transform")
    names = declared if isinstance(declared, list) else [declared]
    return [str(name.get("Name")) if isinstance(name, dict) else str(name) for name in names if name is not None]


def expand_loops(template: Template, parameters: dict[str, str]) -> Template:
    """The stack CloudFormation deploys once AWS::LanguageExtensions (then SAM, when declared too) transforms the
    template; LoadError where CloudFormation refuses a loop, or refuses Fn::ForEach without the transform."""
    from checker.load.sam import expand, is_sam

    if LANGUAGE_EXTENSIONS not in transforms(template.data):
        loop = next((str(key) for key in template.data["Resources"] if str(key).startswith(LOOP)), None)
        if loop is None:
            return expand(template, parameters) if is_sam(template.data) else template
        raise LoadError(
            f"{loop} needs the {LANGUAGE_EXTENSIONS} transform: declare it with Transform: {LANGUAGE_EXTENSIONS}",
            *template.mark_at(("Resources", loop)),
        )
    expander = _Expander(template, parameters, {})
    looped = expander.template()
    hints = expander.stand_ins_named(looped.data)
    if hints:  # expanded again, with the stand-in items the rest of the template names
        looped = _Expander(template, parameters, hints).template()
    if is_sam(looped.data):
        expanded = expand(looped, parameters)  # LoadError when SAM refuses what the loops made
        return LoopedSamTemplate.around(expanded, looped) if isinstance(looped, LoopedTemplate) else expanded
    return looped


class _Expander:
    def __init__(self, template: Template, parameters: dict[str, str], hints: dict[Path, list[Guess]]) -> None:
        self.source = template
        self.hints = hints
        self.data = template.data
        self.parameters = parameters
        declared = self.data.get("Parameters")
        self.parameter_names = {str(name) for name in declared} if isinstance(declared, dict) else set()
        self.resource_names = {str(name) for name in self.data["Resources"] if not str(name).startswith(LOOP)}
        self.written: dict[Path, Path] = {}
        self.made: dict[str, tuple[str, ...]] = {}
        self.loops: dict[str, Path] = {}
        self.guesses: list[tuple[str, re.Pattern]] = []  # the section, and the names a stand-in output stands for
        self.groups: dict[str, tuple[Path, int]] = {}  # a group of those patterns: the loop and the identifier's position
        self.notes: dict[str, None] = {}
        self.conditions: dict[str, object] = {}
        self.values = 0

    def template(self) -> Template:
        """The expanded template; the template itself when it holds no loop."""
        data = MarkedDict(self.data.start)
        for key, value in self.data.items():
            section = key in _SECTIONS and isinstance(value, dict)
            data[key] = self._mapping(value, (key,), (key,), _OUTSIDE) if section else value
            _copy_marks(self.data, key, data, key)
        if not self.loops:
            return self.source
        self._check_resources(data["Resources"])
        if self.conditions:
            declared = data.get("Conditions")
            conditions = declared if isinstance(declared, MarkedDict) else MarkedDict(self.data.start)
            conditions.update(self.conditions)
            data["Conditions"] = conditions
        return LoopedTemplate(
            path=self.source.path,
            data=data,
            text=self.source.text,
            start=self.source.start,
            notes=self.source.notes + tuple(self.notes),
            source=self.source,
            written=self.written,
            made=self.made,
        )

    # -- copying, with the items written in --------------------------------------------------------------
    def _node(self, node: object, written: Path, looped: Path, scope: _Scope) -> object:
        self.values += bool(scope.loops)
        if self.values > MAX_VALUES:
            raise self._refused(
                written, f"it makes more than {MAX_VALUES:,} values, more than a template may hold", scope.loops[-1]
            )
        if isinstance(node, str):
            return _text(node, scope.bindings)
        if isinstance(node, list):
            copied = MarkedList(getattr(node, "start", ORIGIN))
            marks = getattr(node, "item_marks", [])
            for index, item in enumerate(node):
                copied.append(self._node(item, (*written, index), (*looped, index), scope))
                copied.item_marks.append(marks[index] if index < len(marks) else ORIGIN)
            return copied
        if isinstance(node, dict):
            if scope.bindings and len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in scope.bindings:
                return scope.bindings[node["Ref"]].ref
            return self._mapping(node, written, looped, scope)
        return node

    def _mapping(self, node: dict, written: Path, looped: Path, scope: _Scope) -> MarkedDict:
        copied = MarkedDict(getattr(node, "start", ORIGIN))
        makers: dict[str, str] = {}
        for key, value in node.items():
            text = _text(key, scope.bindings) if isinstance(key, str) else key
            if isinstance(text, str) and text.startswith(LOOP):
                self._loop(key, text, value, written, looped, scope, copied, makers)
                continue
            generated = self._node(value, (*written, key), (*looped, text), scope)
            self._put(copied, makers, text, generated, (node, key), (*written, key), (*looped, text), record=text != key)
        if scope.bindings:
            _collapse(copied)
        return copied

    def _put(
        self,
        copied: MarkedDict,
        makers: dict[str, str],
        key: str,
        value: object,
        written_at: tuple[dict, str],
        written: Path,
        looped: Path,
        *,
        record: bool,
        maker: str | None = None,
    ) -> None:
        if key in copied:
            raise self._refused(written, f"it makes {key}, but {key} is already there", maker or makers.get(key))
        copied[key] = value
        _copy_marks(written_at[0], written_at[1], copied, key)
        if maker is not None:
            makers[key] = maker
        if record:
            self.written[looped] = written

    # -- loops ---------------------------------------------------------------------------------------------
    def _loop(
        self,
        key: str,
        name: str,
        value: object,
        written: Path,
        looped: Path,
        scope: _Scope,
        copied: MarkedDict,
        makers: dict[str, str],
    ) -> None:
        """Expand one loop into `copied`, the mapping that holds it."""
        at = (*written, key)
        self._check_name(name, at)
        if len(scope.loops) >= MAX_NESTING:
            raise self._refused(at, f"loops nest at most {MAX_NESTING} deep", name)
        if not isinstance(value, list) or len(value) != 3:
            raise self._refused(at, "a loop is [identifier, collection, {output key: output value}]", name)
        identifiers = self._identifiers(value[0], (*at, 0), name, scope)
        body = value[2]
        if not isinstance(body, dict) or not body:
            raise self._refused((*at, 2), "its third item must be a mapping of output keys to output values", name)
        collection = _substituted(value[1], scope.bindings)
        try:
            found = collection_items(self.data, self.parameters, collection, len(identifiers))
        except Refused as refused:
            raise self._refused((*at, 1, *refused.path), refused.message, name) from None
        unknown = isinstance(found, Undecided)
        undecided = scope.undecided
        if isinstance(found, Undecided):
            condition = self._undecided(name, collection, found.reason, looped)
            undecided = (*undecided, condition) if condition is not None else undecided
        items = self._stand_ins(at, identifiers) if isinstance(found, Undecided) else found
        for item in items:
            bindings = dict(scope.bindings)
            for position, identifier in enumerate(identifiers):
                bindings[identifier] = _Binding(item[position], item[position])
                if unknown:  # Ref: Identifier stays unknown
                    ref = {"Fn::Select": [0, collection]}
                    ref = ref if len(identifiers) == 1 else {"Fn::Select": [position, ref]}
                    bindings[identifier] = _Binding(item[position], ref, at, position)
            inner = _Scope((*scope.loops, name), undecided, bindings)
            for output_key, output in body.items():
                self._output(body, str(output_key), output, at, looped, inner, copied, makers, unknown=unknown)

    def _stand_ins(self, at: Path, identifiers: tuple[str, ...]) -> list[list[str]]:
        """The items a loop with an unknown collection is expanded with: those the rest of the template names,
        else one whose values are the identifiers themselves."""
        guesses = self.hints.get(at) or [{}]
        items = dict.fromkeys(
            tuple(guess.get(index, identifier) for index, identifier in enumerate(identifiers)) for guess in guesses
        )
        return [list(item) for item in items]

    def _output(
        self,
        body: dict,
        key: str,
        value: object,
        at: Path,
        looped: Path,
        scope: _Scope,
        copied: MarkedDict,
        makers: dict[str, str],
        *,
        unknown: bool,
    ) -> None:
        """One output key of a loop's body for one item: a nested loop, or what it makes in the mapping that holds the loop."""
        name = scope.loops[-1]
        text = _text(key, scope.bindings)
        if text.startswith(LOOP):
            self._loop(key, text, value, (*at, 2), looped, scope, copied, makers)
            return
        written = (*at, 2, key)
        if unknown and looped == ("Resources",):  # a stand-in: never a clash
            text = _fresh(text, {**copied, **dict.fromkeys(self.resource_names)})
        generated = self._node(value, written, (*looped, text), scope)
        if looped in (("Resources",), ("Outputs",), ("Conditions",)):
            if not _LOGICAL_ID.fullmatch(text):
                raise self._refused(
                    written,
                    f"it makes the name {text!r}, which is not alphanumeric (&{{...}} leaves out what a name cannot hold)",
                    name,
                )
            if looped != ("Conditions",) and not isinstance(generated, MarkedDict):
                raise self._refused(written, f"what it makes for {text} is not a mapping", name)
        if looped == ("Resources",):
            if len(copied) >= MAX_RESOURCES:  # refused before a loop bomb makes them all
                raise self._refused(
                    written, f"it makes more than {MAX_RESOURCES} resources, the most CloudFormation allows in a stack", name
                )
            if not isinstance(generated, MarkedDict) or not isinstance(generated.get("Type"), str) or not generated["Type"]:
                raise self._refused(written, f"the resource {text} it makes has no Type", name)
            self.made[text] = scope.loops
        if any(binding.loop is not None for binding in scope.bindings.values()) and looped in (("Resources",), ("Conditions",)):
            self.guesses.append((str(looped[0]), self._guess(key, scope)))
        if scope.undecided and isinstance(generated, MarkedDict) and looped in (("Resources",), ("Outputs",)):
            self._exists_if(generated, scope.undecided)
        self._put(copied, makers, text, generated, (body, key), written, (*looped, text), record=True, maker=name)

    def _check_name(self, name: str, at: Path) -> None:
        if not _LOOP_NAME.fullmatch(name):
            raise self._refused(at, "a loop's name is Fn::ForEach:: followed by letters and digits", name)
        if self.loops.setdefault(name, at) != at:
            raise self._refused(at, "another loop has the same name; a loop's name is unique in the template", name)
        logical_id = name[len(LOOP) :]
        if logical_id in self.parameter_names or logical_id in self.resource_names:
            kind = "parameter" if logical_id in self.parameter_names else "resource"
            raise self._refused(at, f"its name {logical_id} is also the name of a {kind}", name)

    def _identifiers(self, node: object, at: Path, name: str, scope: _Scope) -> tuple[str, ...]:
        names = node if isinstance(node, list) else [node]
        if not names or not all(isinstance(identifier, str) and identifier for identifier in names):
            raise self._refused(at, "its identifier must be a name (or a list of names)", name)
        for identifier in names:
            if identifier in self.parameter_names:
                raise self._refused(at, f"its identifier {identifier} is also the name of a parameter", name)
            if identifier in scope.bindings:
                raise self._refused(at, f"its identifier {identifier} is the identifier of a loop around it", name)
        return tuple(str(identifier) for identifier in names)

    # -- collections known only at deployment -------------------------------------------------------------
    def _undecided(self, name: str, collection: object, reason: str, looped: Path) -> str | None:
        """For a loop making resources or outputs, a condition under which what it makes exists: only the deployment
        decides it (the collection is not empty, and what it holds the resolver cannot know). Conditions, and
        properties of something that exists either way, are judged for the stand-in items alone."""
        if looped not in (("Resources",), ("Outputs",)):
            effect = "what it makes is judged for stand-in items (those the template refers to, else its identifiers)"
            self.notes[f"the loop {name} cannot be expanded before deployment: {reason}; {effect}"] = None
            return None
        condition = _fresh("ForEach" + name[len(LOOP) :], {**self._declared_conditions(), **self.conditions})
        made = {"Fn::Not": [{"Fn::Equals": [{"Fn::Join": [",", collection]}, ""]}]}
        self.conditions[condition] = {"Fn::And": [made, {"Fn::ForEach": name}]}
        effect = "the rules that depend on what it makes are unknown"
        self.notes[f"the loop {name} cannot be expanded before deployment: {reason}; {effect}"] = None
        return condition

    def _exists_if(self, generated: MarkedDict, undecided: tuple[str, ...]) -> None:
        own = generated.get("Condition")
        names = [*undecided, *([own] if isinstance(own, str) else [])]
        if len(names) > 1:
            combined = _fresh("ForEachAnd" + names[0], {**self._declared_conditions(), **self.conditions})
            self.conditions[combined] = {"Fn::And": [{"Condition": condition} for condition in names]}
            names = [combined]
        generated["Condition"] = names[0]

    def _declared_conditions(self) -> dict:
        declared = self.data.get("Conditions")
        return declared if isinstance(declared, dict) else {}

    def _guess(self, key: str, scope: _Scope) -> re.Pattern:
        """The names a stand-in output key stands for: each unknown item a group, which says its loop and position."""
        bindings = dict(scope.bindings)
        groups: dict[str, str] = {}
        for name, binding in scope.bindings.items():
            if binding.loop is not None:
                token = _GUESS.format(len(groups))
                groups[token] = f"g{len(self.groups)}"
                self.groups[groups[token]] = (binding.loop, binding.position)
                bindings[name] = _Binding(token, None)
        pattern = re.escape(_text(key, bindings))
        for token, group in groups.items():
            pattern = pattern.replace(token, f"(?P<{group}>[A-Za-z0-9]+)", 1).replace(token, f"(?P={group})")
        return re.compile(pattern)

    def stand_ins_named(self, data: dict) -> dict[Path, list[Guess]]:
        """The stand-in items of unknown loops that make the names the rest of the template refers to."""
        from checker.load.foreach_names import undeclared

        if not self.guesses:
            return {}
        resources, conditions = undeclared(data)
        hints: dict[Path, list[Guess]] = {}
        for section, pattern in self.guesses:
            for name in sorted(resources if section == "Resources" else conditions):
                match = pattern.fullmatch(name)
                guesses: dict[Path, Guess] = {}
                for group, value in (match.groupdict() if match else {}).items():
                    loop, position = self.groups[group]
                    guesses.setdefault(loop, {})[position] = value
                for loop, guess in guesses.items():
                    hints.setdefault(loop, []).append(guess)
        return hints

    # -- the expanded template -----------------------------------------------------------------------------
    def _check_resources(self, resources: object) -> None:
        if not isinstance(resources, dict) or not resources:
            raise self._refused(
                ("Resources",), "no resource is left once the loops are expanded; a template declares at least one"
            )
        if len(resources) > MAX_RESOURCES:
            raise self._refused(
                ("Resources",), f"the loops make {len(resources)} resources; CloudFormation allows {MAX_RESOURCES} in a stack"
            )

    def _refused(self, path: Path, reason: str, loop: str | None = None) -> LoadError:
        subject = loop or "the loops"
        return LoadError(f"CloudFormation cannot expand {subject}: {reason}", *self.source.mark_at(path))


def _copy_marks(source: dict, key: object, target: MarkedDict, new_key: str) -> None:
    if isinstance(source, MarkedDict):
        mark = source.key_marks.get(str(key))
        if mark is not None:
            target.key_marks[new_key] = mark
        value_mark = source.value_marks.get(str(key))
        if value_mark is not None:
            target.value_marks[new_key] = value_mark


def _fresh(name: str, taken: dict) -> str:
    """`name`, or `name` with the first number that makes it new."""
    fresh, number = name, 1
    while fresh in taken:
        number += 1
        fresh = f"{name}{number}"
    return fresh


@cache
def _placeholders(identifiers: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"([$&])\{(" + "|".join(map(re.escape, identifiers)) + r")\}")


def _text(text: str, bindings: dict[str, _Binding]) -> str:
    """${Identifier} as the item, &{Identifier} as the item without its non-alphanumeric characters."""
    if not bindings or "{" not in text:
        return text

    def item(match: re.Match) -> str:
        value = bindings[match.group(2)].text
        return value if match.group(1) == "$" else _NOT_ALPHANUMERIC.sub("", value)

    return _placeholders(tuple(bindings)).sub(item, text)


def _substituted(node: object, bindings: dict[str, _Binding]) -> object:
    """A plain copy of a collection with the items of the loops around it written in."""
    if isinstance(node, str):
        return _text(node, bindings)
    if isinstance(node, list):
        return [_substituted(item, bindings) for item in node]
    if isinstance(node, dict):
        if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in bindings:
            return bindings[node["Ref"]].ref
        return {
            _text(key, bindings) if isinstance(key, str) else key: _substituted(value, bindings) for key, value in node.items()
        }
    return node


def _collapse(node: MarkedDict) -> None:
    """Ref and Fn::GetAtt of an Fn::Sub that names a resource without variables (Ref: !Sub 'Queue${Name}'),
    which the transform resolves to the name itself."""
    if list(node) == ["Ref"] and _plain_sub(node["Ref"]) is not None:
        node["Ref"] = _plain_sub(node["Ref"])
    elif list(node) == ["Fn::GetAtt"] and isinstance(node["Fn::GetAtt"], list) and node["Fn::GetAtt"]:
        name = _plain_sub(node["Fn::GetAtt"][0])
        if name is not None:
            node["Fn::GetAtt"][0] = name


def _plain_sub(node: object) -> str | None:
    text = node.get("Fn::Sub") if isinstance(node, dict) and len(node) == 1 else None
    return text if isinstance(text, str) and "${" not in text else None
