"""Inputs that are not templates, some built to hurt, with the exact TPL001 verdict each must get.

Shared by tests/test_hostile_inputs.py (the verdicts) and benchmarks/bench.py (time and memory per
input): one list, so the benchmark measures exactly the cases the tests pin.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MARKER = "created-by-a-yaml-tag"  # the Python payload below would create this file if anything were executed


@dataclass(frozen=True)
class HostileInput:
    name: str  # the file name, relative to the directory it is written to
    content: Callable[[Path], bytes]  # the bytes, given that directory
    message: str  # the TPL001 finding's message, as reported
    line: int
    column: int

    def write(self, directory: Path) -> Path:
        path = directory / self.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.content(directory))
        return path


def _fixed(raw: bytes) -> Callable[[Path], bytes]:
    return lambda _directory: raw


def _python_payload(directory: Path) -> bytes:
    command = f"{sys.executable} -c \"open({str(directory / MARKER)!r}, 'w')\""
    return f"Resources: !!python/object/apply:os.system [{json.dumps(command)}]\n".encode()


def _alias_bomb() -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return ("\n".join(lines) + "\nResources: *a9\n").encode()  # 9**10 = 3.5 billion strings if expanded


TOO_DEEP = "The document nests deeper than 200 levels; refusing to load it."
NOT_A_MAPPING = "a CloudFormation template is a mapping with a Resources section."

HOSTILE_INPUTS = [
    HostileInput("empty.yaml", _fixed(b""), "The file is empty.", 1, 1),
    HostileInput("whitespace.yaml", _fixed(b"  \n\t\n   \n"), "The file holds only whitespace.", 1, 1),
    HostileInput(
        "prose.yaml",
        _fixed(b"This stack creates a queue and a function.\nIt is great.\n"),
        "The file holds prose or a single value, not a CloudFormation template.",
        1,
        1,
    ),
    HostileInput(
        "placeholder.yaml",
        _fixed(b"Insert here the Model Response that failed\n"),
        "The file is a placeholder, not a template: 'Insert here the Model Response that failed'.",
        1,
        1,
    ),
    HostileInput(
        "yaml-syntax-error.yaml",
        _fixed(b"Resources:\n  Queue: Type: AWS::SQS::Queue\n"),
        "YAML syntax error: mapping values are not allowed in this context.",
        2,
        14,
    ),
    HostileInput(
        "yaml-unclosed-flow.yaml",
        _fixed(b"Resources: {Queue: {Type: AWS::SQS::Queue}\n"),
        "YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 1, column 12).",
        2,
        1,
    ),
    HostileInput(
        "truncated.yaml",  # no final line break: the error is placed at the end of the last line, not after it
        _fixed(b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {Tags: [1,"),
        "YAML syntax error: did not find expected node content (while parsing a flow node at line 4, column 27).",
        4,
        27,
    ),
    HostileInput(
        "tab-indentation.yaml",
        _fixed(b"Resources:\n\tQueue:\n\t\tType: AWS::SQS::Queue\n"),
        "YAML syntax error: found character that cannot start any token (while scanning for the next token at line 2, "
        "column 1); YAML indents with spaces, never tabs.",
        2,
        1,
    ),
    HostileInput(
        "control-character.yaml",
        _fixed("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: \u00e9t\u00e9\x1b[31m}\n".encode()),
        "YAML error: unacceptable character U+001B: control characters are not allowed.",
        4,
        32,  # in characters: libyaml counts the two é in bytes
    ),
    HostileInput(
        "huge-number.yaml",
        lambda _: b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {DelaySeconds: " + b"9" * 5000 + b"}\n",
        "A number 5,000 digits long; refusing to read it.",
        4,
        32,
    ),
    HostileInput(
        "huge-number.json",
        lambda _: b'{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": ' + b"9" * 5000 + b"}}}}",
        "A number 5,000 digits long; refusing to read it.",
        1,
        80,
    ),
    HostileInput(
        "json-syntax-error.json",
        _fixed(b'{\n  "Resources": {\n    "Queue": {"Type": "AWS::SQS::Queue",}\n  }\n}\n'),
        "JSON syntax error: Expecting property name enclosed in double quotes.",
        3,
        41,
    ),
    HostileInput(
        "duplicate-keys.yaml",
        _fixed(b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Queue:\n    Type: AWS::SNS::Topic\n"),
        "Duplicate key 'Queue' (first at line 2); CloudFormation rejects duplicate keys.",
        4,
        3,
    ),
    HostileInput(
        "duplicate-keys.json",
        _fixed(b'{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Type": "AWS::SNS::Topic"}}}'),
        "Duplicate key 'Type' (first at line 1); CloudFormation rejects duplicate keys.",
        1,
        49,
    ),
    HostileInput(
        "k8s/deployment.yaml",
        _fixed(b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n"),
        "This looks like a Kubernetes manifest, not a CloudFormation template: it has no Resources section.",
        1,
        1,
    ),
    HostileInput(
        ".github/workflows/ci.yml",
        _fixed(b"name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"),
        "This looks like a GitHub Actions workflow, not a CloudFormation template: it has no Resources section.",
        1,
        1,
    ),
    HostileInput(
        "serverless.yml",
        _fixed(b"service: orders\nprovider:\n  name: aws\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n"),
        "This looks like a Serverless Framework file (serverless.yml), not a CloudFormation template: "
        "it has no Resources section.",
        1,
        1,
    ),
    HostileInput(
        "openapi.yaml",
        _fixed(b"openapi: 3.0.0\ninfo:\n  title: Orders\npaths: {}\n"),
        "This looks like an OpenAPI document, not a CloudFormation template: it has no Resources section.",
        1,
        1,
    ),
    HostileInput("top-level-list.yaml", _fixed(b"- Resources\n- Type\n"), f"The document is a list; {NOT_A_MAPPING}", 1, 1),
    HostileInput("top-level-scalar.yaml", _fixed(b"42\n"), f"The document is a single value; {NOT_A_MAPPING}", 1, 1),
    HostileInput(
        "resources-empty.yaml",
        _fixed(b"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"),
        "Resources is empty; a template declares at least one resource.",
        2,
        1,
    ),
    HostileInput(
        "resources-null.yaml",
        _fixed(b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"),
        "Resources has no value; a template declares at least one resource.",
        2,
        1,
    ),
    HostileInput(
        "resource-without-type.yaml",
        _fixed(b"Resources:\n  Queue:\n    Properties:\n      QueueName: orders\n"),
        "Resource 'Queue' has no Type.",
        2,
        3,
    ),
    HostileInput(
        "image.png",
        _fixed(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40),
        "Binary content: NUL byte at offset 8.",
        3,
        1,
    ),
    HostileInput(
        "nul-bytes.yaml",
        _fixed(b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: orders\x00\n"),
        "Binary content: NUL byte at offset 85.",
        5,
        24,
    ),
    HostileInput(
        "invalid-utf8.yaml",
        _fixed("Resources:\n  Café: x\n".encode("latin-1")),
        "Not valid UTF-8 (byte 0xe9 at offset 16).",
        2,
        6,
    ),
    HostileInput(
        "utf16.json",
        _fixed('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'.encode("utf-16")),
        "The file is UTF-16 text; CloudFormation templates are read as UTF-8: save it as UTF-8.",
        1,
        1,
    ),
    HostileInput(
        "alias-bomb.yaml",
        _fixed(_alias_bomb()),
        "YAML aliases expand to more than 2,000,000 values (an alias bomb?); refusing to expand them.",
        7,
        20,
    ),
    # The large ones are built when written, not when this module is imported.
    HostileInput("deep-100000.json", lambda _: b"[" * 100_000 + b"]" * 100_000, TOO_DEEP, 1, 1),
    HostileInput("deep-100000-flow.yaml", lambda _: b"Resources: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", TOO_DEEP, 1, 1011),
    HostileInput("deep-100000-block.yaml", lambda _: b"Resources:\n" + b"- " * 100_000 + b"x\n", TOO_DEEP, 2, 399),
    HostileInput(
        "huge-50mb.yaml",
        lambda _: b"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n" + b"# padding\n" * (5 * 1024 * 1024),
        "The file is larger than 5 MiB; such templates are refused (CloudFormation itself accepts at most 1 MB).",
        1,
        1,
    ),
    HostileInput(
        "answer-without-template.md",
        _fixed(b"To deploy:\n\n```bash\naws cloudformation deploy --template-file t.yaml\n```\n"),
        "The Markdown has no CloudFormation template in its code blocks (found: bash at line 3).",
        3,
        1,
    ),
    HostileInput(
        "answer-with-10001-blocks.md",
        lambda _: b"```bash\nls\n```\n" * 10_001,
        "The Markdown has more than 10,000 code blocks; refusing to read it.",
        30_001,
        1,
    ),
    HostileInput(
        "python-tag.yaml",
        _python_payload,
        "YAML tag '!!python/object/apply:os.system' asks for a Python object; "
        "CloudFormation templates never contain such tags and nothing was constructed.",
        1,
        12,
    ),
]
