"""Fn::ForEach loops (AWS::LanguageExtensions): expanded offline, what they make judged, findings placed in the loop.

Per-rule loop cases live with the other fixtures (tests/fixtures/rules/*/*/foreach-*); this file covers what is
the loops' own: the expansion, the way back to the loop's body, collections only the deployment knows, the
loops CloudFormation refuses, SAM after the loops, Markdown answers, and what templates without loops never pay.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.evaluation.judge import check_template
from checker.evaluation.options import CheckOptions
from checker.load import LoadError, load_file, load_text
from checker.load.foreach import expand_loops
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, FIXTURES, REFERENCE, ROOT
from tests.strategies import paths_in, replace_at, template_values

LOOPS = FIXTURES / "foreach"
OPTIONS = CheckOptions(cfn_lint=False, today=CHECK_DATE, compare_reference=False)


def _write(tmp_path, text: str, name: str = "template.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _findings(report, *rules: str) -> list[tuple]:
    return [(f.rule_id, f.resource, f.path, f.line, f.column) for f in report.findings if not rules or f.rule_id in rules]


def _status(report) -> dict[str, str]:
    return {result.rule_id: result.status for result in report.results}


# -- what loops make is judged ----------------------------------------------------------------------------


def test_the_reference_written_with_loops_is_judged_like_the_reference() -> None:
    """Queue, processor and table each made by a loop over [Order]: the same stack, the same verdicts (cfn-lint too)."""
    looped = check_file(str(LOOPS / "reference-in-loops.yaml"), CheckOptions(today=CHECK_DATE))
    plain = check_file(str(REFERENCE), CheckOptions(today=CHECK_DATE))
    assert (looped.status, looped.findings, looped.notes) == ("compliant", (), ())
    assert _status(looped) == _status(plain)
    candidates = {item.component: item.candidate_resource for item in looped.reference}
    assert candidates == {item.component: item.candidate_resource for item in plain.reference}
    assert [item.differences for item in looped.reference if item.differences] == []


def test_a_pipeline_made_by_a_loop_fails_and_passes_the_right_rules() -> None:
    report = check_file(str(LOOPS / "pipeline-in-a-loop.yaml"), OPTIONS)
    loop = "Fn::ForEach::Pipeline"
    body = f"Resources/{loop}/2"
    # A finding names the resource the loop made (a loop is no resource), and is placed in the loop's body.
    assert _findings(report, "ARCH008", "ARCH009", "SEC005", "COST002", "COST001", "REL001", "REL002") == [
        ("ARCH008", "OrderQueue", f"{body}/${{Kind}}Queue/Properties/VisibilityTimeout", 15, 11),
        ("ARCH009", "OrderQueue", f"{body}/${{Kind}}Queue/Properties/VisibilityTimeout", 15, 11),
        ("COST001", "OrderStatusTable", f"{body}/${{Kind}}StatusTable/Properties/BillingMode", 51, 11),
        ("COST002", "OrderProcessor", f"{body}/${{Kind}}Processor/Properties/MemorySize", 24, 11),
        ("SEC005", "OrderQueue", f"{body}/${{Kind}}Queue/Properties/SqsManagedSseEnabled", 14, 9),
        ("REL001", "OrderMapping", f"{body}/${{Kind}}Mapping/Properties/FunctionResponseTypes", 43, 9),
        (
            "REL002",
            "OrderStatusTable",
            f"{body}/${{Kind}}StatusTable/Properties/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled",
            50,
            9,
        ),
    ]
    status = _status(report)
    # The parts are recognised from what the loop made: queue, processor, trigger, table, the reference to it.
    assert [status[rule] for rule in ("ARCH001", "ARCH002", "ARCH003", "ARCH004", "ARCH005", "ARCH006", "REL004")] == ["pass"] * 7
    messages = {f.rule_id: f.message for f in report.findings}
    assert messages["ARCH008"] == (
        "The order queue OrderQueue (made by the loop Fn::ForEach::Pipeline) has VisibilityTimeout 20 s, shorter than "
        "the processor OrderProcessor (made by the loop Fn::ForEach::Pipeline)'s Timeout 30 s."
    )


NESTED = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Mappings:
  Pipelines:
    Queues:
      Names: [orders-in, refunds]
Conditions:
  Fn::ForEach::Flags:
    - Stage
    - [Dev, Prod]
    - Is${Stage}: !Equals [!Ref AWS::StackName, !Ref Stage]
Resources:
  Fn::ForEach::Domains:
    - Name
    - !FindInMap [Pipelines, Queues, Names]
    - Fn::ForEach::Kinds:
        - Kind
        - [Main, Dlq]
        - Queue&{Name}${Kind}:
            Type: AWS::SQS::Queue
            Properties:
              QueueName: !Sub "${Name}-${Kind}-${AWS::StackName}"
              Tags:
                - Key: kind
                  Value: !Ref Kind
      Topic&{Name}:
        Type: AWS::SNS::Topic
        Condition: IsProd
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      Fn::ForEach::Settings:
        - [Setting, Value]
        - [[BillingMode, PAY_PER_REQUEST], [TableClass, STANDARD]]
        - ${Setting}: ${Value}
Outputs:
  Fn::ForEach::Arns:
    - Name
    - [ordersin]
    - ${Name}Arn:
        Value: !GetAtt [!Sub "Queue${Name}Main", Arn]
"""


