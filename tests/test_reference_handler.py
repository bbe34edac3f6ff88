"""Runs the reference template's inline Lambda handler for real, with node.

The handler source is taken from Resources.OrderProcessor.Properties.Code.ZipFile
of reference_template/order-processing.yaml, written to a temporary index.js and
invoked by tests/node/run_handler.js. The AWS SDK is replaced by the in-memory
fake under tests/node/fake_modules (through NODE_PATH), so nothing touches the
network. Node.js is required: without it these tests fail, they do not skip.

The driver formats console output as the Lambda runtime does for LogFormat JSON:
one line {timestamp, level, requestId, message} per console call, the handler's
own fields under `message`, ERROR lines on stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "reference_template" / "order-processing.yaml"
NODE_DIR = REPO / "tests" / "node"
DRIVER = NODE_DIR / "run_handler.js"
FAKE_MODULES = NODE_DIR / "fake_modules"
TABLE_NAME = "order-status-under-test"
ZIPFILE_LIMIT = 4096  # CloudFormation's limit for Code.ZipFile, in bytes

# Lower bound for the updatedAt timestamps the handler writes during this run.
_started = datetime.now(timezone.utc) - timedelta(seconds=5)


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads short-form intrinsics (!Ref, !GetAtt, ...) as plain data."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict:
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


@pytest.fixture(scope="module")
def handler_source() -> str:
    template = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_CfnLoader)
    source = template["Resources"]["OrderProcessor"]["Properties"]["Code"]["ZipFile"]
    assert isinstance(source, str) and source.strip(), "OrderProcessor Code.ZipFile must be an inline string"
    return source


@pytest.fixture(scope="module")
def handler_file(handler_source: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("order-processor") / "index.js"
    path.write_text(handler_source, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "Node.js ('node') is not on PATH: it is required to run the reference "
            "template's inline Lambda handler. Install Node.js 20+ and re-run.",
            pytrace=False,
        )
    return node


def invoke(node: str, handler_file: Path, records: list[dict], *, fail_for=(), repeat: int = 1) -> dict:
    """Invokes the handler once (or `repeat` times) with an SQS event built from `records`."""
    event = {"Records": [_sqs_record(**r) for r in records]}
    cmd = [node, str(DRIVER), str(handler_file), "--repeat", str(repeat)]
    if fail_for:
        cmd += ["--fail-for", ",".join(fail_for)]
    env = {**os.environ, "NODE_PATH": str(FAKE_MODULES), "TABLE_NAME": TABLE_NAME}
    proc = subprocess.run(
        cmd,
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=str(REPO),
        check=False,
    )
    assert proc.stdout.strip(), f"driver printed nothing (exit {proc.returncode}); stderr:\n{proc.stderr}"
    report = json.loads(proc.stdout)
    assert proc.returncode == 0 and report["error"] is None, f"handler threw: {report['error']}\n{proc.stderr}"
    return report


def _sqs_record(message_id: str, body: str) -> dict:
    return {
        "messageId": message_id,
        "receiptHandle": f"receipt-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:test-region:test-account:orders",
        "awsRegion": "test-region",
    }


def _order(message_id: str, order: dict) -> dict:
    return {"message_id": message_id, "body": json.dumps(order)}


def _failed_ids(result: dict) -> list[str]:
    assert set(result) == {"batchItemFailures"}, result
    return [failure["itemIdentifier"] for failure in result["batchItemFailures"]]


def _assert_status_put(call: dict, order_id: str, status: str, message_id: str) -> None:
    """One exact PutItem of the status item {orderId, status, updatedAt, messageId}."""
    assert call["command"] == "PutItemCommand", call
    item = call["input"]["Item"]
    updated_at = item["updatedAt"]["S"]
    assert call["input"] == {
        "TableName": TABLE_NAME,
        "Item": {
            "orderId": {"S": order_id},
            "status": {"S": status},
            "updatedAt": {"S": updated_at},
            "messageId": {"S": message_id},
        },
    }
    written = datetime.fromisoformat(updated_at.replace("Z", "+00:00"))
    assert _started <= written <= datetime.now(timezone.utc) + timedelta(seconds=5), updated_at


LOG_RECORD_KEYS = {"timestamp", "level", "requestId", "message"}


def _json_lines(lines: list[str]) -> list[dict]:
    """Lambda JSON log records whose `message` is the handler's object of fields, never a string."""
    docs = []
    for line in lines:
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"log line is not JSON: {line!r}")
        assert isinstance(doc, dict) and set(doc) == LOG_RECORD_KEYS, line
        assert isinstance(doc["message"], dict), f"the handler logged a string, not an object of fields: {line!r}"
        datetime.fromisoformat(doc["timestamp"].replace("Z", "+00:00"))
        docs.append(doc)
    return docs


