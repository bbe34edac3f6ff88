"""Unit tests for checker.model.resolve: parameters, conditions, intrinsic functions,
pseudo parameters and the symbolic names that let equal expressions compare equal."""

from __future__ import annotations

import pytest

from checker.load import load_text
from checker.model.resolve import ResolvedTemplate, resolve
from checker.model.values import RefStr, Unknown

PARAMETERS = """\
Parameters:
  Env: {Type: String, Default: prod}
  Memory: {Type: Number, Default: 1024}
  Ratio: {Type: Number, Default: "1.5"}
  Broken: {Type: Number, Default: lots}
  Subnets: {Type: CommaDelimitedList, Default: "a, b,c"}
  NoDefault: {Type: String}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /x}
Mappings:
  Retention: {prod: {Days: 30}, dev: {Days: 7}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  ProdAndBig: !And [!Condition IsProd, !Equals [!Ref Memory, 1024]]
  DevOrProd: !Or [!Condition IsDev, !Equals [!Ref Env, prod]]
  Undecided: !Equals [!Ref NoDefault, x]
"""


def resolved(resources: str, overrides: dict[str, str] | None = None, head: str = PARAMETERS) -> ResolvedTemplate:
    return resolve(load_text(head + "Resources:\n" + resources, "t.yaml"), overrides)


def value(expression: str, overrides: dict[str, str] | None = None, extra: str = "") -> object:
    """The resolved value of one property of a probe resource, next to a queue and a function."""
    resources = f"""\
  Queue:
    Type: AWS::SQS::Queue
    Properties: {{QueueName: !Sub "${{AWS::StackName}}-orders"}}
  Plain:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Lambda::Function
    Properties: {{FunctionName: !Sub "${{AWS::StackName}}-orders"}}
{extra}  Probe:
    Type: Test::Probe
    Properties:
      P: {expression}
"""
    return resolved(resources, overrides).resources["Probe"].properties.get("P", "<removed>")


def reason(result: object) -> str:
    assert isinstance(result, Unknown), result
    return result.reason


QUEUE_ARN = "arn:aws:sqs:<AWS-Region>:<AWS-AccountId>:<AWS-StackName>-orders"
QUEUE_URL = "https://sqs.<AWS-Region>.amazonaws.com/<AWS-AccountId>/<AWS-StackName>-orders"


# --- pseudo parameters and parameters ---------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("!Ref AWS::Region", "<AWS-Region>"),
        ("!Ref AWS::AccountId", "<AWS-AccountId>"),
        ("!Ref AWS::StackName", "<AWS-StackName>"),
        ("!Ref AWS::Partition", "aws"),
        ("!Ref AWS::URLSuffix", "amazonaws.com"),
    ],
)
def test_pseudo_parameters_are_symbolic(expression: str, expected: str) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize(
    ("expression", "overrides", "expected"),
    [
        ("!Ref Env", None, "prod"),
        ("!Ref Env", {"Env": "dev"}, "dev"),
        ("!Ref Memory", None, 1024),
        ("!Ref Memory", {"Memory": "512"}, 512),
        ("!Ref Ratio", None, 1.5),
        ("!Ref Subnets", None, ["a", "b", "c"]),
        ("!Ref Subnets", {"Subnets": "x,y"}, ["x", "y"]),
        ("!Ref NoDefault", {"NoDefault": "given"}, "given"),
    ],
)
def test_parameters(expression: str, overrides: dict | None, expected: object) -> None:
    result = value(expression, overrides)
    assert (result, type(result)) == (expected, type(expected))


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("!Ref NoDefault", "parameter NoDefault has no Default (pass --parameter NoDefault=VALUE)"),
        ("!Ref Broken", "parameter Broken is a Number but its value 'lots' is not"),
        ("!Ref FromSsm", "parameter FromSsm is read from SSM at deployment"),
        ("!Ref Nowhere", "Ref to Nowhere, which the template does not define"),
        ("!ImportValue shared-vpc", "Fn::ImportValue is computed at deployment"),
    ],
)
def test_what_cannot_be_known_is_unknown_with_a_reason(expression: str, fragment: str) -> None:
    assert fragment in reason(value(expression))


# --- conditions ------------------------------------------------------------------------


def test_conditions_with_defaults_and_overrides() -> None:
    defaults = resolved("  Q:\n    Type: AWS::SQS::Queue\n").conditions
    assert {name: result for name, result in defaults.items() if name != "Undecided"} == {
        "IsProd": True,
        "IsDev": False,
        "ProdAndBig": True,
        "DevOrProd": True,
    }
    assert "parameter NoDefault has no Default" in reason(defaults["Undecided"])
    overridden = resolved("  Q:\n    Type: AWS::SQS::Queue\n", {"Env": "dev", "NoDefault": "x"}).conditions
    assert overridden == {"IsProd": False, "IsDev": True, "ProdAndBig": False, "DevOrProd": True, "Undecided": True}


