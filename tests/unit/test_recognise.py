"""Unit tests for checker.model.recognise: which resource plays which part, from wiring, never from names."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.load import load_file, load_text
from checker.model.recognise import Architecture, recognise
from checker.model.resolve import resolve

REFERENCE = Path(__file__).resolve().parents[2] / "reference_template" / "order-processing.yaml"


def parts(resources: str, head: str = "") -> Architecture:
    return recognise(resolve(load_text(head + "Resources:\n" + resources, "t.yaml")))


FUNCTION = "    Type: AWS::Lambda::Function\n"
QUEUE = "    Type: AWS::SQS::Queue\n"
TABLE = "    Type: AWS::DynamoDB::Table\n"


def test_the_reference_template() -> None:
    assert recognise(resolve(load_file(REFERENCE))) == Architecture(
        processor="OrderProcessor",
        order_queue="OrderQueue",
        dlq="DeadLetterQueue",
        status_table="OrderStatusTable",
        mapping="OrderQueueEventSourceMapping",
        processor_role="OrderProcessorRole",
        processor_log_group="OrderProcessorLogGroup",
    )


MISLEADING = """\
  OrderQueue:            # the dead-letter queue
    Type: AWS::SQS::Queue
  DeadLetterQueue:       # the queue orders arrive on
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt OrderQueue.Arn, maxReceiveCount: 5}
  OrderProcessor:        # a decoy nobody triggers
    Type: AWS::Lambda::Function
    Properties:
      Environment: {Variables: {TABLE: !Ref OrderStatusTable}}
  Helper:                # the function the queue triggers
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt LogGroupRole.Arn
      Environment: {Variables: {TABLE_ARN: !GetAtt AuditTable.Arn}}
      LoggingConfig: {LogGroup: !Ref AlarmTopic}
  Trigger:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt DeadLetterQueue.Arn, FunctionName: !GetAtt Helper.Arn}
  OrderStatusTable:
    Type: AWS::DynamoDB::Table
  AuditTable:
    Type: AWS::DynamoDB::Table
  LogGroupRole:
    Type: AWS::IAM::Role
  AlarmTopic:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: helper-logs}
  OrderProcessorRole:
    Type: AWS::IAM::Role
