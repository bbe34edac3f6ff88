"""Where each resource of a SAM template's expanded stack, and each path inside it, was written.

SAM itself links most of what it generates to the resource that asked for it: `sam.py` marks every
Serverless resource's Metadata, and the translator (with passthrough_metadata) copies that Metadata onto
each resource it generates for it. This module turns those links into origins, names the few
resources SAM does not link, and maps paths of the expanded stack back to the SAM source: the
Serverless resource, its Events entry, its Policies entry, or Globals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.load.template import Template
from checker.tree import Path, follow

SERVERLESS_PREFIX = "AWS::Serverless::"
# SAM's own APIs, by their fixed logical ids, for events that name no API: the event type and the property that names one.
_IMPLICIT_APIS = {"ServerlessRestApi": ("Api", "RestApiId"), "ServerlessHttpApi": ("HttpApi", "ApiId")}
# Generated property -> the SAM property it comes from, per Serverless type.
_RENAMED = {
    "AWS::Serverless::Function": {
        "Code": "InlineCode",
        "DeadLetterConfig": "DeadLetterQueue",
        "TracingConfig": "Tracing",
    },
    "AWS::Serverless::SimpleTable": {
        "KeySchema": "PrimaryKey",
        "AttributeDefinitions": "PrimaryKey",
        "BillingMode": "ProvisionedThroughput",
    },
}
_EVENT_SOURCE_PROPERTY = {"SQS": "Queue", "Kinesis": "Stream", "DynamoDB": "Stream", "MQ": "Broker", "DocumentDB": "Cluster"}
# Serverless types whose Policies SAM turns into the execution role it generates.
_ROLE_FROM_POLICIES = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
_POLICY_NAME = re.compile(r"Policy([0-9]+)$")


@dataclass(frozen=True)
class Origin:
    """The source resource a generated resource comes from, and the Events entry if one made it."""

    logical_id: str
    type: str
    event: str | None = None


def origins(source: Template, expanded: dict, links: dict[str, str]) -> dict[str, Origin]:
    """Which written resource, and which of its Events entries, each resource of the expanded stack comes from.

    `links` is SAM's own answer (generated id -> the written resource whose marked Metadata it carries); it
    leaves open only which Events entry made a resource, which SAM shows in the name alone. Resources SAM
    generates without a link are named by `named_origin`."""
    written = source.resources
    found = {}
    for logical_id in expanded:
        parent = links.get(logical_id)
        if parent is not None:
            event = _event(written[parent], logical_id[len(parent) :]) if logical_id.startswith(parent) else None
            found[logical_id] = Origin(parent, str(written[parent].get("Type")), event)
        elif logical_id in written:
            found[logical_id] = Origin(logical_id, str(written[logical_id].get("Type")))
        elif (named := named_origin(source, logical_id)) is not None:
            found[logical_id] = named
    return found


def named_origin(source: Template, generated_id: str) -> Origin | None:
    """The origin of a resource SAM names but does not link to what asked for it; also where SAM's refusals,
    which name a resource it meant to generate (FnOrders for the Orders event of Fn), were written.

    SAM gives no link for its own APIs (ServerlessRestApi, ServerlessHttpApi, with their deployments and
    stages), which the first function's events of that type that name no API made it create; nor for the
    CodeDeploy resources of DeploymentPreference (FnDeploymentGroup) and the connectors of a resource's
    Connectors attribute, which it names after that resource: the written Serverless resource whose name
    and one of whose Events entries spell the generated name, else the longest written name that begins it."""
    written = source.resources
    for api, (event_type, api_property) in _IMPLICIT_APIS.items():
        if generated_id.startswith(api):
            return _first_event_without_api(written, event_type, api_property)
    serverless = sorted(
        (logical_id for logical_id, resource in written.items() if str(resource.get("Type", "")).startswith(SERVERLESS_PREFIX)),
        key=len,
        reverse=True,
    )
    prefixes = [name for name in serverless if generated_id.startswith(name)]
    for name in prefixes:
        event = _event(written[name], generated_id[len(name) :])
        if event is not None:
            return Origin(name, str(written[name]["Type"]), event)
    return Origin(prefixes[0], str(written[prefixes[0]]["Type"])) if prefixes else None


def _event(resource: object, rest: str) -> str | None:
    """The Events entry whose name begins `rest`, what SAM appends to a resource's name for what it generates
    for that entry (FnOrders, FnOrdersQueue); the longest, so that Orders and OrdersDlq are told apart."""
    events = follow(resource, ("Properties", "Events"))
    names = (
        [name for name in events if isinstance(name, str) and name and rest.startswith(name)] if isinstance(events, dict) else []
    )
    return max(names, key=len, default=None)


def _first_event_without_api(written: dict, event_type: str, api_property: str) -> Origin | None:
    for logical_id, resource in written.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        events = follow(resource, ("Properties", "Events"))
        for event, spec in events.items() if isinstance(events, dict) else ():
            if follow(spec, ("Type",)) == event_type and follow(spec, ("Properties", api_property)) is None:
                return Origin(logical_id, "AWS::Serverless::Function", event)
    return None


class SourceMapper:
    """Maps a path inside one expanded resource to the path the user wrote."""

    def __init__(self, source: Template, generated: dict, origin: Origin, generated_id: str) -> None:
        self.source = source
        self.origin = origin
        self.generated = generated
        self.is_main = generated_id == origin.logical_id  # the resource that keeps the written name
        self.written: dict = source.resources[origin.logical_id]
        self.base: Path = ("Resources", origin.logical_id)
        self.properties = self.written.get("Properties") if isinstance(self.written.get("Properties"), dict) else {}

    def map(self, rest: Path) -> Path:
        if not rest or rest[0] != "Properties":  # attributes: the main resource's are the written resource's
            return (*self.base, *rest) if rest and (self.is_main or rest[0] in self.written) else self.base
        generated_type = self.generated.get("Type")
        if self.origin.event is not None and generated_type == "AWS::Lambda::EventSourceMapping":
            return self._event_source(self.origin.event, rest[1:])
        if self.origin.event is not None:
            return (*self.base, "Properties", "Events", self.origin.event)
        if generated_type == "AWS::IAM::Role" and self.origin.type in _ROLE_FROM_POLICIES:
            return self._role(rest[1:])
        return self._property(rest[1:])

    def _property(self, rest: Path) -> Path:
        """A property of the main generated resource: written on the resource, else in Globals."""
        if not rest:
            return (*self.base, "Properties")
        name, tail = rest[0], rest[1:]
        renamed = _RENAMED.get(self.origin.type, {}).get(str(name), name)
        if renamed != name:  # the shapes differ below a renamed property
            tail = ()
            if renamed == "InlineCode" and "InlineCode" not in self.properties and "CodeUri" in self.properties:
                renamed = "CodeUri"
        on_resource = (*self.base, "Properties", renamed, *tail)
        in_globals = ("Globals", self.origin.type.removeprefix(SERVERLESS_PREFIX), renamed, *tail)
        source = self.source.data
        if follow(source, on_resource) is not None:
            return on_resource
        if follow(source, in_globals) is not None or (
            renamed not in self.properties and follow(source, in_globals[:3]) is not None
        ):
            return in_globals
        return on_resource

    def _event_source(self, name: str, rest: Path) -> Path:
        event = (*self.base, "Properties", "Events", name)
        if not rest:
            return event
        if rest[0] == "FunctionName":
            return self.base
        if rest[0] == "EventSourceArn":
            event_type = follow(self.source.data, (*event, "Type"))
            return (*event, "Properties", _EVENT_SOURCE_PROPERTY.get(str(event_type), "Queue"))
        return (*event, "Properties", *rest)

    def _role(self, rest: Path) -> Path:
        """The generated execution role: inline documents and policy templates are entries of Policies,
        managed policies are named there or added by SAM for the function's events."""
        policies = (*self.base, "Properties", "Policies")
        written = self.properties.get("Policies")
        entries = written if isinstance(written, list) else [written] if written is not None else []
        if rest[:1] == ("Policies",) and len(rest) >= 2:
            generated = _policy_name(follow(self.generated, ("Properties", "Policies", rest[1])))
            number = _POLICY_NAME.search(generated) if generated else None
            if number is None or int(number.group(1)) >= len(entries):
                return policies if written is not None else self.base
            index = int(number.group(1))
            entry = (*policies, index) if isinstance(written, list) else policies
            document_path = rest[3:] if rest[2:3] == ("PolicyDocument",) else ()
            is_document = isinstance(entries[index], dict) and "Statement" in entries[index]
            return (*entry, *document_path) if is_document else entry
        if rest[:1] == ("ManagedPolicyArns",) and len(rest) >= 2:
            arn = follow(self.generated, ("Properties", "ManagedPolicyArns", rest[1]))
            for index, entry in enumerate(entries):
                if _same_managed_policy(entry, arn):
                    return (*policies, index) if isinstance(written, list) else policies
            return self._added_by_sam(str(arn).rsplit("/", 1)[-1] if isinstance(arn, str) else None)
        if rest[:1] in (("AssumeRolePolicyDocument",), ("PermissionsBoundary",)) and rest[0] in self.properties:
            return (*self.base, "Properties", *rest)
        return policies if written is not None else self.base

    def _added_by_sam(self, name: str | None) -> Path:
        """A managed policy SAM attaches by itself: for an event source, at that event; else the function."""
        events = self.properties.get("Events")
        for event, spec in events.items() if isinstance(events, dict) else ():
            event_type = spec.get("Type") if isinstance(spec, dict) else None
            if event_type and name and event_type.lower() in name.lower():
                return (*self.base, "Properties", "Events", event)
        return self.base


def _policy_name(generated: object) -> str | None:
    """The PolicyName SAM gave an inline policy; under Fn::If (a conditional entry of Policies) both branches carry it."""
    if isinstance(generated, dict) and isinstance(generated.get("Fn::If"), list):
        return next(filter(None, (_policy_name(branch) for branch in generated["Fn::If"][1:])), None)
    name = generated.get("PolicyName") if isinstance(generated, dict) else None
    return name if isinstance(name, str) else None


def _same_managed_policy(written: object, generated: object) -> bool:
    """Is a generated ManagedPolicyArns entry what this Policies entry asked for?

    SAM turns a managed policy's name into its ARN and keeps any other form as written
    (!Sub, !Ref, Fn::If, whose branches it converts in the same way)."""
    if isinstance(written, str) and isinstance(generated, str):
        return written == generated or written.rsplit("/", 1)[-1] == generated.rsplit("/", 1)[-1]
    mine, theirs = (
        entry.get("Fn::If") if isinstance(entry, dict) and len(entry) == 1 else None for entry in (written, generated)
    )
    if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs) == 3:
        return mine[0] == theirs[0] and all(map(_same_managed_policy, mine[1:], theirs[1:]))
    return written == generated
