"""Markdown answers through the command line: the template block is checked, findings carry the
answer's own line numbers, and an answer without a template gets a TPL001 verdict saying why."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.evaluation.judge import check_template
from checker.evaluation.options import CheckOptions
from checker.load import LoadError, load_text
from checker.load.markdown import CodeBlock, looks_like_template
from checker.run.files import check_file
from tests.conftest import CHECK_DATE, FIXTURES, REFERENCE, ROOT, assert_golden
from tests.test_properties import mutated_references

MARKDOWN = FIXTURES / "markdown"
VALIDATOR = jsonschema.Draft202012Validator(json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text()))
OPTIONS = CheckOptions(cfn_lint=False, today=CHECK_DATE)
ANSWER_BLOCK_LINE = 18  # the ```yaml fence of answer.md; its template starts on the next line


def check_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["check", *argv, "--no-cfn-lint", "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    document = json.loads(captured.out)
    VALIDATOR.validate(document)
    return code, document


def located(findings: list[dict]) -> list[tuple]:
    return [
        (finding["rule_id"], finding["resource"], finding["path"], finding["line"], finding["column"]) for finding in findings
    ]


def block_of(path: Path, fence_line: int) -> str:
    """The content of the block that opens on `fence_line`, read by hand from the fixture."""
    lines = path.read_text().split("\n")
    end = lines.index("```", fence_line)
    return "\n".join(lines[fence_line:end]) + "\n"


def test_an_answer_is_judged_on_its_template_block_at_the_answers_lines(capsys) -> None:
    code, document = check_json(capsys, str(MARKDOWN / "answer.md"))
    assert code == 1
    file = document["files"][0]
    assert (file["path"], file["status"], file["notes"]) == (str(MARKDOWN / "answer.md"), "non_compliant", [])
    # Every finding where the answer has it; tests/fixtures/markdown/answer.findings.txt pins them, one a line.
    assert_golden(MARKDOWN / "answer.findings.txt", "".join(f"{item}\n" for item in located(file["findings"])))
    lines = (MARKDOWN / "answer.md").read_text().split("\n")
    assert lines[69 - 1] == "      MemorySize: 1024"
    assert lines[61 - 1] == "        - arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"


def test_an_answer_has_the_findings_of_its_template_saved_alone_shifted_by_the_block_offset(tmp_path) -> None:
    bare = tmp_path / "template.yaml"
    bare.write_text(block_of(MARKDOWN / "answer.md", ANSWER_BLOCK_LINE))
    alone = check_file(str(bare), OPTIONS)
    answer = check_file(str(MARKDOWN / "answer.md"), OPTIONS)
    assert alone.findings  # the block has findings to compare (the golden list names them)
    assert [(f.rule_id, f.path, f.message, f.line + ANSWER_BLOCK_LINE, f.column) for f in alone.findings] == [
        (f.rule_id, f.path, f.message, f.line, f.column) for f in answer.findings
    ]
    assert alone.results == answer.results


def test_the_text_report_of_an_answer(capsys) -> None:
    code = main(["check", str(MARKDOWN / "answer.md"), "--no-cfn-lint", "--color", "never", "--rule", "COST002"])
    out = capsys.readouterr().out
    assert code == 1
    assert out == (
        f"FAIL {MARKDOWN / 'answer.md'} — non-compliant: 1 error, 0 warnings\n"
        "Cost:\n"
        f"  ERROR COST002 [OrderProcessor] {MARKDOWN / 'answer.md'}:69:7\n"
        "    The function OrderProcessor has MemorySize 1024 MB, above 512 MB.\n"
        "    fix: Lower MemorySize to 512 MB or less (the reference uses 256 MB).\n"
        "\n"
        "1 file: 0 compliant, 1 non-compliant, 0 invalid; 1 error, 0 warnings\n"
    )


def test_cfn_lint_reports_at_the_answers_lines(tmp_path) -> None:
    """cfn-lint reads Template.text itself: for an answer that is the block on its own lines, the rest blank."""
    answer = tmp_path / "answer.md"
    answer.write_text(
        "# Queue\n\nSome prose.\n\n```yaml\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      Colour: blue\n```\n"
    )
    report = check_file(str(answer), CheckOptions(today=CHECK_DATE, only_rules=frozenset({"TPL002"})))
    assert [(f.rule_id, f.line, f.column, f.message) for f in report.findings] == [
        ("TPL002", 10, 7, "cfn-lint E3002: Additional properties are not allowed ('Colour' was unexpected)"),
    ]


def test_a_json_answer(capsys) -> None:
    code, document = check_json(capsys, str(MARKDOWN / "json-answer.md"), "--rule", "SEC005", "--rule", "ARCH006")
    assert code == 1
    assert located(document["files"][0]["findings"]) == [
        ("ARCH006", "OrderQueue", "Resources/OrderQueue/Properties/RedrivePolicy", 9, 7),
        ("SEC005", "OrderQueue", "Resources/OrderQueue/Properties/SqsManagedSseEnabled", 9, 7),
    ]


def test_a_template_in_a_list_item_keeps_the_answers_columns(capsys) -> None:
    code, document = check_json(capsys, str(MARKDOWN / "list-item.md"), "--rule", "SEC005", "--rule", "MON004")
    assert code == 1
    assert located(document["files"][0]["findings"]) == [
        ("MON004", None, "Resources", 6, 4),
        ("SEC005", "OrderQueue", "Resources/OrderQueue/Properties/SqsManagedSseEnabled", 9, 8),
    ]


def test_the_largest_of_several_templates_is_checked_and_the_report_says_so(capsys) -> None:
    note = "2 other template blocks (lines 3, 38) were not checked; the largest, at line 11, was"
    code, document = check_json(capsys, str(MARKDOWN / "two-templates.md"), "--rule", "SEC005", "--rule", "ARCH006")
    file = document["files"][0]
    assert (code, file["status"], file["findings"], file["notes"]) == (0, "compliant", [], [note])
    main(["check", str(MARKDOWN / "two-templates.md"), "--no-cfn-lint", "--color", "never", "--rule", "SEC005"])
    assert f"Notes:\n  - {note}\n" in capsys.readouterr().out


SAM_ANSWER = """\
A first sketch:

```yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
```

The full template:

```yaml
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
  Processor:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      InlineCode: "exports.handler = async () => 1;"
      MemorySize: 1024
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
```
"""


def test_a_sam_answer_keeps_the_answers_lines_and_the_loaders_notes(tmp_path) -> None:
    answer = tmp_path / "answer.md"
    answer.write_text(SAM_ANSWER)
    report = check_file(str(answer), CheckOptions(cfn_lint=False, today=CHECK_DATE, only_rules=frozenset({"COST002", "SEC005"})))
    assert [(f.rule_id, f.resource, f.line, f.column) for f in report.findings] == [("COST002", "Processor", 25, 7)]
    assert SAM_ANSWER.split("\n")[25 - 1] == "      MemorySize: 1024"
    assert report.notes == ("1 other template block (line 3) was not checked; the largest, at line 12, was",)


MODEL_ANSWER = """\
<!-- model: draft 2 -->
## Solution

Here is the template: it creates the queue. Note: deploy it with the CLI.

<!--
```yaml
Resources:
  DraftTopic:
    Type: AWS::SNS::Topic
  DraftQueue:
    Type: AWS::SQS::Queue
  DraftTable:
    Type: AWS::DynamoDB::Table
```
-->

```YAML title="template.yaml"
---
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrderQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
...
```

Deploy:

```bash
aws cloudformation deploy --template-file template.yaml --stack-name orders
```

The processor's policy:

```json
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
```

And add the dead-letter queue under `Resources`:

