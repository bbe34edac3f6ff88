"""SAM templates: judged on the stack SAM deploys, reported where the user wrote it.

Per-rule SAM cases live with the other fixtures (tests/fixtures/rules/*/*/sam-*.yaml);
this file covers what is SAM's own: the expansion, the way back to the source, and
what must never happen (network, imports for plain templates, generated names as places).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.evaluation.judge import check_template
from checker.evaluation.options import CheckOptions
from checker.load import LoadError, load_file, load_text
from checker.load.sam import ORIGIN_MARKER, expand
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, FIXTURES, REFERENCE, ROOT
from tests.strategies import paths_in, replace_at, template_values

SAM_REFERENCE = FIXTURES / "sam" / "compliant.yaml"
OPTIONS = CheckOptions(cfn_lint=False, today=CHECK_DATE, compare_reference=False)


def _write(tmp_path, text: str, name: str = "template.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_reference_written_in_sam_is_compliant_with_cfn_lint_too() -> None:
    report = check_file(str(SAM_REFERENCE), CheckOptions(today=CHECK_DATE))
    plain = check_file(str(REFERENCE), CheckOptions(today=CHECK_DATE))
    assert (report.status, report.findings) == ("compliant", ())
    assert [(result.rule_id, result.status) for result in report.results] == [
        (result.rule_id, result.status) for result in plain.results
    ]


def test_the_sam_reference_matches_the_reference_component_by_component() -> None:
    report = check_file(str(SAM_REFERENCE), CheckOptions(cfn_lint=False, today=CHECK_DATE))
    differing = [(item.component, item.status, item.differences) for item in report.reference if item.differences]
    assert differing == []
    candidates = {item.component: item.candidate_resource for item in report.reference}
    assert candidates["processor"] == "OrderProcessor"
    assert candidates["event_source_mapping"] == "OrderProcessorOrders"
    assert candidates["role"] == "OrderProcessorRole"


SAM_ROLE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 20
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Policies:
        - AWSLambdaExecute
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt Queue.Arn
        - SQSPollerPolicy:
            QueueName: !GetAtt Queue.QueueName
      Events:
        FromQueue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5
"""