def test_nested_loops_and_loops_in_conditions_outputs_and_properties_expand_as_cloudformation_expands_them(tmp_path) -> None:
    expanded = expand_loops(load_file(_write(tmp_path, NESTED)), {})
    assert list(expanded.data["Resources"]) == [
        "QueueordersinMain",
        "QueueordersinDlq",
        "Topicordersin",
        "QueuerefundsMain",
        "QueuerefundsDlq",
        "Topicrefunds",
        "Table",
    ]
    queue = expanded.data["Resources"]["QueueordersinDlq"]
    assert queue["Properties"] == {
        "QueueName": {"Fn::Sub": "orders-in-Dlq-${AWS::StackName}"},
        "Tags": [{"Key": "kind", "Value": "Dlq"}],
    }
    assert expanded.data["Resources"]["Table"]["Properties"] == {"BillingMode": "PAY_PER_REQUEST", "TableClass": "STANDARD"}
    assert expanded.data["Conditions"] == {
        "IsDev": {"Fn::Equals": [{"Ref": "AWS::StackName"}, "Dev"]},
        "IsProd": {"Fn::Equals": [{"Ref": "AWS::StackName"}, "Prod"]},
    }
    # Ref and GetAtt of an Fn::Sub that only names a resource become the name, as the transform resolves them.
    assert expanded.data["Outputs"] == {"ordersinArn": {"Value": {"Fn::GetAtt": ["QueueordersinMain", "Arn"]}}}


@pytest.mark.parametrize(
    ("generated", "written", "mark"),
    [
        (
            ("Resources", "QueuerefundsDlq", "Properties", "Tags", 0, "Value"),
            (
                "Resources",
                "Fn::ForEach::Domains",
                2,
                "Fn::ForEach::Kinds",
                2,
                "Queue&{Name}${Kind}",
                "Properties",
                "Tags",
                0,
                "Value",
            ),
            (25, 19),
        ),
        (("Resources", "Topicrefunds"), ("Resources", "Fn::ForEach::Domains", 2, "Topic&{Name}"), (26, 7)),
        (
            ("Resources", "Topicrefunds", "Condition"),
            ("Resources", "Fn::ForEach::Domains", 2, "Topic&{Name}", "Condition"),
            (28, 9),
        ),
        (
            ("Resources", "Table", "Properties", "TableClass"),
            ("Resources", "Table", "Properties", "Fn::ForEach::Settings", 2, "${Setting}"),
            (35, 11),
        ),
        (("Resources", "Table", "Type"), ("Resources", "Table", "Type"), (30, 5)),
        (("Conditions", "IsProd"), ("Conditions", "Fn::ForEach::Flags", 2, "Is${Stage}"), (11, 7)),
        (("Outputs", "ordersinArn", "Value"), ("Outputs", "Fn::ForEach::Arns", 2, "${Name}Arn", "Value"), (41, 9)),
    ],
)
def test_generated_paths_lead_back_into_the_loop_that_made_them(tmp_path, generated, written, mark) -> None:
    expanded = expand_loops(load_file(_write(tmp_path, NESTED)), {})
    assert expanded.origin(generated) == written
    assert expanded.origin(written) == written  # a written path is already where the user wrote it
    assert tuple(expanded.mark_at(generated)) == tuple(expanded.mark_at(written)) == mark


