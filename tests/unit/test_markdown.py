"""Markdown answers: which fenced blocks are found (checker.load.markdown), and how the loader takes the
template out of them with every line and column still those of the Markdown file."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.load import LoadError, Mark, load_text
from checker.load.document import parse_document
from checker.load.markdown import (
    CodeBlock,
    declares_resources,
    fenced_blocks,
    looks_like_template,
    may_hold_template,
    only_block,
    prose_lines,
)

QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def blocks_of(text: str) -> list[tuple[str, int, tuple[str, ...], bool]]:
    return [(block.language, block.fence_line, block.lines, block.closed) for block in fenced_blocks(text)]


def load_error(text: str, path: str = "answer.md") -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_text(text, path)
    return caught.value


# --- finding the blocks ----------------------------------------------------------------


def test_backtick_and_tilde_fences_with_their_languages() -> None:
    text = "Intro\n```yaml\na: 1\n```\ntext\n~~~bash\nls\n~~~\n```\nplain\n```\n"
    assert blocks_of(text) == [
        ("yaml", 2, ("a: 1",), True),
        ("bash", 6, ("ls",), True),
        ("", 9, ("plain",), True),
    ]


@pytest.mark.parametrize(
    ("opening", "language"),
    [
        ("```YAML", "yaml"),
        ("``` yaml", "yaml"),
        ("```yaml title=template.yaml", "yaml"),
        ("```{.yaml .numberLines}", "yaml"),
        ("~~~ json", "json"),
        ("```cloudformation", "cloudformation"),
        ("```c++", "c++"),
    ],
)
def test_the_language_is_the_first_word_of_the_info_string(opening: str, language: str) -> None:
    fence = opening[:3]
    assert blocks_of(f"{opening}\nx\n{fence}\n") == [(language, 1, ("x",), True)]


def test_a_longer_fence_holds_shorter_fences_and_closes_only_on_its_own_kind() -> None:
    text = "````markdown\n```yaml\na: 1\n```\n~~~~\n`````\nafter\n"
    assert blocks_of(text) == [("markdown", 1, ("```yaml", "a: 1", "```", "~~~~"), True)]


def test_a_closing_fence_carries_nothing_but_spaces() -> None:
    assert blocks_of("```\na\n``` not a close\nb\n```  \n") == [("", 1, ("a", "``` not a close", "b"), True)]


def test_backticks_in_a_backtick_info_string_make_inline_code_not_a_fence() -> None:
    assert blocks_of("```inline``` code\n```yaml\na: 1\n```\n") == [("yaml", 2, ("a: 1",), True)]


def test_fences_may_be_indented_up_to_three_spaces_and_lines_are_kept_as_written() -> None:
    text = "   ```yaml\n   a:\n     b: 1\n  ```\n"
    assert blocks_of(text) == [("yaml", 1, ("   a:", "     b: 1"), True)]


def test_four_spaces_make_an_indented_code_block_not_a_fence() -> None:
    assert blocks_of("Text\n\n    ```yaml\n    a: 1\n    ```\n") == []


def test_fences_inside_list_items_are_indented_from_the_item_content() -> None:
    text = (
        "1. First:\n\n   ```yaml\n   a: 1\n   ```\n"
        "- Second:\n  - nested:\n\n    ```json\n    {}\n    ```\n"
        "-  ```bash\n   ls\n   ```\n"
    )
    assert blocks_of(text) == [
        ("yaml", 3, ("   a: 1",), True),
        ("json", 9, ("    {}",), True),
        ("bash", 12, ("   ls",), True),
    ]


def test_an_unclosed_fence_runs_to_the_end() -> None:
    assert blocks_of("Answer:\n```yaml\nResources:\n  Q:\n") == [("yaml", 2, ("Resources:", "  Q:", ""), False)]
    assert fenced_blocks("Answer:\n```yaml\nResources:\n  Q:\n")[0].text == "Resources:\n  Q:\n"
    assert fenced_blocks("Answer:\n```yaml\nResources:")[0].text == "Resources:"


def test_windows_and_old_mac_line_endings_count_as_lines() -> None:
    assert blocks_of("a\r\n```yaml\r\nb: 1\r\n```\r\nc\r```\rd\r```\r") == [("yaml", 2, ("b: 1",), True), ("", 6, ("d",), True)]


def test_fences_inside_an_html_comment_are_hidden_as_a_renderer_hides_them() -> None:
    text = (
        "<!-- an earlier draft:\n```yaml\na: 1\n```\n-->\n"
        "```yaml\nb: 2\n```\n"
        "   <!-- one line --> ```json\n"
        "<!--> ```bash\n"
        "- item\n  <!--\n  ```sh\n  ls\n  ```\n  -->\n"
        "```\nc: 3\n```\n"
        "<!-- never closed\n```yaml\nd: 4\n```\n"
    )
    assert blocks_of(text) == [("yaml", 6, ("b: 2",), True), ("", 17, ("c: 3",), True)]


def test_a_comment_marker_inside_a_block_or_indented_four_spaces_hides_nothing() -> None:
    text = "```html\n<!--\n```\n\n    <!--\n```yaml\na: 1\n```\n"
    assert blocks_of(text) == [("html", 1, ("<!--",), True), ("yaml", 6, ("a: 1",), True)]


def test_which_blocks_may_hold_a_template() -> None:
    languages = ["yaml", "yml", "json", "", "cloudformation", "cfn", "template", "bash", "python", "javascript", "toml"]
    chosen = [language for language in languages if may_hold_template(CodeBlock(language, 1, ()))]
    assert chosen == ["yaml", "yml", "json", "", "cloudformation", "cfn", "template"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("Resources:",), True),
        (("AWSTemplateFormatVersion: '2010-09-09'",), True),
        (('{"Resources": {}}',), True),
        (("{Resources: [",), True),
        (("  Resources :",), True),
        (("version: 0.2", "phases: {}"), False),
        (("# Resources are listed below",), False),
        (("MyResources: 1",), False),
    ],
)
def test_what_looks_like_a_template(lines: tuple[str, ...], expected: bool) -> None:
    assert looks_like_template(CodeBlock("yaml", 1, lines)) is expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("  Dlq:", "    Type: AWS::SQS::Queue"), True),
        (('"Dlq": {"Type": "AWS::SQS::Queue"}',), True),
        (("Dlq: {Type: 'AWS::Serverless::Function'}",), True),
        (("Type: Custom::Thing",), False),
        (("Effect: Allow", "Action: sqs:SendMessage"), False),
        (("# Type: AWS::SQS::Queue is the queue",), False),
        (("QueueType: AWS::SQS::Queue",), False),
    ],
)
def test_what_declares_resources(lines: tuple[str, ...], expected: bool) -> None:
    assert declares_resources(CodeBlock("yaml", 1, lines)) is expected


def test_only_block_keeps_the_block_on_its_own_lines_and_blanks_the_rest() -> None:
    text = "# Title\n\n```yaml\n  a: 1\n  b: 2\n```\nafter\n"
    (block,) = fenced_blocks(text)
    assert only_block(text, block) == "\n\n\n  a: 1\n  b: 2\n\n\n"
    assert len(only_block(text, block).split("\n")) == len(text.split("\n"))


def test_prose_lines_leave_out_blank_lines_and_fences() -> None:
    assert list(prose_lines("# Title\n\n```yaml\na: 1\n```\n  text\n")) == ["# Title", "a: 1", "  text"]


# --- the loader on Markdown answers ------------------------------------------------------

ANSWER = """\
# Orders