@pytest.mark.parametrize(
    ("generated", "written"),
    [
        (("Resources", "Fn", "Properties", "Timeout"), ("Globals", "Function", "Timeout")),
        (("Resources", "Fn", "Properties", "Runtime"), ("Resources", "Fn", "Properties", "Runtime")),
        (("Resources", "Fn", "Properties", "MemorySize"), ("Resources", "Fn", "Properties", "MemorySize")),
        (("Resources", "Fn", "Properties", "Code", "S3Bucket"), ("Resources", "Fn", "Properties", "CodeUri")),
        (("Resources", "FnRole", "Properties", "ManagedPolicyArns", 1), ("Resources", "Fn", "Properties", "Policies", 0)),
        (("Resources", "FnRole", "Properties", "ManagedPolicyArns", 0), ("Resources", "Fn")),
        (
            ("Resources", "FnRole", "Properties", "ManagedPolicyArns", 2),
            ("Resources", "Fn", "Properties", "Events", "FromQueue"),
        ),
        (
            ("Resources", "FnRole", "Properties", "Policies", 0, "PolicyDocument", "Statement", 0, "Action"),
            ("Resources", "Fn", "Properties", "Policies", 1, "Statement", 0, "Action"),
        ),
        (
            ("Resources", "FnRole", "Properties", "Policies", 1, "PolicyDocument", "Statement", 0),
            ("Resources", "Fn", "Properties", "Policies", 2),
        ),
        (("Resources", "FnRole", "Properties", "AssumeRolePolicyDocument"), ("Resources", "Fn", "Properties", "Policies")),
        (
            ("Resources", "FnFromQueue", "Properties", "EventSourceArn"),
            ("Resources", "Fn", "Properties", "Events", "FromQueue", "Properties", "Queue"),
        ),
        (
            ("Resources", "FnFromQueue", "Properties", "BatchSize"),
            ("Resources", "Fn", "Properties", "Events", "FromQueue", "Properties", "BatchSize"),
        ),
        (("Resources", "FnFromQueue", "Properties", "FunctionName"), ("Resources", "Fn")),
        (("Resources", "Queue", "Properties", "VisibilityTimeout"), ("Resources", "Queue", "Properties", "VisibilityTimeout")),
    ],
)
def test_generated_paths_lead_back_to_what_the_user_wrote(tmp_path, generated, written) -> None:
    expanded = expand(load_file(_write(tmp_path, SAM_ROLE)), {})
    assert expanded.data["Resources"]["FnRole"]["Properties"]["ManagedPolicyArns"] == [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSLambdaExecute",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    ]
    assert expanded.origin(generated) == written


def test_generated_names_in_messages_say_what_generated_them(tmp_path) -> None:
    expanded = expand(load_file(_write(tmp_path, SAM_ROLE)), {})
    assert expanded.explained("FnRole lacks X; FnFromQueue is off; Fn is fine.") == (
        "FnRole (generated by SAM for Fn) lacks X; FnFromQueue (generated by SAM for the FromQueue event of Fn) is off;"
        " Fn is fine."
    )


MISLEADING_NAMES = {
    # FnOrders begins the name of the mapping SAM generates for the OrdersIn event of Fn: FnOrdersIn.
    "event-source-mapping": """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Events:
        OrdersIn:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
  FnOrders:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, CodeUri: src/}
""",
    # FnRo begins the name of the execution role SAM generates for Fn: FnRole.
    "execution-role": """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:*
              Resource: "*"
  FnRo:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, CodeUri: src/}
""",
}


@pytest.mark.parametrize(
    ("case", "rule", "expected"),
    [
        (
            "event-source-mapping",
            "REL001",
            [("REL001", "Fn", "Resources/Fn/Properties/Events/OrdersIn/Properties/FunctionResponseTypes", 14, 11)],
        ),
        ("execution-role", "SEC001", [("SEC001", "Fn", "Resources/Fn/Properties/Policies/0/Statement/0/Action", 12, 15)]),
    ],
)
def test_what_sam_generates_is_traced_by_its_own_link_where_names_mislead(tmp_path, case, rule, expected) -> None:
    """Another written name begins the generated one; SAM's link (the Metadata it passes on) says whose it is."""
    path = _write(tmp_path, MISLEADING_NAMES[case])
    report = check_file(str(path), CheckOptions(cfn_lint=False, only_rules=frozenset({rule}), today=CHECK_DATE))
    assert [(f.rule_id, f.resource, f.path, f.line, f.column) for f in report.findings] == expected
    assert [f.message.split(" (")[1].split(")")[0] for f in report.findings] == [
        "generated by SAM for the OrdersIn event of Fn" if case == "event-source-mapping" else "generated by SAM for Fn"
    ]


def test_sams_own_api_is_explained_by_the_events_that_made_it_not_by_a_name_that_begins_it(tmp_path) -> None:
    """SAM gives its implicit API no link: the first Api event that names no API made it, not the function `Serverless`."""
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Events:
        Put: {Type: Api, Properties: {Path: /orders, Method: put}}
  Serverless:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Events:
        Get: {Type: Api, Properties: {Path: /orders, Method: get}}
"""
    expanded = expand(load_file(_write(tmp_path, text)), {})
    assert expanded.explained("ServerlessRestApi has no logs.") == (
        "ServerlessRestApi (generated by SAM for the Put event of Other) has no logs."
    )
    assert expanded.origin(("Resources", "ServerlessRestApiProdStage", "Properties", "StageName")) == (
        "Resources",
        "Other",
        "Properties",
        "Events",
        "Put",
    )


def test_the_origin_marker_never_reaches_the_expanded_stack_and_the_users_metadata_does(tmp_path) -> None:
    """SAM passes a resource's Metadata on to all it generates for it (as cfn-lint sees the stack too): the user's
    keys, never the marker that told where each generated resource came from."""
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Metadata: {Owner: orders}
  Fn:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties: {Minify: true, EntryPoints: [index.ts]}
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Events:
        Orders: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
  Empty:
    Type: AWS::Serverless::Function
    Metadata: {}
    Properties: {Runtime: nodejs22.x, Handler: index.handler, CodeUri: src/}
  Table:
    Type: AWS::Serverless::SimpleTable
"""
    expanded = expand(load_file(_write(tmp_path, text)), {})
    resources = expanded.data["Resources"]
    assert ORIGIN_MARKER not in json.dumps(expanded.data)
    written = {"BuildMethod": "esbuild", "BuildProperties": {"Minify": True, "EntryPoints": ["index.ts"]}}
    assert {name: resources[name].get("Metadata") for name in resources} == {
        "Queue": {"Owner": "orders"},
        "Fn": written,
        "FnRole": written,
        "FnOrders": written,
        "Empty": {},
        "EmptyRole": None,
        "Table": None,
    }
    assert {name: (origin.logical_id, origin.event) for name, origin in expanded.origins.items()} == {
        "Queue": ("Queue", None),
        "Fn": ("Fn", None),
        "FnRole": ("Fn", None),
        "FnOrders": ("Fn", "Orders"),
        "Empty": ("Empty", None),
        "EmptyRole": ("Empty", None),
        "Table": ("Table", None),
    }


def test_json_sam_findings_carry_json_lines(tmp_path) -> None:
    document = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"MemorySize": 1024}},
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Runtime": "nodejs22.x", "Handler": "index.handler", "CodeUri": "s3://bucket/key.zip"},
            }
        },
    }
    path = _write(tmp_path, json.dumps(document, indent=2), "template.json")
    report = check_file(str(path), CheckOptions(cfn_lint=False, only_rules=frozenset({"COST002"}), today=CHECK_DATE))
    assert [(f.resource, f.path, f.line, f.column) for f in report.findings] == [("Fn", "Globals/Function/MemorySize", 5, 7)]