def test_messages_name_the_resources_loops_made_after_the_loop(tmp_path) -> None:
    expanded = expand_loops(load_file(_write(tmp_path, NESTED)), {})
    assert expanded.explained("QueueordersinMain.Arn, QueueordersinMain, Topicrefunds and Table; /x/${Topicrefunds}") == (
        "QueueordersinMain.Arn (QueueordersinMain is made by the loop Fn::ForEach::Kinds inside Fn::ForEach::Domains),"
        " QueueordersinMain, Topicrefunds (made by the loop Fn::ForEach::Domains) and Table; /x/${Topicrefunds}"
    )


def test_a_template_that_declares_the_transform_but_writes_no_loop_is_judged_as_it_is(tmp_path) -> None:
    template = load_text("Transform: AWS::LanguageExtensions\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n", "t.yaml")
    assert expand_loops(template, {}) is template


# -- SAM after the loops ------------------------------------------------------------------------------------

SAM_LOOP = """\
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Fn::ForEach::Pipelines:
    - Name
    - [Orders]
    - Queue${Name}:
        Type: AWS::SQS::Queue
        Properties:
          VisibilityTimeout: 180
          SqsManagedSseEnabled: true
      Processor${Name}:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: nodejs22.x
          Handler: index.handler
          Timeout: 30
          InlineCode: "exports.handler = async () => ({ batchItemFailures: [] });"
          Policies:
            - SQSPollerPolicy:
                QueueName: !GetAtt [!Sub "Queue${Name}", QueueName]
          Events:
            FromQueue:
              Type: SQS
              Properties:
                Queue: !GetAtt [!Sub "Queue${Name}", Arn]
                BatchSize: 5
"""


def test_sam_expands_what_the_loops_made_and_findings_go_back_through_both(tmp_path) -> None:
    path = _write(tmp_path, SAM_LOOP)
    report = check_file(str(path), OPTIONS)
    body = "Resources/Fn::ForEach::Pipelines/2/Processor${Name}"
    assert _findings(report, "REL001", "ARCH011", "COST003") == [
        ("ARCH011", "ProcessorOrders", f"{body}/Properties/Events/FromQueue/Properties/FunctionResponseTypes", 24, 15),
        ("COST003", "ProcessorOrders", body, 11, 7),
        ("REL001", "ProcessorOrders", f"{body}/Properties/Events/FromQueue/Properties/FunctionResponseTypes", 24, 15),
    ]
    assert _status(report)["ARCH003"] == "pass"  # the queue made by the loop triggers the function SAM made of it
    rel001 = next(f.message for f in report.findings if f.rule_id == "REL001")
    assert "ProcessorOrdersFromQueue (generated by SAM for the FromQueue event of ProcessorOrders (made by the loop" in rel001
    expanded = expand_loops(load_file(path), {})
    assert expanded.origin(("Resources", "ProcessorOrdersRole", "Properties", "Policies", 0, "PolicyDocument")) == (
        "Resources",
        "Fn::ForEach::Pipelines",
        2,
        "Processor${Name}",
        "Properties",
        "Policies",
        0,
    )


def test_sam_refusing_what_a_loop_made_is_placed_in_the_loop(tmp_path) -> None:
    refused = SAM_LOOP.replace('                Queue: !GetAtt [!Sub "Queue${Name}", Arn]\n', "")
    report = check_file(str(_write(tmp_path, refused)), OPTIONS)
    assert (report.status, _findings(report)) == ("invalid", [("TPL001", None, "", 22, 13)])
    assert "ProcessorOrdersFromQueue" in report.findings[0].message and "Queue" in report.findings[0].message


# -- collections only the deployment knows ------------------------------------------------------------------

UNKNOWN = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Pipelines:
    Type: {kind}
Mappings:
  Regions:
    us-east-1:
      Pipelines: [Orders]
Resources:
  Fn::ForEach::Queues:
    - Name
    - {collection}
    - Queue${{Name}}:
        Type: AWS::SQS::Queue
        Properties:
          VisibilityTimeout: 20
  Processor:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Timeout: 30
      Role: !Sub arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/processor
      Code:
        ZipFile: |
          exports.handler = async () => ({{ batchItemFailures: [] }});
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt QueueOrders.Arn
      FunctionName: !Ref Processor
      FunctionResponseTypes: [ReportBatchItemFailures]
