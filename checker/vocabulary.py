"""The words every stage shares, written once: categories, severities, the parts of the architecture,
the reference's components, CloudFormation's defaults and the symbols that stand for deployment values.

The JSON Schemas in data/ and the rule files repeat some of these as enums; tests/test_vocabulary.py holds
them to this module.
"""

from __future__ import annotations

# Rule categories, in the order reports list them.
CATEGORIES = ("template", "architecture", "cost", "monitoring", "security", "reliability")

# Categories of findings made by another engine, not by a rule of the catalogue (checkov's, with --with-checkov):
# reports know them, rule files cannot use them.
ENGINE_CATEGORIES = ("checkov",)
FINDING_CATEGORIES = (*CATEGORIES, *ENGINE_CATEGORIES)

# Rule severities, the mildest first.
SEVERITIES = ("warning", "error")

# The prefix of the rule ids of each category (SEC002 is a security rule).
ID_PREFIXES = {
    "template": "TPL",
    "architecture": "ARCH",
    "cost": "COST",
    "monitoring": "MON",
    "security": "SEC",
    "reliability": "REL",
}

# The parts of the architecture that recognition finds from wiring (checker.model.recognise.Architecture has
# one field each), and how a message names one that is missing.
PARTS = {
    "order_queue": "order queue",
    "dlq": "dead-letter queue for the order queue (no RedrivePolicy names one)",
    "processor": "processor function",
    "status_table": "status table",
    "mapping": "event source mapping from the order queue to the processor",
    "processor_role": "execution role of the processor defined in the template",
    "processor_log_group": "log group for the processor's logs",
}

# The reference implementation's components, in the order the side-by-side lists them. A rule points at one to
# show the reference's own lines; "template" (the whole file) is a rule's component too, but is not compared.
COMPONENTS = (
    "order_queue",
    "dlq",
    "processor",
    "event_source_mapping",
    "status_table",
    "log_group",
    "role",
    "errors_alarm",
    "dlq_alarm",
    "duration_alarm",
    "alarm_topic",
    "dashboard",
    "query",
)
RULE_COMPONENTS = ("template", *COMPONENTS)

# How reports name each component (the reviewer's words, not the template's).
COMPONENT_LABELS = {
    "order_queue": "SQS order queue",
    "dlq": "Dead-letter queue",
    "processor": "Node.js order processor (Lambda)",
    "event_source_mapping": "Event source mapping (queue to processor)",
    "status_table": "DynamoDB order-status table",
    "log_group": "Processor log group",
    "role": "Processor execution role (IAM)",
    "errors_alarm": "Alarm on processor errors",
    "dlq_alarm": "Alarm on messages in the dead-letter queue",
    "duration_alarm": "Alarm on processor duration",
    "alarm_topic": "Alarm notification topic (SNS)",
    "dashboard": "CloudWatch dashboard",
    "query": "Logs Insights query",
}

# How reports head each category's section, in FINDING_CATEGORIES order.
CATEGORY_HEADINGS = {
    "template": "Template validity",
    "architecture": "Architecture",
    "cost": "Cost",
    "monitoring": "Monitoring and observability",
    "security": "Security",
    "reliability": "Reliability",
    "checkov": "checkov (second engine)",
}

# What CloudFormation uses when a property (or resource attribute) is not written: (type, path from the resource).
DEFAULTS: dict[tuple[str, tuple[str, ...]], object] = {
    ("AWS::SQS::Queue", ("Properties", "VisibilityTimeout")): 30,
    ("AWS::SQS::Queue", ("Properties", "MessageRetentionPeriod")): 345600,
    ("AWS::Lambda::Function", ("Properties", "Timeout")): 3,
    ("AWS::Lambda::Function", ("Properties", "MemorySize")): 128,
    ("AWS::Lambda::EventSourceMapping", ("Properties", "BatchSize")): 10,
    ("AWS::DynamoDB::Table", ("Properties", "BillingMode")): "PROVISIONED",
    ("AWS::DynamoDB::Table", ("Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")): False,
    ("AWS::DynamoDB::Table", ("DeletionPolicy",)): "Delete",
    ("AWS::Logs::LogGroup", ("Properties", "RetentionInDays")): "never expire",
}

# Values only the deployment decides, as symbols: no colons, so ARNs built from them still split into six fields,
# and equal expressions stay equal. Messages show them as ${AWS::Region} and so on.
REGION, ACCOUNT, STACK_NAME = "<AWS-Region>", "<AWS-AccountId>", "<AWS-StackName>"
PSEUDO_PARAMETERS: dict[str, object] = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/<AWS-StackId>",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NotificationARNs": [],
}