"""


def test_misleading_logical_ids_do_not_fool_recognition() -> None:
    assert parts(MISLEADING) == Architecture(
        processor="Helper",
        order_queue="DeadLetterQueue",
        dlq="OrderQueue",
        status_table="AuditTable",
        mapping="Trigger",
        processor_role="LogGroupRole",
        processor_log_group="AlarmTopic",
    )


def test_without_a_mapping_the_order_queue_is_the_one_that_is_not_a_dead_letter_target() -> None:
    architecture = parts(
        "  OrderQueue:\n"
        + QUEUE
        + "  Dlq:\n"
        + QUEUE
        + "    Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt OrderQueue.Arn, maxReceiveCount: 3}}\n"
    )
    assert (architecture.order_queue, architecture.dlq, architecture.mapping) == ("Dlq", "OrderQueue", None)


def test_a_dead_letter_target_written_as_a_literal_arn_is_recognised() -> None:
    architecture = parts(
        "  Orders:\n"
        + QUEUE
        + '    Properties: {RedrivePolicy: {deadLetterTargetArn: !Sub "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:failed"}}\n'
        + "  Failed:\n"
        + QUEUE
        + "    Properties: {QueueName: failed}\n"
    )
    assert (architecture.order_queue, architecture.dlq) == ("Orders", "Failed")


def test_a_single_function_without_a_mapping_is_the_processor() -> None:
    architecture = parts("  Worker:\n" + FUNCTION + "  Inbox:\n" + QUEUE)
    assert (architecture.processor, architecture.order_queue, architecture.mapping) == ("Worker", "Inbox", None)


def test_two_functions_and_no_mapping_means_no_processor() -> None:
    architecture = parts("  A:\n" + FUNCTION + "  B:\n" + FUNCTION + "  T:\n" + TABLE)
    assert (architecture.processor, architecture.status_table, architecture.processor_role) == (None, "T", None)


def test_the_triggered_function_is_the_processor_among_several() -> None:
    architecture = parts(
        "  A:\n"
        + FUNCTION
        + "  B:\n"
        + FUNCTION
        + "  C:\n"
        + FUNCTION
        + "  Q:\n"
        + QUEUE
        + "  M:\n    Type: AWS::Lambda::EventSourceMapping\n"
        + "    Properties: {EventSourceArn: !GetAtt Q.Arn, FunctionName: !Ref B}\n"
    )
    assert (architecture.processor, architecture.order_queue, architecture.mapping) == ("B", "Q", "M")


def test_a_mapping_by_literal_function_name_and_queue_arn() -> None:
    architecture = parts(
        "  A:\n"
        + FUNCTION
        + "    Properties: {FunctionName: orders-fn}\n"
        + "  B:\n"
        + FUNCTION
        + "  Q:\n"
        + QUEUE
        + "    Properties: {QueueName: orders}\n"
        + "  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
        + '      EventSourceArn: !Sub "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders"\n'
        + "      FunctionName: orders-fn\n"
    )
    assert (architecture.processor, architecture.order_queue, architecture.mapping) == ("A", "Q", "M")


def test_a_mapping_from_a_table_stream_is_not_a_queue_trigger() -> None:
    architecture = parts(
        "  A:\n"
        + FUNCTION
        + "  B:\n"
        + FUNCTION
        + "  T:\n"
        + TABLE
        + "  M:\n    Type: AWS::Lambda::EventSourceMapping\n"
        + "    Properties: {EventSourceArn: !GetAtt T.StreamArn, FunctionName: !Ref A}\n"
    )
    assert (architecture.processor, architecture.mapping) == (None, None)


@pytest.mark.parametrize(
    "reference",
    [
        "!Ref Status",
        "!GetAtt Status.Arn",
        '!Sub "${Status}"',
        '!Sub "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Status}"',
    ],
)
def test_of_two_tables_the_status_table_is_the_one_the_processor_refers_to(reference: str) -> None:
    architecture = parts(
        "  Fn:\n"
        + FUNCTION
        + f"    Properties: {{Environment: {{Variables: {{TABLE: {reference}}}}}}}\n"
        + "  Audit:\n"
        + TABLE
        + "  Status:\n"
        + TABLE
        + "    Properties: {TableName: status-table}\n"
    )
    assert architecture.status_table == "Status"


def test_of_two_tables_none_is_the_status_table_when_the_processor_refers_to_neither() -> None:
    architecture = parts(
        "  Fn:\n"
        + FUNCTION
        + "    Properties: {Environment: {Variables: {TABLE: other}}}\n"
        + "  Audit:\n"
        + TABLE
        + "  Status:\n"
        + TABLE
    )
    assert (architecture.processor, architecture.status_table) == ("Fn", None)


def test_no_queue() -> None:
    architecture = parts("  Fn:\n" + FUNCTION + "  Table:\n" + TABLE)
    assert architecture == Architecture(
        processor="Fn",
        order_queue=None,
        dlq=None,
        status_table="Table",
        mapping=None,
        processor_role=None,
        processor_log_group=None,
    )


def test_a_fifo_queue_is_still_the_order_queue() -> None:
    architecture = parts("  Fn:\n" + FUNCTION + "  Orders:\n" + QUEUE + "    Properties: {FifoQueue: true, QueueName: o.fifo}\n")
    assert (architecture.processor, architecture.order_queue, architecture.dlq) == ("Fn", "Orders", None)


def test_the_log_group_named_after_the_function() -> None:
    architecture = parts(
        "  Fn:\n"
        + FUNCTION
        + '    Properties: {FunctionName: !Sub "${AWS::StackName}-orders"}\n'
        + "  Other:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: /aws/lambda/other}\n"
        + '  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: !Sub "/aws/lambda/${AWS::StackName}-orders"}\n'
    )
    assert architecture.processor_log_group == "Logs"


def test_the_log_group_named_from_a_reference_to_the_function() -> None:
    architecture = parts(
        "  Fn:\n"
        + FUNCTION
        + '  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: !Sub "/aws/lambda/${Fn}"}\n'
    )
    assert architecture.processor_log_group == "Logs"


@pytest.mark.parametrize("log_group", ["!Ref Custom", "custom/orders"])
def test_the_log_group_found_through_logging_config(log_group: str) -> None:
    architecture = parts(
        "  Fn:\n"
        + FUNCTION
        + f"    Properties: {{FunctionName: orders, LoggingConfig: {{LogGroup: {log_group}}}}}\n"
        + "  Default:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: /aws/lambda/orders}\n"
        + "  Custom:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: custom/orders}\n"
    )
    assert architecture.processor_log_group == "Custom"


def test_a_log_group_for_another_name_is_not_the_processors() -> None:
    architecture = parts(
        "  Fn:\n"
        + FUNCTION
        + "    Properties: {FunctionName: orders}\n"
        + "  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties: {LogGroupName: /aws/lambda/orders-old}\n"
    )
    assert (architecture.processor, architecture.processor_log_group) == ("Fn", None)


def test_resources_whose_condition_is_false_play_no_part() -> None:
    head = "Parameters:\n  Env: {Type: String, Default: dev}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
    resources = "  Fn:\n" + FUNCTION + "    Condition: IsProd\n  Table:\n" + TABLE + "    Condition: IsProd\n"
    assert (parts(resources, head).processor, parts(resources, head).status_table) == (None, None)
    assert parts(resources, head.replace("Default: dev", "Default: prod")).processor == "Fn"


def test_a_redrive_policy_written_as_a_json_string() -> None:
    architecture = parts(
        "  Orders:\n"
        + QUEUE
        + '    Properties: {RedrivePolicy: !Sub \'{"deadLetterTargetArn": "${Failed.Arn}", "maxReceiveCount": 5}\'}\n'
        + "  Failed:\n"
        + QUEUE
    )
    assert (architecture.order_queue, architecture.dlq) == ("Orders", "Failed")


def test_a_hostile_redrive_policy_string_is_not_a_crash() -> None:
    architecture = parts("  Orders:\n" + QUEUE + "    Properties:\n      RedrivePolicy: '" + "[" * 100_000 + "'\n")
    assert (architecture.order_queue, architecture.dlq) == ("Orders", None)