Deploy with:

```bash
aws cloudformation deploy --template-file t.yaml
```

The template:

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
```

That is all.
"""


def test_the_template_block_is_loaded_with_the_markdown_lines() -> None:
    template = load_text(ANSWER, "answer.md")
    assert template.data == {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 180}}},
    }
    assert template.mark_at(("Resources",)) == Mark(13, 1)
    assert template.mark_at(("Resources", "Queue", "Properties", "VisibilityTimeout")) == Mark(17, 7)
    assert template.mark_at(("Outputs",)) == Mark(12, 1)  # nothing written there: the block's first line
    assert template.notes == ()
    lines = template.text.split("\n")
    assert len(lines) == len(ANSWER.split("\n"))
    assert lines[11:17] == ANSWER.split("\n")[11:17]
    assert {line for number, line in enumerate(lines, start=1) if not 12 <= number <= 17} == {""}


def test_a_block_parsed_alone_has_the_marks_of_the_same_block_in_place() -> None:
    """The loader parses each block alone, telling the parser where it starts; reading the padded text gives the same."""
    (_, block) = fenced_blocks(ANSWER)
    alone = parse_document(block.text, first_line=block.first_line)
    in_place = parse_document(only_block(ANSWER, block))
    assert alone == in_place
    assert alone.key_marks == in_place.key_marks
    queue = ("Resources", "Queue", "Properties")
    node_alone, node_in_place = alone, in_place
    for step in queue:
        node_alone, node_in_place = node_alone[step], node_in_place[step]
        assert node_alone.key_marks == node_in_place.key_marks


def test_a_fence_in_a_list_item_keeps_the_markdown_columns() -> None:
    text = "1. Create the queue:\n\n   ```yaml\n   Resources:\n     Queue:\n       Type: AWS::SQS::Queue\n   ```\n"
    template = load_text(text, "answer.md")
    assert template.mark_at(("Resources",)) == Mark(4, 4)
    assert template.mark_at(("Resources", "Queue", "Type")) == Mark(6, 8)


def test_a_json_block() -> None:
    text = 'Here:\n\n```json\n{\n  "Resources": {\n    "Queue": {"Type": "AWS::SQS::Queue"}\n  }\n}\n```\n'
    template = load_text(text, "answer.md")
    assert template.mark_at(("Resources", "Queue", "Type")) == Mark(6, 15)


def test_the_largest_template_block_is_checked_and_the_others_are_named() -> None:
    small = "```yaml\n" + QUEUE + "```\n"
    large = "```\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Dlq:\n    Type: AWS::SQS::Queue\n```\n"
    text = "Small:\n" + small + "Large:\n" + large + "JSON:\n```json\n" + '{"Resources": {"T": {"Type": "X"}}}\n```\n'
    template = load_text(text, "answer.md")
    assert list(template.data["Resources"]) == ["Queue", "Dlq"]
    assert template.mark_at(("Resources", "Dlq")) == Mark(12, 3)
    assert template.notes == ("2 other template blocks (lines 2, 16) were not checked; the largest, at line 8, was",)