"""
DEPENDS_ON_THE_LOOP = "the verdict depends on what Fn::ForEach::Queues makes, which only the deployment decides"


@pytest.mark.parametrize(
    ("kind", "collection", "cause"),
    [
        ("CommaDelimitedList", "!Ref Pipelines", "the parameter Pipelines has no Default (pass --parameter Pipelines=VALUE)"),
        ("AWS::SSM::Parameter::Value<List<String>>", "!Ref Pipelines", "the parameter Pipelines is read from SSM at deployment"),
        ("String", "!FindInMap [Regions, !Ref AWS::Region, Pipelines]", "AWS::Region is known only at deployment"),
        ("String", "!Split [',', !ImportValue pipelines]", "its collection is computed by Fn::Split at deployment"),
    ],
)
def test_a_loop_whose_collection_only_the_deployment_knows_leaves_what_depends_on_it_unknown(
    tmp_path, kind, collection, cause
) -> None:
    report = check_file(str(_write(tmp_path, UNKNOWN.format(kind=kind, collection=collection))), OPTIONS)
    results = {result.rule_id: result for result in report.results}
    # The mapping names QueueOrders: the loop is judged as making it, and as making nothing; the verdicts differ.
    for rule in ("ARCH001", "ARCH003", "ARCH008", "ARCH009", "SEC005"):
        assert (results[rule].status, results[rule].message) == ("unknown", DEPENDS_ON_THE_LOOP), rule
    assert _findings(report, "ARCH008", "ARCH009", "SEC005", "TPL003") == []
    assert (results["ARCH002"].status, results["MON004"].status) == ("pass", "fail")  # what does not depend on the loop
    assert report.notes == (
        f"the loop Fn::ForEach::Queues cannot be expanded before deployment: {cause}; "
        "the rules that depend on what it makes are unknown",
    )


def test_the_parameter_override_decides_the_collection(tmp_path) -> None:
    path = _write(tmp_path, UNKNOWN.format(kind="CommaDelimitedList", collection="!Ref Pipelines"))
    options = CheckOptions(cfn_lint=False, today=CHECK_DATE, compare_reference=False, parameters={"Pipelines": "Orders, Refunds"})
    report = check_file(str(path), options)
    loop_body = "Resources/Fn::ForEach::Queues/2/Queue${Name}"
    assert _findings(report, "ARCH008", "SEC005") == [
        ("ARCH008", "QueueOrders", f"{loop_body}/Properties/VisibilityTimeout", 17, 11),
        ("SEC005", "QueueOrders", f"{loop_body}/Properties/SqsManagedSseEnabled", 16, 9),
        ("SEC005", "QueueRefunds", f"{loop_body}/Properties/SqsManagedSseEnabled", 16, 9),
    ]
    assert report.notes == ()


CONDITIONS_FROM_AN_UNKNOWN_LOOP = """\
Transform: AWS::LanguageExtensions
Parameters:
  Stages: {Type: CommaDelimitedList}
  Env: {Type: String, Default: prod}
Conditions:
  Fn::ForEach::Flags:
    - Stage
    - !Ref Stages
    - Is${Stage}: !Equals [!Ref Env, !Ref Stage]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Condition: Isprod
"""


def test_a_condition_an_unknown_loop_may_make_is_the_one_the_template_names(tmp_path) -> None:
    """The loop over Stages makes Is${Stage}; the queue names Isprod, so prod stands in for the unknown item, and
    whether Env equals it is unknown too: the queue's existence is undecided, never assumed."""
    path = _write(tmp_path, CONDITIONS_FROM_AN_UNKNOWN_LOOP)
    assert list(expand_loops(load_file(path), {}).data["Conditions"]) == ["Isprod"]
    report = check_file(str(path), OPTIONS)
    results = {result.rule_id: result for result in report.results}
    assert (results["TPL003"].status, results["SEC005"].status) == ("pass", "unknown")
    assert results["SEC005"].message == (
        "the verdict depends on whether Queue exists, and its Condition cannot be decided before deployment"
    )
    assert report.notes[0].endswith(
        "what it makes is judged for stand-in items (those the template refers to, else its identifiers)"
    )


# -- loops CloudFormation refuses -----------------------------------------------------------------------------