@pytest.mark.parametrize(
    "properties",
    [
        "CodeUri: ./src\n      Handler: index.handler\n      Runtime: nodejs22.x",
        "Handler: index.handler\n      Runtime: nodejs22.x",  # `sam build` packages the template's directory
        "PackageType: Image",  # `sam build` builds the image from Metadata
        "CodeUri: {Bucket: !Ref Bucket, Key: code.zip}\n      Handler: index.handler\n      Runtime: nodejs22.x",
        "CodeUri: .\n      Handler: index.handler\n      Runtime: nodejs22.x\n      AutoPublishAlias: !Ref Stage",
    ],
    ids=["local-code-uri", "no-code-uri", "image-without-uri", "s3-code-uri-with-ref", "alias-from-undefaulted-parameter"],
)
def test_what_sam_packaging_fills_in_is_not_held_against_the_template(tmp_path, properties) -> None:
    text = f"""\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Bucket: {{Type: String}}
  Stage: {{Type: String, AllowedValues: [beta, prod]}}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      {properties}
    Metadata:
      DockerContext: .
"""
    report = check_file(str(_write(tmp_path, text)), OPTIONS)
    assert report.status == "non_compliant"  # judged (the architecture is missing), not refused
    assert "TPL001" not in {finding.rule_id for finding in report.findings}


def test_an_alias_from_a_parameter_takes_its_override(tmp_path) -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ., Handler: index.handler, Runtime: nodejs22.x, AutoPublishAlias: !Ref Stage}
"""
    template = load_file(_write(tmp_path, text))
    assert "FnAliasprod" in expand(template, {"Stage": "prod"}).data["Resources"]
    assert "FnAliasStage" in expand(template, {}).data["Resources"]  # no value: the parameter's name stands in


def test_sam_refusal_is_an_invalid_file_and_the_rest_of_the_run_goes_on(tmp_path) -> None:
    refused = _write(tmp_path, (FIXTURES / "rules/TPL001/fail/sam-sqs-event-without-queue.yaml").read_text())
    completed = subprocess.run(
        [sys.executable, "-m", "checker.cli", "check", "--no-cfn-lint", "--format", "json", str(refused), str(SAM_REFERENCE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr == ""
    files = {item["path"]: item for item in json.loads(completed.stdout)["files"]}
    assert files[str(SAM_REFERENCE)]["status"] == "compliant"
    assert [(f["rule_id"], f["line"], f["column"], f["message"]) for f in files[str(refused)]["findings"]] == [
        (
            "TPL001",
            23,
            9,
            "SAM cannot transform this template: Resource with id [OrderProcessorOrders] is invalid."
            " Missing required property 'Queue'.",
        )
    ]


REFUSED = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Environment: {environment}
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      CodeUri: src/
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            ScalingConfig: {scaling}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        Authorizers:
          Cognito: {authorizer}
"""
ACCEPTED = {"environment": "{Variables: {STAGE: prod}}", "scaling": "{MaximumConcurrency: 5}", "authorizer": "{UserPoolArn: arn}"}


@pytest.mark.parametrize(
    ("refused", "line", "column"),
    [
        ({"authorizer": "cognito"}, 26, 11),  # key path Auth.Authorizers.Cognito, of an API
        ({"scaling": "5"}, 19, 13),  # key path ScalingConfig, of the Orders event (SAM names the resource FnOrders)
        ({"environment": "5"}, 4, 5),  # key path Environment, of Fn: written in Globals
    ],
    ids=["api-property", "event-property", "globals-property"],
)
def test_a_sam_refusal_is_placed_at_the_key_path_sam_names(tmp_path, refused, line, column) -> None:
    path = _write(tmp_path, REFUSED.format(**{**ACCEPTED, **refused}))
    report = check_file(str(path), OPTIONS)
    assert report.status == "invalid"
    assert [(f.rule_id, f.resource, f.path, f.line, f.column) for f in report.findings] == [("TPL001", None, "", line, column)]
    assert report.findings[0].message.startswith("SAM cannot transform this template: Resource with id [")