def test_of_equal_blocks_the_first_is_checked() -> None:
    text = "```yaml\n" + QUEUE + "```\n\n```yaml\n" + QUEUE.replace("Queue:", "Other:") + "```\n"
    template = load_text(text, "answer.md")
    assert list(template.data["Resources"]) == ["Queue"]
    assert template.notes == ("1 other template block (line 7) was not checked; the largest, at line 1, was",)


def test_a_broken_template_block_next_to_a_good_one_is_noted() -> None:
    text = "```yaml\n" + QUEUE + "```\n\n```yaml\nResources:\n  Queue: Type: X\n```\n"
    template = load_text(text, "answer.md")
    assert template.notes == (
        "the yaml block at line 7 looks like a template but does not load "
        "(YAML syntax error: mapping values are not allowed in this context, line 9, column 14); it was not checked",
    )


def test_a_broken_largest_template_block_is_the_verdict_not_a_smaller_draft() -> None:
    """v1 then a larger, final v2 that does not parse: grading v1 would judge a draft the answer replaced."""
    final = "```yaml\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n     Delay: [\n```\n"
    error = load_error("v1:\n```yaml\n" + QUEUE + "```\nv2:\n" + final)
    assert (error.message, error.line, error.column) == (
        "YAML syntax error: did not find expected node content (while parsing a flow node at line 14, column 1); "
        "the smaller template block at line 2 loads but was not checked",
        14,
        1,
    )


def test_a_template_in_two_parts_says_its_second_part_was_not_checked() -> None:
    """A model cut short continues in a second block: the checked part alone must not pass for the answer."""
    part_2 = "  Dlq:\n    Type: AWS::SQS::Queue\n"
    text = (
        "Part 1:\n```yaml\n" + QUEUE + "```\nPart 2:\n```yaml\n" + part_2 + "```\n"
        "The role's policy:\n```json\n" + '{"Statement": [{"Effect": "Allow", "Action": "sqs:*"}]}\n```\n'
        "Deploy:\n```bash\naws cloudformation deploy  # Type: AWS::SQS::Queue\n```\n"
    )
    template = load_text(text, "answer.md")
    assert list(template.data["Resources"]) == ["Queue"]
    assert template.notes == ("1 block (line 8) declares resources outside a template and was not checked",)
    error = load_error("```yaml\n" + part_2 + "```\n```yaml\n" + part_2 + "```\n")
    assert error.message == (
        "the Markdown has no CloudFormation template in its code blocks (found: yaml at line 1, yaml at line 5)"
    )


def test_several_fragments_are_counted_in_one_note() -> None:
    fragment = "```\nDlq:\n  Type: AWS::SQS::Queue\n```\n"
    template = load_text("```yaml\n" + QUEUE + "```\n" + fragment * 10, "answer.md")
    assert template.notes == (
        "10 blocks (lines 6, 10, 14, 18, 22, 26, 30, 34 and 2 more) declare resources outside a template and were not checked",
    )


