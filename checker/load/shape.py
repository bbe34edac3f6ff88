"""Is the parsed document a CloudFormation template? A mapping whose Resources declare at least one typed resource.

When it is not, the refusal says what the document looks like instead (prose, a placeholder,
a Kubernetes manifest...) and whether it is plainly not CloudFormation at all.
"""

from __future__ import annotations

import re

from checker.load.template import ORIGIN, LoadError, Mark, MarkedDict, Template

PLACEHOLDER = re.compile(r"\b(insert here|placeholder|lorem ipsum)\b", re.IGNORECASE)


def as_template(data: object, path: str, text: str = "", start: Mark = ORIGIN) -> Template:
    """Accept `data` (as parse_document built it) only if it has the shape of a CloudFormation template;
    `start` is where it begins in its file."""
    if isinstance(data, str):
        if PLACEHOLDER.search(data):
            raise LoadError(f"the file is a placeholder, not a template: {data.strip()[:80]!r}", *start, not_cloudformation=True)
        raise LoadError("the file holds prose or a single value, not a CloudFormation template", *start, not_cloudformation=True)
    if data is None:
        raise LoadError("the file holds only comments or an empty document", *start, not_cloudformation=True)
    if not isinstance(data, MarkedDict):
        raise LoadError(
            f"the document is {_kind(data)}; a CloudFormation template is a mapping with a Resources section",
            *start,
            not_cloudformation=True,
        )
    if "Resources" not in data:
        raise LoadError(
            f"{_what_it_looks_like(data)}: it has no Resources section",
            *start,
            not_cloudformation="AWSTemplateFormatVersion" not in data and "Transform" not in data,
        )
    resources = data["Resources"]
    mark = data.key_marks["Resources"]
    if resources is None:
        raise LoadError("Resources has no value; a template declares at least one resource", *mark)
    if not isinstance(resources, dict):
        raise LoadError(f"Resources is {_kind(resources)}, not a mapping of logical ids to resources", *mark)
    if not resources:
        raise LoadError("Resources is empty; a template declares at least one resource", *mark)
    for logical_id, resource in resources.items():
        if logical_id.startswith("Fn::ForEach::"):
            continue  # expanded by the AWS::LanguageExtensions transform at deployment
        where = resources.key_marks.get(logical_id, mark) if isinstance(resources, MarkedDict) else mark
        if not isinstance(resource, dict):
            raise LoadError(f"resource '{logical_id}' is not a mapping", *where)
        if not isinstance(resource.get("Type"), str) or not resource["Type"]:
            raise LoadError(f"resource '{logical_id}' has no Type", *where)
    return Template(path=path, data=data, text=text, start=start)


def _kind(value: object) -> str:
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "a single value"


def _what_it_looks_like(data: dict) -> str:
    if "apiVersion" in data and "kind" in data:
        return "this looks like a Kubernetes manifest, not a CloudFormation template"
    if "jobs" in data and ("on" in data or "true" in data or True in data):
        return "this looks like a GitHub Actions workflow, not a CloudFormation template"
    if "service" in data and "provider" in data:
        return "this looks like a Serverless Framework file (serverless.yml), not a CloudFormation template"
    if "openapi" in data or "swagger" in data:
        return "this looks like an OpenAPI document, not a CloudFormation template"
    return "this is not a CloudFormation template"