def test_serverless_applications_are_never_fetched(tmp_path, monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("cfn-compliance tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Helper:
    Type: AWS::Serverless::Application
    Properties:
      Location: {ApplicationId: "arn:aws:serverlessrepo:us-east-1:123456789012:applications/helper", SemanticVersion: 1.0.0}
  Nested:
    Type: AWS::Serverless::Application
    Properties: {Location: ./nested.yaml}
"""
    report = check_file(str(_write(tmp_path, text)), OPTIONS)
    assert report.status == "non_compliant"
    assert "TPL001" not in {finding.rule_id for finding in report.findings}


def test_plain_templates_never_import_the_sam_translator() -> None:
    script = (
        "import sys\n"
        "from checker.evaluation.options import CheckOptions\n"
        "from checker.run.files import check_file\n"
        f"check_file({str(REFERENCE)!r}, CheckOptions(cfn_lint=False))\n"
        "assert 'samtranslator' not in sys.modules and 'boto3' not in sys.modules\n"
        f"check_file({str(SAM_REFERENCE)!r}, CheckOptions(cfn_lint=False))\n"
        "assert 'samtranslator' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)


SAM_TEMPLATES = sorted(
    path
    for path in (FIXTURES / "rules").glob("*/*/sam-*")
    if path.suffix in (".yaml", ".json") and not path.name.endswith(".expected.yaml") and path.parts[-3] != "TPL001"
)


@pytest.mark.parametrize("path", [SAM_REFERENCE, *SAM_TEMPLATES], ids=lambda path: "/".join(path.parts[-3:]))
def test_a_sam_template_gets_the_verdicts_of_the_stack_it_expands_to(path) -> None:
    """Every rule judges a SAM template as it judges the CloudFormation SAM turns it into: only the
    places (and how often a value written once is reported) differ."""
    template = load_file(path)
    expanded = load_text(json.dumps(expand(template, {}).data), "expanded.json")
    verdicts = {result.rule_id: result.status for result in check_template(template, OPTIONS).results}
    assert verdicts == {result.rule_id: result.status for result in check_template(expanded, OPTIONS).results}


def test_a_value_written_once_in_globals_is_one_finding_where_it_is_written(tmp_path) -> None:
    """A Globals secret, account id or undefined name reaches both functions but was written once: one
    finding, for the first function; a rule about each function's settings (COST002) reports each."""
    text = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs22.x
    MemorySize: 1024
    Environment:
      Variables:
        API_TOKEN: abcdefabcdef0123
        TOPIC: arn:aws:sns:us-east-1:123456789012:alerts
        TABLE: !Ref Missing
Resources:
  First:
    Type: AWS::Serverless::Function
    Properties: {Handler: index.handler, CodeUri: src/}
  Second:
    Type: AWS::Serverless::Function
    Properties: {Handler: index.handler, CodeUri: src/}
"""
    rules = frozenset({"COST002", "SEC007", "SEC008", "TPL003"})
    report = check_file(str(_write(tmp_path, text)), CheckOptions(cfn_lint=False, only_rules=rules, today=CHECK_DATE))
    assert [(f.rule_id, f.resource, f.path, f.line) for f in report.findings] == [
        ("TPL003", "First", "Globals/Function/Environment/Variables/TABLE/Ref", 10),
        ("COST002", "First", "Globals/Function/MemorySize", 5),
        ("COST002", "Second", "Globals/Function/MemorySize", 5),
        ("SEC007", "First", "Globals/Function/Environment/Variables/API_TOKEN", 8),
        ("SEC008", "First", "Globals/Function/Environment/Variables/TOPIC", 9),  # the region
        ("SEC008", "First", "Globals/Function/Environment/Variables/TOPIC", 9),  # the account
    ]


SAM_DATA = json.loads(json.dumps(load_text(SAM_REFERENCE.read_text(), "sam.yaml").data))
NAMES = [*SAM_DATA["Resources"], "OrderProcessorRole", "OrderProcessorOrders", "OrderQueue.Arn", "AWS::NoValue"]


@st.composite
def mutated_sam_references(draw) -> dict:
    data = json.loads(json.dumps(SAM_DATA))
    for _ in range(draw(st.integers(1, 4))):
        paths = [path for path in paths_in(data) if path and path[0] in ("Globals", "Resources")]
        if not paths:  # a mutation renamed both sections away
            break
        data = replace_at(data, draw(st.sampled_from(paths)), draw(template_values(NAMES)), rename=draw(st.booleans()))
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated_sam_references())
def test_mutated_sam_templates_are_judged_or_refused_by_sam_and_findings_stay_in_the_source(data: dict) -> None:
    try:
        template = load_text(json.dumps(data, default=str), "mutated.json")
    except LoadError:
        return
    try:
        report = check_template(template, OPTIONS)
    except LoadError as refusal:
        assert refusal.message.startswith("SAM cannot transform this template: ")
        assert refusal.line >= 1
        return
    assert [result.message for result in report.results if "crashed" in (result.message or "")] == []
    written = set(template.resources)
    assert {finding.resource for finding in report.findings if finding.resource} <= written
    assert all(finding.line >= 1 for finding in report.findings)