def test_equals_compares_numbers_and_strings_as_cloudformation_does() -> None:
    head = PARAMETERS + "  NumberIsText: !Equals [30, '30']\n  TrueIsText: !Equals [true, 'true']\n"
    conditions = resolved("  Q:\n    Type: AWS::SQS::Queue\n", head=head).conditions
    assert (conditions["NumberIsText"], conditions["TrueIsText"]) == (True, True)


def test_resources_whose_condition_is_false_are_absent() -> None:
    resources = """\
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  DevOnly:
    Type: AWS::SQS::Queue
    Condition: IsDev
  Maybe:
    Type: AWS::SQS::Queue
    Condition: Undecided
"""
    assert list(resolved(resources).resources) == ["ProdOnly", "Maybe"]
    assert list(resolved(resources, {"Env": "dev", "NoDefault": "y"}).resources) == ["DevOnly"]


@pytest.mark.parametrize(
    ("expression", "overrides", "expected"),
    [
        ("!If [IsProd, 30, 7]", None, 30),
        ("!If [IsProd, 30, 7]", {"Env": "dev"}, 7),
        ("!If [IsProd, !FindInMap [Retention, !Ref Env, Days], 1]", {"Env": "prod"}, 30),
        ("!If [IsProd, !Ref AWS::NoValue, 7]", None, "<removed>"),
    ],
)
def test_fn_if(expression: str, overrides: dict | None, expected: object) -> None:
    assert value(expression, overrides) == expected


def test_fn_if_on_an_undecidable_condition_is_unknown() -> None:
    assert reason(value("!If [Undecided, 1, 2]")).startswith("condition Undecided cannot be decided: parameter NoDefault")


def test_no_value_removes_keys_and_list_items() -> None:
    assert value("!Ref AWS::NoValue") == "<removed>"
    assert value("[1, !Ref AWS::NoValue, 2]") == [1, 2]
    assert value("{Keep: 1, Drop: !Ref AWS::NoValue}") == {"Keep": 1}


# --- intrinsic functions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('!Sub "/aws/lambda/${AWS::StackName}-${AWS::Region}"', "/aws/lambda/<AWS-StackName>-<AWS-Region>"),
        ('!Sub "${!Literal}-${Env}"', "${Literal}-prod"),
        ('!Sub "${Queue.Arn}"', QUEUE_ARN),
        ('!Sub "${Queue}"', QUEUE_URL),
        ("!Sub ['${a}/${b}', {a: !Ref Env, b: !GetAtt Plain.Arn}]", "prod/arn:aws:sqs:<AWS-Region>:<AWS-AccountId>:<Plain>"),
        ('!Join [":", [a, !Ref Env, 3]]', "a:prod:3"),
        ("!Select [1, !Ref Subnets]", "b"),
        ('!Split [",", "x,y,,z"]', ["x", "y", "", "z"]),
        ("!Select [2, !Split [':', !Sub '${AWS::StackName}:a:b']]", "b"),
        ("!FindInMap [Retention, !Ref Env, Days]", 30),
        ("!FindInMap [Retention, staging, Days, {DefaultValue: 14}]", 14),
        ("!GetAtt Queue.Arn", QUEUE_ARN),
        ("!GetAtt [Queue, Arn]", QUEUE_ARN),
        ("!GetAtt Queue.QueueName", "<AWS-StackName>-orders"),
        ("!GetAtt Plain.Arn", "arn:aws:sqs:<AWS-Region>:<AWS-AccountId>:<Plain>"),
        ("!GetAtt Plain.Custom", "<Plain.Custom>"),
        ("!Ref Queue", QUEUE_URL),
        ("!Ref Fn", "<AWS-StackName>-orders"),
        ("!GetAtt Fn.Arn", "arn:aws:lambda:<AWS-Region>:<AWS-AccountId>:function:<AWS-StackName>-orders"),
        ("!Length [a, b, c]", 3),
        ("!ToJsonString {a: !Ref Env}", '{"a": "prod"}'),
    ],
)
def test_intrinsic_functions(expression: str, expected: object) -> None:
    assert value(expression) == expected


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("!FindInMap [Retention, staging, Days]", "Fn::FindInMap: no entry ['Retention', 'staging', 'Days']"),
        ("!Select [5, [a, b]]", "Fn::Select index 5 out of the list"),
        ("!Join [',', !Ref NoDefault]", "parameter NoDefault has no Default"),
        ('!Sub "${NoDefault}-x"', "parameter NoDefault has no Default"),
        ("!GetAtt Nowhere.Arn", "Fn::GetAtt of Nowhere, which the template does not define"),
        ("!GetAtt [Queue]", "Fn::GetAtt needs [resource, attribute]"),
        ("!Join [',', [a, [b]]]", "a list or mapping where text was expected"),
    ],
)
def test_functions_that_cannot_be_computed(expression: str, fragment: str) -> None:
    assert fragment in reason(value(expression))