REFUSED = [
    (
        "Resources:\n  Fn::ForEach::Queues: [Name, [A]]\n",
        "Fn::ForEach::Queues: a loop is [identifier, collection, {output key: output value}]",
        (3, 3),
    ),
    (
        "Resources:\n  Fn::ForEach::Queues:\n    - [Name, 1]\n    - [A]\n    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::Queues: its identifier must be a name (or a list of names)",
        (4, 7),
    ),
    (
        "Parameters:\n  Name: {Type: String}\nResources:\n  Fn::ForEach::Queues:\n    - Name\n    - [A]\n"
        "    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::Queues: its identifier Name is also the name of a parameter",
        (6, 7),
    ),
    (
        "Resources:\n  Queues: {Type: AWS::SNS::Topic}\n  Fn::ForEach::Queues:\n    - Name\n    - [A]\n"
        "    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::Queues: its name Queues is also the name of a resource",
        (4, 3),
    ),
    (
        "Resources:\n  Fn::ForEach::My-Queues:\n    - Name\n    - [A]\n    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::My-Queues: a loop's name is Fn::ForEach:: followed by letters and digits",
        (3, 3),
    ),
    (
        "Resources:\n  Fn::ForEach::Queues:\n    - Name\n    - [A, {Key: B}]\n    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::Queues: each item of its collection must be a string, a number or a boolean",
        (5, 11),
    ),
    (
        "Resources:\n  Fn::ForEach::Queues:\n    - Name\n    - !GetAtt Queue.Arn\n    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::Queues: its collection cannot be an Fn::GetAtt: the transform runs before any resource exists",
        (5, 7),
    ),
    (
        "Resources:\n  Fn::ForEach::Queues:\n    - Name\n    - !Ref Queue\n    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::Queues: Ref to Queue, which is not a parameter of the template (a loop's collection is read before"
        " any resource exists)",
        (5, 7),
    ),
    (
        "Mappings:\n  M:\n    K: {Names: A}\nResources:\n  Fn::ForEach::Queues:\n    - Name\n    - !FindInMap [M, K, Names]\n"
        "    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::Queues: Fn::FindInMap gives 'A' for M/K/Names, not a list",
        (8, 7),
    ),
    (
        "Resources:\n  Fn::ForEach::Queues:\n    - Name\n    - [A]\n    - Q${Name}:\n        Properties: {}\n",
        "Fn::ForEach::Queues: the resource QA it makes has no Type",
        (6, 7),
    ),
    (
        "Resources:\n  Fn::ForEach::Queues:\n    - Name\n    - []\n    - Q${Name}: {Type: AWS::SQS::Queue}\n",
        "the loops: no resource is left once the loops are expanded; a template declares at least one",
        (2, 1),
    ),
    (
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n  Fn::ForEach::A:\n    - X\n    - [a]\n    - Fn::ForEach::A:\n"
        "        - Y\n        - [b]\n        - Q${X}${Y}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::A: another loop has the same name; a loop's name is unique in the template",
        (7, 7),
    ),
    (
        "Resources:\n  Fn::ForEach::A:\n    - X\n    - [a]\n    - Fn::ForEach::B:\n        - X\n        - [b]\n"
        "        - Q${X}: {Type: AWS::SQS::Queue}\n",
        "Fn::ForEach::B: its identifier X is the identifier of a loop around it",
        (7, 11),
    ),
]


@pytest.mark.parametrize(("body", "reason", "mark"), REFUSED, ids=lambda value: value[:40] if isinstance(value, str) else None)
def test_a_loop_cloudformation_refuses_is_tpl001_at_its_place(tmp_path, body, reason, mark) -> None:
    path = _write(tmp_path, "Transform: AWS::LanguageExtensions\n" + body)
    report = check_file(str(path), OPTIONS)
    assert (report.status, _findings(report)) == ("invalid", [("TPL001", None, "", *mark)])
    assert report.findings[0].message == f"CloudFormation cannot expand {reason}."


def test_loops_nest_at_most_five_deep(tmp_path) -> None:
    lines = ["Transform: AWS::LanguageExtensions", "Resources:"]
    for depth in range(6):
        indent = "  " + "    " * depth
        lines += [f"{indent}Fn::ForEach::L{depth}:", f"{indent}  - I{depth}", f"{indent}  - [v]", f"{indent}  -"]
    lines[-1] += " Q" + "".join(f"${{I{depth}}}" for depth in range(6)) + ": {Type: AWS::SQS::Queue}"
    report = check_file(str(_write(tmp_path, "\n".join(lines) + "\n")), OPTIONS)
    assert _findings(report) == [("TPL001", None, "", 23, 23)]
    assert report.findings[0].message == "CloudFormation cannot expand Fn::ForEach::L5: loops nest at most 5 deep."