def test_a_template_block_left_open_says_the_answer_may_be_cut_off() -> None:
    template = load_text("Here is the stack:\n\n~~~yaml\n" + QUEUE + "    Properties:\n", "answer.md")
    assert template.mark_at(("Resources", "Queue", "Properties")) == Mark(7, 5)
    assert template.notes == (
        "the yaml block at line 3 is never closed and was read to the end of the file: the answer may be cut off",
    )


def test_a_commented_out_draft_is_not_the_template() -> None:
    draft = "```yaml\n" + QUEUE + "  Draft:\n    Type: AWS::SNS::Topic\n  Old:\n    Type: AWS::SNS::Topic\n```\n"
    template = load_text("<!--\n" + draft + "-->\n\n```yaml\n" + QUEUE + "```\n", "answer.md")
    assert list(template.data["Resources"]) == ["Queue"]
    assert (template.mark_at(("Resources", "Queue")), template.notes) == (Mark(15, 3), ())


def test_an_answer_wrapped_in_a_markdown_block_is_unwrapped() -> None:
    """Asked for Markdown, a model may put its whole answer in a ```markdown block; the wrapper's closing fence
    is then the one the template block was meant to end with."""
    text = "```markdown\n## Solution\n\n```yaml\n" + QUEUE + "```\n\nDeploy it.\n```\n"
    template = load_text(text, "answer.md")
    assert template.mark_at(("Resources", "Queue", "Type")) == Mark(7, 5)
    assert template.notes == ("the template was taken from inside the markdown block at line 1",)
    longer = "````md\n```yaml\n" + QUEUE + "```\n```json\n" + '{"Resources": {"T": {"Type": "X"}}}\n```\n````\n'
    assert load_text(longer, "answer.md").notes == (
        "the template was taken from inside the md block at line 1",
        "1 other template block (line 7) was not checked; the largest, at line 2, was",
    )


def test_a_markdown_block_is_unwrapped_only_when_nothing_outside_it_is_a_template() -> None:
    wrapped = "````markdown\n```yaml\n" + QUEUE.replace("Queue:", "Inner:") + "```\n````\n"
    assert list(load_text(wrapped + "```yaml\n" + QUEUE + "```\n", "answer.md").data["Resources"]) == ["Queue"]
    broken = load_error("```markdown\n```yaml\nResources:\n  Q: Type: X\n```\n```\n")
    assert (broken.message, broken.line, broken.column) == (
        "YAML syntax error: mapping values are not allowed in this context",
        4,
        10,
    )
    nested = load_error("`````markdown\n````markdown\n```yaml\n" + QUEUE + "```\n````\n`````\n")
    assert nested.message == "the Markdown has no CloudFormation template in its code blocks (found: markdown at line 1)"


def test_blocks_in_other_languages_are_never_read_as_templates() -> None:
    text = "```bash\ncat <<EOF\n" + QUEUE + "EOF\n```\n"
    error = load_error(text)
    assert (error.message, error.line, error.column) == (
        "the Markdown has no CloudFormation template in its code blocks (found: bash at line 1)",
        1,
        1,
    )
    assert error.not_cloudformation


def test_no_template_block_lists_what_was_found() -> None:
    text = "Run:\n\n```bash\nls\n```\n\n```python\nprint(1)\n```\n\n```yaml\nversion: 0.2\n```\n\n```\nplain text\n```\n"
    error = load_error(text)
    assert (error.message, error.line, error.column) == (
        "the Markdown has no CloudFormation template in its code blocks "
        "(found: bash at line 3, python at line 7, yaml at line 11, a block without a language at line 15)",
        3,
        1,
    )


def test_a_long_list_of_blocks_is_cut_short() -> None:
    text = "".join(f"```sh\necho {index}\n```\n" for index in range(10))
    error = load_error(text)
    assert error.message.endswith("sh at line 22, 2 more)")


def test_markdown_without_fences() -> None:
    error = load_error("# Notes\n\nThe template will follow.\n")
    assert (error.message, error.line, error.column) == (
        "the Markdown has no fenced code blocks (a template is expected in a ```yaml or ```json block)",
        1,
        1,
    )