def test_ref_strings_remember_the_resources_they_were_built_from() -> None:
    built = value("!Sub ['${Queue.Arn}|${x}|${AWS::Region}', {x: !GetAtt Plain.Arn}]")
    assert isinstance(built, RefStr) and isinstance(built, str)
    assert built.refs == frozenset({"Queue", "Plain"})
    assert value("!Join ['', [!Ref Fn, '-x']]").refs == frozenset({"Fn"})
    assert value('!Sub "${AWS::StackName}"').refs == frozenset()


def test_equal_expressions_compare_equal() -> None:
    template = resolved(
        """\
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: !Sub "${AWS::StackName}-orders"}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Sub "/aws/lambda/${AWS::StackName}-orders"}
"""
    )
    log_group_name = template.resources["Logs"].properties["LogGroupName"]
    assert log_group_name == "/aws/lambda/" + template.name_of("Fn")
    assert log_group_name == "/aws/lambda/<AWS-StackName>-orders"
    assert template.name_of("Fn").refs == frozenset({"Fn"})


def test_a_resource_without_a_name_gets_a_stable_symbol() -> None:
    template = resolved("  Table:\n    Type: AWS::DynamoDB::Table\n")
    assert template.name_of("Table") == "<Table>"
    assert template.get_att("Table", "Arn") == "arn:aws:dynamodb:<AWS-Region>:<AWS-AccountId>:table/<Table>"


def test_resource_attributes_are_resolved() -> None:
    template = resolved("  Table:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: !If [IsProd, Retain, Delete]\n")
    assert template.resources["Table"].attributes == {"DeletionPolicy": "Retain"}


# --- hostile expressions: Unknown, never an exception -------------------------------------


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("!Select [0, {a: 1}]", "Fn::Select from something that is not a list"),
        ("!Select [-1, [a, b]]", "Fn::Select index -1 out of the list"),
        ("!Select [0, not-a-list]", "Fn::Select from something that is not a list"),
        ("!Select [true, [a, b]]", "Fn::Select index True out of the list"),
        ("!ToJsonString {Ref: AWS::NoValue}", "Fn::ToJsonString of"),
    ],
)
def test_malformed_functions_are_unknown(expression: str, fragment: str) -> None:
    assert fragment in reason(value(expression))


def test_select_with_an_infinite_index_is_unknown() -> None:
    text = '{"Resources": {"Probe": {"Type": "T", "Properties": {"P": {"Fn::Select": [1e999, ["a"]]}}}}}'
    result = resolve(load_text(text, "t.json")).resources["Probe"].properties["P"]
    assert "Fn::Select index inf out of the list" in reason(result)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("!GetAtt Plain.{x}", "<Plain.{x}>"),
        ("!Sub '${Plain.{x}}'", "<Plain.{x>}"),
    ],
)
def test_braces_in_attribute_names_are_text(expression: str, expected: str) -> None:
    assert value(expression) == expected


def test_a_mapping_that_refers_to_itself_is_unknown() -> None:
    head = "Mappings:\n  M:\n    a:\n      b: !FindInMap [M, a, b]\n"
    result = resolved("  Probe:\n    Type: T\n    Properties: {P: !FindInMap [M, a, b]}\n", head=head)
    assert "nest" in reason(result.resources["Probe"].properties["P"])


def test_a_long_chain_of_conditions_is_unknown_not_a_crash() -> None:
    head = "Conditions:\n" + "".join(f"  C{i}: !Condition C{i + 1}\n" for i in range(1000)) + "  C1000: !Equals [a, a]\n"
    template = resolved("  Q:\n    Type: AWS::SQS::Queue\n    Condition: C0\n", head=head)
    assert list(template.resources) == ["Q"]  # undecidable: kept, as the rules then say unknown
    assert "nest" in reason(template.conditions["C0"])


def test_a_short_chain_of_conditions_is_decided() -> None:
    head = "Conditions:\n" + "".join(f"  C{i}: !Condition C{i + 1}\n" for i in range(20)) + "  C20: !Equals [a, b]\n"
    template = resolved("  Q:\n    Type: AWS::SQS::Queue\n    Condition: C0\n", head=head)
    assert (template.conditions["C0"], list(template.resources)) == (False, [])


def test_a_long_chain_of_names_is_not_a_crash() -> None:
    queues = "".join(
        f"  Q{i}:\n    Type: AWS::SQS::Queue\n    Properties: {{QueueName: !GetAtt Q{i + 1}.QueueName}}\n" for i in range(300)
    )
    template = resolved(queues + "  Q300:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: last}\n")
    assert template.name_of("Q299") == "last"


def test_a_resource_named_after_itself_is_not_a_crash() -> None:
    template = resolved("  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt Q.QueueName}\n")
    assert template.name_of("Q") == "<Q>"