def test_a_loop_bomb_is_refused_before_it_is_built(tmp_path) -> None:
    items = "[" + ", ".join(f"i{number}" for number in range(60)) + "]"
    text = (
        "Transform: AWS::LanguageExtensions\nResources:\n"
        f"  Fn::ForEach::A:\n    - A\n    - {items}\n    - Fn::ForEach::B:\n        - B\n        - {items}\n"
        f"        - Fn::ForEach::C:\n            - C\n            - {items}\n"
        "            - Q${A}${B}${C}: {Type: AWS::SQS::Queue}\n"
    )
    started = time.perf_counter()
    report = check_file(str(_write(tmp_path, text)), OPTIONS)
    assert time.perf_counter() - started < 5
    assert report.findings[0].message == (
        "CloudFormation cannot expand Fn::ForEach::C: it makes more than 500 resources, the most CloudFormation allows in a stack."
    )


# -- Markdown answers, and what templates without loops never pay -----------------------------------------------


def test_a_loop_in_a_markdown_answer_is_placed_at_the_answers_lines() -> None:
    report = check_file(str(LOOPS / "answer.md"), OPTIONS)
    assert _findings(report, "ARCH008") == [
        ("ARCH008", "QueueOrders", "Resources/Fn::ForEach::Queues/2/Queue${Name}/Properties/VisibilityTimeout", 14, 11)
    ]


def test_templates_without_the_transform_never_import_the_expansion() -> None:
    script = (
        "import sys\n"
        "from checker.evaluation.options import CheckOptions\n"
        "from checker.run.files import check_file\n"
        f"check_file({str(REFERENCE)!r}, CheckOptions(cfn_lint=False))\n"
        "assert not [name for name in sys.modules if name.startswith('checker.load.foreach')], sys.modules\n"
        f"check_file({str(LOOPS / 'pipeline-in-a-loop.yaml')!r}, CheckOptions(cfn_lint=False))\n"
        "assert 'checker.load.foreach' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True)


# -- whatever a loop holds, a verdict ---------------------------------------------------------------------------

LOOP_TEMPLATES = sorted(
    path
    for path in (FIXTURES / "rules").glob("*/*/foreach-*")
    if path.suffix == ".yaml" and not path.name.endswith(".expected.yaml") and path.parts[-3] != "TPL001"
)


@pytest.mark.parametrize("path", [LOOPS / "pipeline-in-a-loop.yaml", *LOOP_TEMPLATES], ids=lambda path: "/".join(path.parts[-3:]))
def test_a_template_with_loops_gets_the_verdicts_of_the_template_they_expand_to(path) -> None:
    """Every rule judges a template with loops as it judges the template the loops expand to: only the places differ."""
    template = load_file(path)
    expanded = load_text(json.dumps(expand_loops(template, {}).data), "expanded.json")
    verdicts = {result.rule_id: result.status for result in check_template(template, OPTIONS).results}
    assert verdicts == {result.rule_id: result.status for result in check_template(expanded, OPTIONS).results}


LOOPED = json.loads(json.dumps(load_file(LOOPS / "pipeline-in-a-loop.yaml").data))
NAMES = [
    "Kind",
    "Order",
    "OrderQueue",
    "${Kind}Queue",
    "Fn::ForEach::Pipeline",
    "Fn::ForEach::Inner",
    "&{Kind}",
    "DeadLetterQueue",
]


@st.composite
def mutated_loops(draw) -> dict:
    data = json.loads(json.dumps(LOOPED))
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in paths_in(data) if len(path) > 1 and path[:2] == ("Resources", "Fn::ForEach::Pipeline")]
        if not paths:
            break
        data = replace_at(data, draw(st.sampled_from(paths)), draw(template_values(NAMES)), rename=draw(st.booleans()))
    return data


@given(mutated_loops())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_whatever_a_loop_holds_the_template_gets_a_verdict_and_no_check_crashes(data) -> None:
    try:
        template = load_text(json.dumps(data), "mutated.json")
        report = check_template(template, OPTIONS)
    except LoadError as error:  # a refusal, with its place
        assert error.line >= 1 and "bug" not in error.message
        return
    assert not [finding.message for finding in report.findings if "bug in cfn-compliance" in finding.message]
    assert not [result.message for result in report.results if result.message and "bug in cfn-compliance" in result.message]