```yaml
  OrderDLQ:
    Type: AWS::SQS::Queue
```
"""


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("utf-8-sig", "\r\n")], ids=["plain", "bom-and-crlf"])
def test_a_model_answer_as_models_write_them(capsys, tmp_path, encoding, newline) -> None:
    """Headings, prose with colons, a commented-out draft, a labelled block with --- and ..., shell, an IAM
    policy and a resource to add by hand: the kept template is judged at the answer's lines, and the report
    says a piece of the answer was not part of it."""
    answer = tmp_path / "answer.md"
    answer.write_bytes(MODEL_ANSWER.replace("\n", newline).encode(encoding))
    code, document = check_json(capsys, str(answer), "--rule", "SEC005", "--rule", "ARCH006")
    file = document["files"][0]
    assert (code, file["status"]) == (1, "non_compliant")
    assert located(file["findings"]) == [
        ("ARCH006", "OrderQueue", "Resources/OrderQueue/Properties/RedrivePolicy", 24, 5),
        ("SEC005", "OrderQueue", "Resources/OrderQueue/Properties/SqsManagedSseEnabled", 24, 5),
    ]
    assert MODEL_ANSWER.split("\n")[24 - 1] == "    Properties:"
    assert file["notes"] == ["1 block (line 43) declares resources outside a template and was not checked"]


def test_answers_without_a_template_are_invalid_and_say_why(capsys) -> None:
    names = ["no-template.md", "placeholder.md", "broken-yaml.md"]
    code, document = check_json(capsys, *(str(MARKDOWN / name) for name in names), str(REFERENCE))
    assert code == 2
    verdicts = [
        (Path(file["path"]).name, file["status"], [(f["line"], f["column"], f["message"]) for f in file["findings"]])
        for file in document["files"]
    ]
    no_template = "The Markdown has no CloudFormation template in its code blocks (found: bash at line 5, python at line 11)."
    broken = "YAML syntax error: did not find expected key (while parsing a block mapping at line 7, column 5)."
    assert verdicts == [
        ("no-template.md", "invalid", [(5, 1, no_template)]),
        (
            "placeholder.md",
            "invalid",
            [(3, 1, "The file is a placeholder, not a template: 'Insert here the Model Response that failed'.")],
        ),
        ("broken-yaml.md", "invalid", [(10, 6, broken)]),
        ("order-processing.yaml", "compliant", []),
    ]
    assert (MARKDOWN / "broken-yaml.md").read_text().split("\n")[10 - 1] == "     MessageRetentionPeriod: 345600"


def test_directory_searches_leave_markdown_out_and_a_named_answer_is_checked(capsys, tmp_path) -> None:
    shutil.copy(MARKDOWN / "answer.md", tmp_path / "answer.md")
    shutil.copy(REFERENCE, tmp_path / "stack.yaml")
    code, document = check_json(capsys, str(tmp_path))
    assert (code, [file["path"] for file in document["files"]], document["skipped"]) == (0, [str(tmp_path / "stack.yaml")], [])
    code, document = check_json(capsys, str(tmp_path), str(tmp_path / "answer.md"))
    assert code == 1
    assert [file["path"] for file in document["files"]] == [str(tmp_path / "stack.yaml"), str(tmp_path / "answer.md")]


# --- property: an answer is judged as its template is ----------------------------------------

PROSE = [
    "Here is a CloudFormation template for the order pipeline.",
    "# Order processing",
    "## Deploy",
    "- The queue has a dead-letter queue.",
    "1. Deploy the stack: it takes a few minutes.",
    "> Note: costs depend on traffic.",
    "Use `aws cloudformation deploy` to create it.",
    "",
]
OTHER_BLOCKS = ["```bash\naws cloudformation deploy --template-file t.yaml\n```", "~~~python\nprint('orders')\n~~~"]


@st.composite
def answers(draw) -> tuple[str, str, int]:
    """A template as text, the same template in a Markdown answer, and the line of its fence."""
    data = draw(mutated_references())
    as_json = draw(st.booleans())
    bare = json.dumps(data, indent=2, default=str) + "\n" if as_json else yaml.safe_dump(data, sort_keys=False)
    assume("```" not in bare and "~~~" not in bare)
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    info = draw(st.sampled_from(["json", "", "cfn"] if as_json else ["yaml", "YAML", "yml", "", "cloudformation"]))
    indent = " " * draw(st.integers(0, 3))
    before = draw(st.lists(st.sampled_from(PROSE + OTHER_BLOCKS), max_size=5))
    after = draw(st.lists(st.sampled_from(PROSE + OTHER_BLOCKS), max_size=3))
    head = "\n".join(before) + "\n" if before else ""
    answer = f"{head}{indent}{fence}{info}\n{bare}{indent}{fence}\n" + "\n".join(after)
    return bare, answer, head.count("\n") + 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=answers())
def test_an_answer_has_its_templates_findings_shifted_by_the_block_offset(case: tuple[str, str, int]) -> None:
    bare, answer, fence_line = case
    try:
        template = load_text(bare, "template.yaml")
    except LoadError as error:  # then the block is no template either, and the answer says so where the template does
        wrapped_error = _load_error(answer)
        if looks_like_template(CodeBlock("yaml", fence_line, tuple(bare.split("\n")))):
            shifted = re.sub(r"line (\d+)", lambda match: f"line {int(match[1]) + fence_line}", error.message)
            assert (wrapped_error.message, wrapped_error.line, wrapped_error.column) == (
                shifted,
                error.line + fence_line,
                error.column,
            )
        else:
            assert wrapped_error.message.startswith("the Markdown has no CloudFormation template in its code blocks")
        return
    alone = check_template(template, OPTIONS)
    wrapped = check_template(load_text(answer, "answer.md"), OPTIONS)
    assert [(f.rule_id, f.path, _shifted(f.message, fence_line), f.line + fence_line, f.column) for f in alone.findings] == [
        (f.rule_id, f.path, f.message, f.line, f.column) for f in wrapped.findings
    ]
    assert [(r.rule_id, r.status, _shifted(r.message, fence_line)) for r in alone.results] == [
        (r.rule_id, r.status, r.message) for r in wrapped.results
    ]
    assert (alone.status, alone.notes) == (wrapped.status, wrapped.notes)


def _shifted(message: str | None, offset: int) -> str | None:
    """A message's file lines (`line 12`, `lines 3, 5`: where inline code is written) moved down by `offset`."""
    if message is None:
        return None
    return re.sub(
        r"\b(lines? )(\d+(?:, \d+)*)",
        lambda match: match[1] + ", ".join(str(int(n) + offset) for n in match[2].split(", ")),
        message,
    )


def _load_error(text: str) -> LoadError:
    try:
        load_text(text, "answer.md")
    except LoadError as error:
        return error
    raise AssertionError("the answer loaded though its template does not")