def test_a_bare_template_saved_as_markdown_is_still_a_template() -> None:
    assert load_text(QUEUE, "answer.md").mark_at(("Resources", "Queue", "Type")) == Mark(3, 5)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("Insert here the Model Response that failed", 1, 1),
        ("# Model response\n\n  Insert here the Model Response that failed\n", 3, 3),
        ("```\nInsert here the Model Response that failed\n```\n", 2, 1),
    ],
)
def test_a_placeholder_answer(text: str, line: int, column: int) -> None:
    error = load_error(text)
    assert (error.message, error.line, error.column) == (
        "the file is a placeholder, not a template: 'Insert here the Model Response that failed'",
        line,
        column,
    )


def test_a_long_analysis_that_mentions_a_placeholder_is_not_one() -> None:
    text = "# Analysis\n\nThe response was the placeholder 'Insert here the Model Response that failed'.\n" + "More.\n" * 10
    assert (
        load_error(text).message
        == "the Markdown has no fenced code blocks (a template is expected in a ```yaml or ```json block)"
    )


def test_a_placeholder_never_hides_a_template() -> None:
    text = "Replace the placeholder values:\n\n```yaml\n" + QUEUE + "```\n"
    assert list(load_text(text, "answer.md").data["Resources"]) == ["Queue"]


@pytest.mark.parametrize(
    ("block", "message", "line", "column"),
    [
        (
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   Properties: {}\n",
            "YAML syntax error: did not find expected key (while parsing a block mapping at line 5, column 3)",
            7,
            4,
        ),
        (
            "Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n",
            "duplicate key 'A' (first at line 5); CloudFormation rejects duplicate keys",
            7,
            3,
        ),
        ("Resources:\n  Queue:\n    Properties: {}\n", "resource 'Queue' has no Type", 5, 3),
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n",
            "Resources has no value; a template declares at least one resource",
            5,
            1,
        ),
        (
            "Resources:\n  Queue: !Foo x\n",
            "unknown YAML tag '!Foo': CloudFormation understands only its intrinsic-function tags",
            5,
            10,
        ),
    ],
)
def test_a_broken_template_block_reports_its_error_at_the_markdown_position(
    block: str, message: str, line: int, column: int
) -> None:
    text = "Here it is:\n\n```yaml\n" + block + "```\n\nHope it helps.\n"
    error = load_error(text)
    assert (error.message, error.line, error.column) == (message, line, column)
    assert not error.not_cloudformation


def test_a_json_block_must_be_json() -> None:
    block = '{\n  "Resources": {\n    "Q": {"Type": "X",}\n  }\n}\n'
    error = load_error("Here:\n```json\n" + block + "```\n")
    assert (error.message, error.line, error.column) == (
        "JSON syntax error: Expecting property name enclosed in double quotes",
        5,
        23,
    )
    assert load_text("Here:\n```yaml\n" + block + "```\n", "answer.md").data == {"Resources": {"Q": {"Type": "X"}}}


def test_the_largest_broken_block_is_the_one_reported() -> None:
    text = "```yaml\nResources: [\n```\n\n```yaml\nResources:\n  Q:\n    Type: X\n  Q:\n    Type: Y\n```\n"
    error = load_error(text)
    assert (error.message, error.line, error.column) == (
        "duplicate key 'Q' (first at line 7); CloudFormation rejects duplicate keys",
        9,
        3,
    )


def test_limits_hold_inside_a_block() -> None:
    bomb = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    error = load_error("Bomb:\n\n```yaml\n" + "\n".join(bomb) + "\nResources: *a9\n```\n")
    assert (error.line, error.column) == (10, 20)
    assert error.message.startswith("YAML aliases expand to more than 2,000,000 values")
    deep = load_error("```json\n" + '{"Resources": ' * 300 + "1" + "}" * 300 + "\n```\n")
    assert (deep.message, deep.line, deep.column) == ("the document nests deeper than 200 levels; refusing to load it", 2, 2801)


# --- files that are not named *.md -----------------------------------------------------


def test_a_markdown_answer_in_a_yaml_or_text_file_is_read_as_markdown() -> None:
    for path in ("answer.yaml", "answer.txt", "answer.json"):
        assert load_text(ANSWER, path).mark_at(("Resources", "Queue")) == Mark(14, 3)


def test_a_markdown_answer_without_a_template_in_a_yaml_file() -> None:
    error = load_error("Sure! Run this:\n\n```bash\nls\n```\n", "answer.yaml")
    assert error.message == "the Markdown has no CloudFormation template in its code blocks (found: bash at line 3)"


