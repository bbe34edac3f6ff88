"""Resolve a template to the values the stack would get.

Parameters take their Default (or an override), conditions are evaluated,
resources whose condition is false disappear, and intrinsic functions are
computed. References to resources become symbolic strings that remember which
resources they were built from (RefStr), so rules can ask "does this refer to
the status table?" after resolution. What cannot be known becomes Unknown with
a reason, never a silently convenient value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from checker.load import Template
from checker.model.values import (
    NO_VALUE,
    SUB_VARIABLE,
    Imported,
    RefStr,
    SourceIndexedList,
    Unknown,
    UnknownName,
    find_unknown,
)
from checker.tree import Path, follow
from checker.vocabulary import ACCOUNT, PSEUDO_PARAMETERS, REGION

_DEPLOYMENT_SYMBOL = re.compile(r"<AWS-(Region|AccountId|StackName|StackId)>")

# The property that names a resource, by type: Ref and ARNs are built from it.
NAME_PROPERTIES = {
    "AWS::SQS::Queue": "QueueName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::IAM::Role": "RoleName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
}

_ARN = "arn:aws:{service}:" + REGION + ":" + ACCOUNT + ":{resource}"
# Ref value and GetAtt attributes per type, as templates over the resource's name.
_REF_FORMS = {
    "AWS::SQS::Queue": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{{name}}",
    "AWS::SNS::Topic": _ARN.format(service="sns", resource="{name}"),
    "AWS::IAM::ManagedPolicy": f"arn:aws:iam::{ACCOUNT}:policy/{{name}}",
}
_ATTRIBUTE_FORMS = {
    ("AWS::SQS::Queue", "Arn"): _ARN.format(service="sqs", resource="{name}"),
    ("AWS::SQS::Queue", "QueueName"): "{name}",
    ("AWS::SQS::Queue", "QueueUrl"): _REF_FORMS["AWS::SQS::Queue"],
    ("AWS::Lambda::Function", "Arn"): _ARN.format(service="lambda", resource="function:{name}"),
    ("AWS::DynamoDB::Table", "Arn"): _ARN.format(service="dynamodb", resource="table/{name}"),
    ("AWS::DynamoDB::Table", "StreamArn"): _ARN.format(service="dynamodb", resource="table/{name}/stream/<stream>"),
    ("AWS::Logs::LogGroup", "Arn"): _ARN.format(service="logs", resource="log-group:{name}:*"),
    ("AWS::IAM::Role", "Arn"): f"arn:aws:iam::{ACCOUNT}:role/{{name}}",
    ("AWS::SNS::Topic", "TopicArn"): _ARN.format(service="sns", resource="{name}"),
    ("AWS::SNS::Topic", "TopicName"): "{name}",
    ("AWS::KMS::Key", "Arn"): _ARN.format(service="kms", resource="key/{name}"),
    ("AWS::KMS::Key", "KeyId"): "{name}",
}

# Deeper than any real template; keeps the recursion well inside Python's default limit.
MAX_NESTING = 64


@dataclass
class ResolvedResource:
    logical_id: str
    type: str
    properties: dict
    attributes: dict = field(default_factory=dict)  # DeletionPolicy, DependsOn, ... resolved

    def at(self, path: Path) -> object:
        """The resolved value at a path from the resource (("Properties", "MemorySize"), ("DeletionPolicy",));
        NO_VALUE where nothing is written."""
        return follow({"Type": self.type, "Properties": self.properties, **self.attributes}, path, NO_VALUE)


@dataclass
class ResolvedTemplate:
    template: Template
    parameters: dict[str, object]
    conditions: dict[str, object]
    resources: dict[str, ResolvedResource]
    _resolver: _Resolver
    undecided: tuple[str, ...] = ()  # resources whose Condition cannot be decided before deployment
    _by_type: dict[str, list[ResolvedResource]] | None = field(default=None, repr=False)

    def of_type(self, *types: str) -> list[ResolvedResource]:
        """Resources of the given types, in template order (rules and recognition ask this constantly)."""
        if self._by_type is None:
            self._by_type = {}
            for resource in self.resources.values():
                self._by_type.setdefault(resource.type, []).append(resource)
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        return [resource for resource in self.resources.values() if resource.type in types]

    def name_of(self, logical_id: str) -> str:
        """The physical name the resource would get (symbolic when CloudFormation generates it)."""
        return self._resolver.resource_name(logical_id)

    def ref(self, logical_id: str) -> object:
        """What `!Ref logical_id` gives: a queue's URL, a topic's ARN, most resources' name."""
        return self._resolver.ref(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> object:
        return self._resolver.get_att([logical_id, attribute])


class _Resolver:
    def __init__(self, template: Template, overrides: dict[str, str]) -> None:
        self.data = template.data
        self.raw_resources = template.resources
        self.overrides = overrides
        self.parameters = self._parameters()
        self._conditions: dict[str, object] = {}
        self._evaluating: set[str] = set()
        self._names: dict[str, RefStr] = {}
        self._depth = 0  # values, conditions and names being resolved, one inside the other

    # -- parameters and conditions --------------------------------------------
    def _parameters(self) -> dict[str, object]:
        declared = self.data.get("Parameters")
        values: dict[str, object] = {}
        if not isinstance(declared, dict):
            return values
        for name, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            kind = str(spec.get("Type", "String"))
            if name in self.overrides:
                raw = self.overrides[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                values[name] = Unknown(f"parameter {name} has no Default (pass --parameter {name}=VALUE)")
                continue
            values[name] = _typed_parameter(name, kind, raw)
        return values

    def condition(self, name: object) -> object:
        if not isinstance(name, str):
            return Unknown("a condition name must be a string")
        if name in self._conditions:
            return self._conditions[name]
        declared = self.data.get("Conditions")
        if not isinstance(declared, dict) or name not in declared:
            return Unknown(f"condition {name} is not defined")
        if name in self._evaluating:
            return Unknown(f"condition {name} refers to itself")
        self._evaluating.add(name)
        value = self._condition_value(declared[name])
        self._evaluating.discard(name)
        self._conditions[name] = value
        return value

    def _condition_value(self, expression: object) -> object:
        return self._deeper(self._condition_value_of, expression)

    def _condition_value_of(self, expression: object) -> object:
        if isinstance(expression, dict) and len(expression) == 1:
            ((function, argument),) = expression.items()
            if function == "Condition":
                return self.condition(argument)
            if function == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
                left, right = (self.value(item) for item in argument)
                if isinstance(left, Unknown) or isinstance(right, Unknown):
                    return left if isinstance(left, Unknown) else right
                if _comparable(left) == _comparable(right):
                    return True
                if _deployment_dependent(left) or _deployment_dependent(right):
                    return Unknown("the condition depends on the region, account or stack name the stack is deployed to")
                return False
            if function in ("Fn::Not", "Fn::And", "Fn::Or") and isinstance(argument, list):
                operands = [self._condition_value(item) for item in argument]
                unknown = next((item for item in operands if isinstance(item, Unknown)), None)
                if function == "Fn::Not":
                    return unknown or (len(operands) == 1 and operands[0] is False)
                if function == "Fn::And":
                    return False if False in operands else unknown or True
                return True if True in operands else unknown or False
        value = self.value(expression)
        return value if isinstance(value, (bool, Unknown)) else Unknown(f"not a condition: {expression!r}"[:120])

    # -- values -----------------------------------------------------------------
    def _deeper(self, resolve_one: Callable[[object], object], node: object) -> object:
        """Resolve one level deeper; past MAX_NESTING levels (chains, cycles, bombs) the value is Unknown."""
        if self._depth >= MAX_NESTING:
            return Unknown(f"references, conditions or functions nest more than {MAX_NESTING} levels deep")
        self._depth += 1
        try:
            return resolve_one(node)
        finally:
            self._depth -= 1

    def value(self, node: object) -> object:
        return self._deeper(self._value, node)

    def _value(self, node: object) -> object:
        if isinstance(node, dict):
            if len(node) == 1:
                ((key, argument),) = node.items()
                if key == "Ref":
                    return self.ref(argument)
                if key == "Condition" and isinstance(argument, str):
                    return self.condition(argument)
                if key.startswith("Fn::"):
                    return self.function(key, argument)
            resolved = {}
            for key, item in node.items():
                value = self.value(item)
                if value is not NO_VALUE:
                    resolved[key] = value
            return resolved
        if isinstance(node, list):
            values = [self.value(item) for item in node]
            kept = [index for index, value in enumerate(values) if value is not NO_VALUE]
            if len(kept) == len(values):
                return values
            return SourceIndexedList([values[index] for index in kept], kept)
        return node

    def ref(self, name: object) -> object:
        if not isinstance(name, str):
            return Unknown("Ref needs a name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name in self.parameters:
            return self.parameters[name]
        resource = self.raw_resources.get(name)
        if isinstance(resource, dict):
            form = _REF_FORMS.get(str(resource.get("Type")), "{name}")
            return self._attribute_string(name, form)
        return Unknown(f"Ref to {name}, which the template does not define")

    def resource_name(self, logical_id: str) -> RefStr:
        """The resource's physical name: its name property, else a stable symbol."""
        if logical_id not in self._names:
            self._names[logical_id] = RefStr(f"<{logical_id}>", (logical_id,))  # guards self-reference
            resource = self.raw_resources[logical_id]
            prop = NAME_PROPERTIES.get(resource.get("Type"))
            properties = resource.get("Properties")
            if prop and isinstance(properties, dict) and prop in properties:
                name = self._deeper(self.value, properties[prop])
                if isinstance(name, (str, int)) and not isinstance(name, bool):
                    self._names[logical_id] = RefStr(str(name), (logical_id, *getattr(name, "refs", ())))
                elif isinstance(name, Unknown):
                    self._names[logical_id] = UnknownName(logical_id, f"the {prop} of {logical_id}: {name.reason}")
        return self._names[logical_id]

    def _attribute_string(self, logical_id: str, form: str) -> RefStr:
        name = self.resource_name(logical_id)
        return RefStr(form.replace("{name}", name), (logical_id,))  # not format(): ids may hold braces

    def get_att(self, argument: object) -> object:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("Fn::GetAtt needs [resource, attribute]")
        logical_id, attribute = argument[0], self.value(argument[1])
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            return Unknown("Fn::GetAtt with a computed resource or attribute")
        resource = self.raw_resources.get(logical_id)
        if not isinstance(resource, dict):
            return Unknown(f"Fn::GetAtt of {logical_id}, which the template does not define")
        form = _ATTRIBUTE_FORMS.get((str(resource.get("Type")), attribute), f"<{logical_id}.{attribute}>")
        return self._attribute_string(logical_id, form)

    def function(self, name: str, argument: object) -> object:
        handler = _FUNCTIONS.get(name)
        if handler is None:
            return Unknown(f"{name} is computed at deployment")
        return handler(self, argument)

    def sub(self, argument: object) -> object:
        variables: dict = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            argument, variables = argument
        if not isinstance(argument, str):
            return Unknown("Fn::Sub needs a string")
        refs: set[str] = set()
        unknown: list[Unknown] = []

        def replace(match: re.Match) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                value = self.value(variables[expression])
            elif "." in expression and expression.split(".", 1)[0] in self.raw_resources:
                value = self.get_att(expression)
            else:
                value = self.ref(expression)
            text = _as_text(value)
            if isinstance(text, Unknown):
                unknown.append(text)
                return ""
            refs.update(getattr(value, "refs", ()))
            return text

        result = SUB_VARIABLE.sub(replace, argument)
        return unknown[0] if unknown else RefStr(result, refs)

    def join(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("Fn::Join needs [delimiter, list]")
        delimiter, items = self.value(argument[0]), self.value(argument[1])
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return items if isinstance(items, Unknown) else Unknown("Fn::Join of something that is not a list")
        texts = []
        for item in items:
            text = _as_text(item)
            if isinstance(text, Unknown):
                return text
            texts.append(text)
        refs = {ref for item in items for ref in getattr(item, "refs", ())}
        return RefStr(delimiter.join(texts), refs)

    def select(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("Fn::Select needs [index, list]")
        index, items = self.value(argument[0]), self.value(argument[1])
        if isinstance(items, Unknown):
            return items
        if not isinstance(items, list):
            return Unknown("Fn::Select from something that is not a list")
        try:
            position = int(index) if isinstance(index, (int, float, str)) else -1
        except (TypeError, ValueError, OverflowError):
            position = -1
        if isinstance(index, bool) or not 0 <= position < len(items):
            return Unknown(f"Fn::Select index {index!r} out of the list")
        return items[position]

    def split(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown("Fn::Split needs [delimiter, string]")
        delimiter, text = self.value(argument[0]), self.value(argument[1])
        if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
            return text if isinstance(text, Unknown) else Unknown("Fn::Split of something that is not a string")
        refs = getattr(text, "refs", ())
        return [RefStr(part, refs) for part in text.split(delimiter)]

    def find_in_map(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) in (3, 4)):
            return Unknown("Fn::FindInMap needs [map, key, key]")
        keys = [self.value(item) for item in argument[:3]]
        unknown = next((key for key in keys if isinstance(key, Unknown)), None)
        if unknown:
            return unknown
        if any(_deployment_dependent(key) for key in keys):
            return Unknown("Fn::FindInMap with a key that depends on the region, account or stack name of the deployment")
        node: object = self.data.get("Mappings")
        for key in keys:
            if not isinstance(node, dict) or str(key) not in node:
                if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
                    return self.value(argument[3]["DefaultValue"])
                return Unknown(f"Fn::FindInMap: no entry {keys!r}")
            node = node[str(key)]
        return self.value(node)

    def if_(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 3):
            return Unknown("Fn::If needs [condition, then, else]")
        chosen = self.condition(argument[0])
        if isinstance(chosen, Unknown):
            return Unknown(f"condition {argument[0]} cannot be decided: {chosen.reason}")
        return self.value(argument[1] if chosen else argument[2])


def _typed_parameter(name: str, kind: str, raw: object) -> object:
    if kind.startswith("AWS::SSM::Parameter::Value"):
        return Unknown(f"parameter {name} is read from SSM at deployment")
    if kind == "Number":
        try:
            text = str(raw)
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            return Unknown(f"parameter {name} is a Number but its value {raw!r} is not")
    if kind.startswith("List<") or kind == "CommaDelimitedList":
        if isinstance(raw, list):
            return raw
        return [part.strip() for part in str(raw).split(",")] if str(raw) else []
    return raw if isinstance(raw, str) else str(raw) if raw is not None else ""


def _deployment_dependent(value: object) -> bool:
    """Does a resolved string hold a pseudo parameter that only the deployment decides?"""
    return isinstance(value, str) and _DEPLOYMENT_SYMBOL.search(value) is not None


def _comparable(value: object) -> object:
    return str(value).lower() if isinstance(value, bool) else str(value) if isinstance(value, (int, float)) else value


def _as_text(value: object) -> str | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return Unknown(f"a list or mapping where text was expected: {value!r}"[:120])


def _to_json_string(resolver: _Resolver, argument: object) -> object:
    value = resolver.value(argument)
    if value is NO_VALUE:
        return Unknown("Fn::ToJsonString of AWS::NoValue")
    return Unknown("Fn::ToJsonString of an unknown value") if find_unknown(value) else json.dumps(value)


_FUNCTIONS = {
    "Fn::GetAtt": _Resolver.get_att,
    "Fn::Sub": _Resolver.sub,
    "Fn::Join": _Resolver.join,
    "Fn::Select": _Resolver.select,
    "Fn::Split": _Resolver.split,
    "Fn::FindInMap": _Resolver.find_in_map,
    "Fn::If": _Resolver.if_,
    "Fn::Base64": lambda resolver, argument: resolver.value(argument),
    "Fn::GetAZs": lambda resolver, argument: ["<AZ-1>", "<AZ-2>", "<AZ-3>"],
    "Fn::Length": lambda resolver, argument: (
        len(value) if isinstance(value := resolver.value(argument), list) else Unknown("Fn::Length of a non-list")
    ),
    "Fn::ToJsonString": _to_json_string,
    "Fn::ImportValue": lambda resolver, argument: Imported("Fn::ImportValue is computed at deployment"),
}

_RESOURCE_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy", "DependsOn", "Condition", "Metadata")


def resolve(template: Template, overrides: dict[str, str] | None = None, *, with_undecided: bool = True) -> ResolvedTemplate:
    """Resolve every resource whose condition holds; those whose condition cannot be decided
    are listed in `undecided`, and kept or left out as `with_undecided` says."""
    resolver = _Resolver(template, overrides or {})
    resources: dict[str, ResolvedResource] = {}
    undecided: list[str] = []
    for logical_id, raw in template.resources.items():
        condition = raw.get("Condition")
        holds = True if condition is None else resolver.condition(condition)
        if isinstance(holds, Unknown):
            undecided.append(logical_id)
        if holds is False or (isinstance(holds, Unknown) and not with_undecided):
            continue
        properties = resolver.value(raw.get("Properties", {}))
        attributes = {name: resolver.value(raw[name]) for name in _RESOURCE_ATTRIBUTES if name in raw}
        resources[logical_id] = ResolvedResource(
            logical_id=logical_id,
            type=raw["Type"],
            properties=properties if isinstance(properties, dict) else {},
            attributes=attributes,
        )
    declared = template.data.get("Conditions")
    conditions = {name: resolver.condition(name) for name in declared} if isinstance(declared, dict) else {}
    return ResolvedTemplate(template, resolver.parameters, conditions, resources, resolver, tuple(undecided))