def _errors_for(report: dict, message_id: str) -> list[dict]:
    """The fields of the records logged on stderr about one message."""
    records = _json_lines(report["stderr_lines"])
    assert all(record["level"] == "ERROR" for record in records)
    return [record["message"] for record in records if record["message"].get("messageId") == message_id]


# --- the inline code itself ---------------------------------------------------


def test_inline_code_fits_the_zipfile_limit(handler_source: str) -> None:
    assert len(handler_source.encode("utf-8")) < ZIPFILE_LIMIT


def test_inline_code_is_valid_javascript(node: str, handler_file: Path) -> None:
    proc = subprocess.run([node, "--check", str(handler_file)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr


# --- behaviour ----------------------------------------------------------------


def test_good_order_is_recorded_processed(node: str, handler_file: Path) -> None:
    report = invoke(node, handler_file, [_order("m-1", {"orderId": "o-1", "sku": "SKU-1", "quantity": 2})])

    assert _failed_ids(report["result"]) == []
    assert len(report["calls"]) == 1
    _assert_status_put(report["calls"][0], "o-1", "PROCESSED", "m-1")
    assert report["stderr_lines"] == []
    infos = _json_lines(report["stdout_lines"])
    assert all(doc["level"] == "INFO" for doc in infos)
    assert {"msg": "order processed", "orderId": "o-1", "messageId": "m-1"} in [doc["message"] for doc in infos]


def test_order_rejected_by_validation_is_recorded_failed(node: str, handler_file: Path) -> None:
    report = invoke(node, handler_file, [_order("m-2", {"orderId": "o-2", "quantity": 0})])

    assert _failed_ids(report["result"]) == ["m-2"]
    assert len(report["calls"]) == 1
    _assert_status_put(report["calls"][0], "o-2", "FAILED", "m-2")
    [error] = _errors_for(report, "m-2")
    assert error["orderId"] == "o-2"
    assert "quantity" in error["error"]


def test_order_without_order_id_fails_without_a_status_write(node: str, handler_file: Path) -> None:
    # No orderId means no key to record against: nothing is written, the
    # message is retried and ends in the dead-letter queue.
    report = invoke(node, handler_file, [_order("m-3", {"sku": "SKU-1", "quantity": 1})])

    assert _failed_ids(report["result"]) == ["m-3"]
    assert report["calls"] == []
    [error] = _errors_for(report, "m-3")
    assert "orderId" in error["error"]


def test_malformed_json_fails_without_throwing(node: str, handler_file: Path) -> None:
    report = invoke(node, handler_file, [{"message_id": "m-4", "body": "{not json"}])

    assert _failed_ids(report["result"]) == ["m-4"]
    assert report["calls"] == []
    [error] = _errors_for(report, "m-4")
    assert error["error"]
    assert "orderId" not in error


def test_mixed_batch_reports_exactly_the_failed_messages(node: str, handler_file: Path) -> None:
    report = invoke(
        node,
        handler_file,
        [
            _order("m-1", {"orderId": "o-1", "quantity": 1}),
            {"message_id": "m-2", "body": "{not json"},
            _order("m-3", {"orderId": "o-3", "quantity": -1}),
            _order("m-4", {"quantity": 1}),
            _order("m-5", {"orderId": "o-5"}),
        ],
    )

    assert _failed_ids(report["result"]) == ["m-2", "m-3", "m-4"]
    assert len(report["calls"]) == 3
    _assert_status_put(report["calls"][0], "o-1", "PROCESSED", "m-1")
    _assert_status_put(report["calls"][1], "o-3", "FAILED", "m-3")
    _assert_status_put(report["calls"][2], "o-5", "PROCESSED", "m-5")
    logged = {doc["message"].get("messageId") for doc in _json_lines(report["stderr_lines"])}
    assert logged == {"m-2", "m-3", "m-4"}


def test_failing_status_write_does_not_crash_the_batch(node: str, handler_file: Path) -> None:
    # Every DynamoDB write for o-2 fails: both the PROCESSED write and the
    # FAILED write in the catch block. The batch still completes.
    report = invoke(
        node,
        handler_file,
        [
            _order("m-1", {"orderId": "o-1", "quantity": 1}),
            _order("m-2", {"orderId": "o-2", "quantity": 1}),
            _order("m-3", {"orderId": "o-3", "quantity": 1}),
        ],
        fail_for=["o-2"],
    )

    assert _failed_ids(report["result"]) == ["m-2"]
    assert [call.get("failed", False) for call in report["calls"]] == [False, True, True, False]
    _assert_status_put(report["calls"][0], "o-1", "PROCESSED", "m-1")
    _assert_status_put(report["calls"][1], "o-2", "PROCESSED", "m-2")
    _assert_status_put(report["calls"][2], "o-2", "FAILED", "m-2")
    _assert_status_put(report["calls"][3], "o-3", "PROCESSED", "m-3")
    errors = _errors_for(report, "m-2")
    assert len(errors) == 2
    assert all("simulated DynamoDB failure" in fields["error"] for fields in errors)


def test_all_log_output_is_json_lines(node: str, handler_file: Path) -> None:
    report = invoke(node, handler_file, [_order("m-1", {"orderId": "o-1"}), {"message_id": "m-2", "body": "{not json"}])

    assert report["stdout_lines"] and report["stderr_lines"]
    infos, errors = _json_lines(report["stdout_lines"]), _json_lines(report["stderr_lines"])
    assert all(doc["level"] == "INFO" for doc in infos)
    assert all(doc["level"] == "ERROR" for doc in errors)
    assert {doc["requestId"] for doc in infos + errors} == set(report["request_ids"]) == {"test-request-1"}


def test_a_handler_logging_strings_would_be_caught(node: str, tmp_path: Path) -> None:
    # The driver keeps a logged string a string, as Lambda does: a handler that
    # logs JSON.stringify(...) text fails the checks above.
    handler = tmp_path / "index.js"
    handler.write_text(
        "exports.handler = async () => { console.error(JSON.stringify({ messageId: 'm-1' })); return {}; };\n",
        encoding="utf-8",
    )
    report = invoke(node, handler, [])
    [line] = report["stderr_lines"]
    record = json.loads(line)
    assert set(record) == LOG_RECORD_KEYS and record["level"] == "ERROR"
    assert record["message"] == '{"messageId":"m-1"}'
    with pytest.raises(AssertionError, match="logged a string"):
        _json_lines(report["stderr_lines"])


def test_empty_batch(node: str, handler_file: Path) -> None:
    report = invoke(node, handler_file, [])

    assert report["result"] == {"batchItemFailures": []}
    assert report["calls"] == []


def test_client_is_created_once_and_reused(node: str, handler_file: Path) -> None:
    report = invoke(node, handler_file, [_order("m-1", {"orderId": "o-1"})], repeat=3)

    assert report["clients"] == 1
    assert report["results"] == [{"batchItemFailures": []}] * 3
    assert len(report["calls"]) == 3
    # Each invocation's log lines carry its own request id.
    logged = [doc["requestId"] for doc in _json_lines(report["stdout_lines"])]
    assert report["request_ids"] == ["test-request-1", "test-request-2", "test-request-3"]
    assert sorted(set(logged)) == report["request_ids"]