@pytest.mark.parametrize(
    "text",
    [
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n"
        "          // Usage:\n          // ```js\n          // await handler(event)\n          // ```\n"
        "          exports.handler = async () => 1;\n",
        "Description: |\n  Deploy with\n  ```bash\n  aws cloudformation deploy\n  ```\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
        'Description: "```yaml\\nResources: {}\\n```"\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n',
    ],
)
def test_a_template_with_fences_in_its_strings_is_the_template_itself(text: str) -> None:
    template = load_text(text, "stack.yaml")
    assert template.text == text
    assert template.mark_at(("Resources",)) == Mark(text.split("\n").index("Resources:") + 1, 1)


def test_a_broken_template_with_fences_in_its_strings_reports_its_own_error() -> None:
    text = "Description: |\n  Deploy with\n  ```bash\n  aws cloudformation deploy\n  ```\nResources:\n  Queue: Type: X\n"
    error = load_error(text, "stack.yaml")
    assert (error.message, error.line, error.column) == (
        "YAML syntax error: mapping values are not allowed in this context",
        7,
        14,
    )


# --- answers built to be slow --------------------------------------------------------------


def test_fenced_blocks_stops_at_its_limit() -> None:
    assert [block.fence_line for block in fenced_blocks("```\na\n```\n" * 5, limit=2)] == [1, 4]


def test_more_than_10000_blocks_are_refused() -> None:
    error = load_error("```bash\nls\n```\n" * 10_001)
    assert (error.message, error.line, error.column) == (
        "the Markdown has more than 10,000 code blocks; refusing to read it",
        30_001,
        1,
    )
    assert load_error("```bash\nls\n```\n" * 10_000).message.endswith("bash at line 22, 9992 more)")


def test_the_100_largest_template_blocks_are_read_and_the_rest_counted() -> None:
    small = "```yaml\n" + QUEUE + "```\n"  # 3 lines, fences on lines 1, 6, 11...
    large = "```yaml\n" + QUEUE + "  Dlq:\n    Type: AWS::SQS::Queue\n```\n"
    template = load_text(small * 105 + large, "answer.md")
    assert list(template.data["Resources"]) == ["Queue", "Dlq"]
    assert template.notes == (
        "99 other template blocks (lines 1, 6, 11, 16, 21, 26, 31, 36 and 91 more) were not checked; the largest, at line 526, was",
        "6 more blocks that look like templates were not read (the 100 largest are)",
    )


def test_notes_on_broken_blocks_name_eight_and_count_the_rest() -> None:
    broken = "```yaml\nResources: []\n```\n"
    template = load_text("```yaml\n" + QUEUE + "```\n" + broken * 10, "answer.md")
    message = "Resources is a list, not a mapping of logical ids to resources"
    assert template.notes == (
        *(
            f"the yaml block at line {line} looks like a template but does not load ({message}, line {line + 1}, column 1); "
            "it was not checked"
            for line in range(6, 30, 3)
        ),
        "2 more blocks that look like templates do not load either",
    )


# --- property: any answer-shaped text gets a template or a LoadError ----------------------------

PIECES = [
    "```yaml\n",
    "```\n",
    "~~~json\n",
    "~~~\n",
    "````\n",
    "   ```cfn\n",
    "    ```yaml\n",
    "1. Step:\n",
    "- item\n",
    "  - nested\n",
    "\t```\n",
    "> quoted\n",
    "Resources:\n",
    "  Queue:\n",
    "    Type: AWS::SQS::Queue\n",
    "   Resources:\n",
    "     Q: {Type: X}\n",
    '{"Resources": {"Q": {"Type": "X"}}}\n',
    "AWSTemplateFormatVersion: '2010-09-09'\n",
    "Insert here the Model Response that failed\n",
    "Some prose: with a colon.\n",
    "\n",
    "\r\n",
    "\r",
    "`",
    "~",
    "\t",
]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=30), path=st.sampled_from(["answer.md", "answer.yaml", "answer.json"]))
def test_any_answer_shaped_text_loads_or_says_why(pieces: list[str], path: str) -> None:
    text = "".join(pieces)
    try:
        template = load_text(text, path)
    except LoadError as error:
        assert error.message and 1 <= error.line <= text.count("\n") + text.count("\r") + 1 and error.column >= 1
        return
    assert template.text == text or len(template.text.split("\n")) == len(re.split(r"\r\n|\r|\n", text))
    lines = re.split(r"\r\n|\r|\n", text)
    for name, mark in template.resources.key_marks.items():
        assert name in lines[mark.line - 1][mark.column - 1 :]
