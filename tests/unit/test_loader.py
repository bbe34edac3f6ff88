"""Unit tests for loading (checker.load): scalars, short-form tags, source marks, and
every kind of input that is not a template (each must be a LoadError, fast).

The end of the file holds the property test of the whole front end:
mutated templates through load_text + resolve + recognise raise only LoadError.
"""

from __future__ import annotations

import json
import sys
import tracemalloc

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.load import MAX_BYTES, LoadError, Mark, load_file, load_text
from checker.load.decoding import decode
from checker.load.document import parse_document
from checker.model.recognise import Architecture, recognise
from checker.model.resolve import resolve
from tests.strategies import paths_in, replace_at, template_values

QUEUE_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags:
        - Key: team
          Value: orders
        - !Ref TagParam
"""


def load_error(text: str) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_text(text, "t.yaml")
    return caught.value


def file_error(path) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_file(path)
    return caught.value


def value_of(yaml_value: str) -> object:
    return parse_document(f"v: {yaml_value}\n")["v"]


# --- scalars and tags -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("30", 30),
        ('"30"', "30"),
        ("'30'", "30"),
        ("-5", -5),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("true", True),
        ("False", False),
        ('"true"', "true"),
        ("yes", "yes"),  # YAML 1.1 booleans stay strings in YAML 1.2
        ("on", "on"),
        ("null", None),
        ("~", None),
        ("2024-01-01", "2024-01-01"),
        ("012", 12),  # core schema: an integer, not the float 12.0
        ("!!str 5", "5"),
        ("!!int '7'", 7),
    ],
)
def test_yaml_12_scalars(written: str, expected: object) -> None:
    value = value_of(written)
    assert (value, type(value)) == (expected, type(expected))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("!Ref Queue", {"Ref": "Queue"}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!GetAtt Queue.Arn", {"Fn::GetAtt": ["Queue", "Arn"]}),
        ("!GetAtt Db.Endpoint.Address", {"Fn::GetAtt": ["Db", "Endpoint.Address"]}),
        ("!GetAtt [Queue, Arn]", {"Fn::GetAtt": ["Queue", "Arn"]}),
        ('!Sub "${AWS::StackName}-orders"', {"Fn::Sub": "${AWS::StackName}-orders"}),
        ("!Sub ['${a}', {a: !Ref B}]", {"Fn::Sub": ["${a}", {"a": {"Ref": "B"}}]}),
        ("!If [IsProd, 30, 7]", {"Fn::If": ["IsProd", 30, 7]}),
        ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
        ("!Not [!Equals [!Ref Env, prod]]", {"Fn::Not": [{"Fn::Equals": [{"Ref": "Env"}, "prod"]}]}),
        ("!FindInMap [M, k, v]", {"Fn::FindInMap": ["M", "k", "v"]}),
        ("!ImportValue shared", {"Fn::ImportValue": "shared"}),
    ],
)
def test_short_form_tags_become_long_form(written: str, expected: object) -> None:
    assert value_of(written) == expected


def test_unknown_tag_is_refused_where_written() -> None:
    error = load_error("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: !Foo bar\n")
    assert "unknown YAML tag '!Foo'" in error.message
    assert (error.line, error.column) == (5, 13)


# --- marks -------------------------------------------------------------------------


def test_yaml_marks_are_those_of_keys_and_list_items() -> None:
    template = load_text(QUEUE_YAML, "t.yaml")
    tags = ("Resources", "Queue", "Properties", "Tags")
    assert template.mark_at(("Resources",)) == Mark(2, 1)
    assert template.mark_at(("Resources", "Queue")) == Mark(3, 3)
    assert template.mark_at(("Resources", "Queue", "Type")) == Mark(4, 5)
    assert template.mark_at(tags) == Mark(6, 7)
    assert template.mark_at((*tags, 0)) == Mark(7, 11)
    assert template.mark_at((*tags, 0, "Value")) == Mark(8, 11)
    assert template.mark_at((*tags, 1)) == Mark(9, 11)


def test_mark_at_stops_at_the_deepest_existing_key() -> None:
    template = load_text(QUEUE_YAML, "t.yaml")
    assert template.mark_at(("Resources", "Queue", "Properties", "Missing", "Deeper")) == Mark(5, 5)
    assert template.mark_at(("Resources", "Queue", "Properties", "Tags", 7)) == Mark(6, 7)
    assert template.mark_at(("Outputs",)) == Mark(1, 1)


def test_json_with_tab_indentation_keeps_columns() -> None:
    text = (
        '{\n\t"Resources": {\n\t\t"Queue": {\n\t\t\t"Type": "AWS::SQS::Queue",\n'
        '\t\t\t"Properties": {"Tags": [1,\n\t\t\t\t2]}\n\t\t}\n\t}\n}\n'
    )
    template = load_text(text, "t.json")
    assert template.data["Resources"]["Queue"]["Type"] == "AWS::SQS::Queue"
    assert template.mark_at(("Resources",)) == Mark(2, 2)
    assert template.mark_at(("Resources", "Queue", "Type")) == Mark(4, 4)
    assert template.mark_at(("Resources", "Queue", "Properties", "Tags")) == Mark(5, 19)
    assert template.mark_at(("Resources", "Queue", "Properties", "Tags", 1)) == Mark(6, 5)


def test_json_marks_count_characters_not_bytes() -> None:
    template = load_text('{"Description": "é", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}', "t.json")
    assert template.mark_at(("Resources",)) == Mark(1, 22)
    assert template.mark_at(("Resources", "Q", "Type")) == Mark(1, 42)


def test_json_surrogate_pair_escapes_are_valid_json_and_keep_columns() -> None:
    # json.dumps writes non-BMP characters (emoji) as \\ud83d\\ude00 by default.
    text = json.dumps({"Description": "orders \U0001f600", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    template = load_text(text, "t.json")
    assert template.data["Description"] == "orders \U0001f600"
    assert template.mark_at(("Resources",)) == Mark(1, 40)
    assert template.mark_at(("Resources", "Q", "Type")) == Mark(1, 60)


def test_escaped_backslash_before_u_is_not_a_surrogate_escape() -> None:
    text = json.dumps({"Description": "\\ud83d\\ude00", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    assert load_text(text, "t.json").data["Description"] == "\\ud83d\\ude00"


def test_lines_are_the_files_even_where_yaml_breaks_lines_that_editors_do_not() -> None:
    """libyaml ends a line at NEL, U+2028 and U+2029 too; editors, Markdown and JSON do not, so marks after one
    (and errors) must still count the file's own lines and columns."""
    text = 'Description: "a\u2028b\x85c"\nResources:\n  Q: {Note: "x\u2029y", Type: AWS::SQS::Queue}\n'
    template = load_text(text, "t.yaml")
    assert template.mark_at(("Resources",)) == Mark(2, 1)
    assert template.mark_at(("Resources", "Q", "Type")) == Mark(3, 20)
    assert text.split("\n")[2][20 - 1 :].startswith("Type")
    error = load_error('Description: "\u2028"\nResources:\n  Q: Type: X\n')
    assert (error.message, error.line, error.column) == (
        "YAML syntax error: mapping values are not allowed in this context",
        3,
        10,
    )
    answer = load_text('Here:\n\n```json\n{"Description": "\u2028",\n "Resources": {"Q": {"Type": "X"}}}\n```\n', "a.md")
    assert answer.mark_at(("Resources", "Q", "Type")) == Mark(5, 22)


def test_byte_order_mark_is_ignored() -> None:
    template = load_text(decode(b"\xef\xbb\xbf" + QUEUE_YAML.encode()), "t.yaml")
    assert template.mark_at(("Resources", "Queue")) == Mark(3, 3)


# --- what is not a template -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment", "line", "column"),
    [
        ("", "the file is empty", 1, 1),
        ("  \n\t\n   \n", "the file holds only whitespace", 1, 1),
        ("This stack creates a queue and a function.\nIt is great.\n", "prose or a single value", 1, 1),
        ("Insert here the Model Response that failed", "placeholder, not a template: 'Insert here the Model", 1, 1),
        (
            "Here is an overview of the solution. The architecture has three parts:\nan SQS queue, a Lambda and a table.\n",
            "the file holds prose or a single value",
            1,
            1,
        ),
        ("Insert here the Model Response that failed:\n(nothing yet)\n", "placeholder, not a template: 'Insert here", 1, 1),
        (
            "Description: orders stack in three parts: queue, function\nResources:\n  Queue: {Type: X}\n",
            "YAML syntax error: mapping values are not allowed",  # a template's own error, though it reads like prose
            1,
            41,
        ),
        (
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   Properties: {}\n",
            "YAML syntax error: did not find expected key (while parsing a block mapping at line 2, column 3)",
            4,
            4,
        ),
        ("Resources:\n  Queue: Type: AWS::SQS::Queue\n", "YAML syntax error: mapping values are not allowed", 2, 14),
        ('{\n\t"Resources": {\n\t\t"Queue": {\n\t\t\t"Type": AWS::SQS::Queue\n', "JSON syntax error: Expecting value", 4, 12),
        ("Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n", "duplicate key 'A' (first at line 2)", 4, 3),
        ('{"Resources": {"A": {"Type": "X"}, "A": {"Type": "Y"}}}', "duplicate key 'A' (first at line 1)", 1, 36),
        ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n", "looks like a Kubernetes manifest", 1, 1),
        (
            "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
            "looks like a GitHub Actions workflow",
            1,
            1,
        ),
        ("- Resources\n- Type\n", "the document is a list", 1, 1),
        ('[{"Resources": {}}]', "the document is a list", 1, 1),
        ("42\n", "the document is a single value", 1, 1),
        ("Description: x\nResources: {}\n", "Resources is empty; a template declares at least one resource", 2, 1),
        ("Description: x\nResources:\n", "Resources has no value; a template declares at least one resource", 2, 1),
        ("Description: x\nResources: [Queue]\n", "Resources is a list, not a mapping of logical ids to resources", 2, 1),
        ("Description: x\nResources: AWS::SQS::Queue\n", "Resources is a single value, not a mapping of logical", 2, 1),
        ("Resources:\n  Queue:\n    Properties: {}\n", "resource 'Queue' has no Type", 2, 3),
        ("Resources:\n  Queue: AWS::SQS::Queue\n", "resource 'Queue' is not a mapping", 2, 3),
        ("Resources:\n  Q:\n    Type: X\n---\nResources: {}\n", "more than one YAML document", 4, 1),
        ("Resources:\n  Q:\n    Type: *nowhere\n", "alias '*nowhere' refers to no anchor", 3, 11),
    ],
)
def test_not_a_template(text: str, fragment: str, line: int, column: int) -> None:
    error = load_error(text)
    assert fragment in error.message
    assert (error.line, error.column) == (line, column)


TRAILING_COMMA = '{\n  "Resources": {\n    "Queue": {\n      "Type": "AWS::SQS::Queue",\n    }\n  }\n}\n'


def test_a_json_file_must_be_json() -> None:
    with pytest.raises(LoadError) as caught:
        load_text(TRAILING_COMMA, "t.json")
    assert (caught.value.message, caught.value.line, caught.value.column) == (
        "JSON syntax error: Expecting property name enclosed in double quotes",
        5,
        5,
    )


def test_flow_style_yaml_that_is_not_json_still_loads() -> None:
    """YAML allows the trailing comma JSON refuses; a .yaml file is judged as YAML."""
    template = load_text(TRAILING_COMMA, "t.yaml")
    assert template.data == {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    assert template.mark_at(("Resources", "Queue", "Type")) == (4, 7)


@pytest.mark.parametrize(
    ("raw", "fragment", "line", "column"),
    [
        (b"Resources:\n  A:\x00", "binary content: NUL byte at offset 15", 2, 5),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content: NUL byte at offset 8", 3, 1),
        (b"Resources:\n  \xff\xfe", "not valid UTF-8 (byte 0xff at offset 13)", 2, 3),
        ("Resources:\n  Café: x\n".encode("latin-1"), "not valid UTF-8 (byte 0xe9 at offset 16)", 2, 6),
    ],
)
def test_bytes_that_are_not_text(raw: bytes, fragment: str, line: int, column: int) -> None:
    with pytest.raises(LoadError) as caught:
        decode(raw)
    assert fragment in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)


def test_control_characters_are_refused() -> None:
    error = load_error(decode(b"Resources:\n  Q:\n    Type: \x01\n"))
    assert "control characters are not allowed" in error.message


def test_billion_laughs_is_refused_not_expanded() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    tracemalloc.start()
    try:
        error = load_error("\n".join(lines) + "\nResources: *a9\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024  # 3.5 billion laughs never built: aliases are counted, not copied
    assert "aliases expand to more than 2,000,000 values (an alias bomb?)" in error.message
    assert (error.line, error.column) == (7, 20)  # the first alias that crosses the limit: *a5 of a6


def test_aliases_below_the_limit_are_shared_values() -> None:
    data = parse_document("Base: &tags [a, b]\nOther: *tags\n")
    assert data["Other"] == ["a", "b"]


TOO_DEEP = "the document nests deeper than 200 levels; refusing to load it"


@pytest.mark.parametrize(
    ("name", "content", "message", "line", "column"),
    [
        (
            "flow.yaml",
            "Resources: " + "[" * 100_000 + "]" * 100_000 + "\n",
            TOO_DEEP,  # libyaml's own limit (1,000 flow levels) is met first, and said the same way
            1,
            1011,
        ),
        ("block.yaml", "Resources:\n" + "- " * 100_000 + "x\n", TOO_DEEP, 2, 399),
        ("array.json", "[" * 100_000 + "]" * 100_000, TOO_DEEP, 1, 1),
        ("object.json", '{"a": ' * 100_000 + "1" + "}" * 100_000, TOO_DEEP, 1, 1),
    ],
)
def test_nesting_100000_levels_deep_is_refused(tmp_path, name: str, content: str, message: str, line: int, column: int) -> None:
    path = tmp_path / name
    path.write_text(content)
    error = file_error(path)
    assert (error.message, error.line, error.column) == (message, line, column)


def test_nesting_just_inside_the_limit_loads() -> None:
    data = parse_document('{"a": ' * 150 + "1" + "}" * 150)
    for _ in range(150):
        data = data["a"]
    assert data == 1


def test_a_50_mb_file_is_refused(tmp_path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * (50 * 1024 * 1024 // 10))
    assert path.stat().st_size == 50 * 1024 * 1024
    error = file_error(path)
    assert error.message.startswith("the file is larger than 5 MiB; such templates are refused")


def test_a_file_just_under_the_limit_is_read() -> None:
    assert decode(b"#" * MAX_BYTES) == "#" * MAX_BYTES


def test_unreadable_paths(tmp_path) -> None:
    assert file_error(tmp_path / "missing.yaml").message.startswith("cannot read the file: No such file")
    assert file_error(tmp_path).message.startswith("not a regular file (a directory, pipe, socket or device)")


def test_load_file_reads_a_template(tmp_path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(QUEUE_YAML)
    template = load_file(path)
    assert (template.path, template.data["Resources"]["Queue"]["Type"]) == (str(path), "AWS::SQS::Queue")


# --- YAML tags that ask for Python objects never run anything ----------------------


def python_payloads(marker) -> list[str]:
    command = f"{sys.executable} -c \"open({str(marker)!r}, 'w')\""
    return [
        f"Resources: !!python/object/apply:os.system [{json.dumps(command)}]\n",
        f"!!python/object/apply:os.system [{json.dumps(command)}]\n",
        f"Resources:\n  Q:\n    Type: !!python/object/new:os.system [{json.dumps(command)}]\n",
        f"Resources: !<tag:yaml.org,2002:python/object/apply:os.system> [{json.dumps(command)}]\n",
        f"%TAG !p! tag:yaml.org,2002:python/\n---\nResources: !p!object/apply:os.system [{json.dumps(command)}]\n",
    ]


def test_python_tags_are_live_payloads_under_an_unsafe_loader(tmp_path) -> None:
    """The control: the payloads below really do create the file when a Python object is constructed."""
    marker = tmp_path / "created-by-unsafe-load"
    yaml.unsafe_load(python_payloads(marker)[0])
    assert marker.exists()


@pytest.mark.parametrize("index", range(5))
def test_python_tags_never_execute(tmp_path, index: int) -> None:
    marker = tmp_path / "pwned"
    error = load_error(python_payloads(marker)[index])
    assert "asks for a Python object" in error.message
    assert "nothing was constructed" in error.message
    assert not marker.exists()


def test_python_name_tag_is_refused_where_written() -> None:
    error = load_error("Resources:\n  Q:\n    Type: !!python/name:os.system x\n")
    assert error.message.startswith("YAML tag '!!python/name:os.system' asks for a Python object")
    assert (error.line, error.column) == (3, 11)


# --- property: the front end raises LoadError and nothing else -----------------------

SEED_YAML = """\
Parameters:
  Env: {Type: String, Default: prod}
  Memory: {Type: Number, Default: 256}
Mappings:
  Retention: {prod: {Days: 30}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub ${AWS::StackName}-orders
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}
  Dlq:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Table:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Join ["-", [!Ref "AWS::StackName", fn]]
      MemorySize: !Ref Memory
      Role: !GetAtt Role.Arn
      Environment: {Variables: {TABLE: !Ref Table, ZONE: !Select [0, !GetAZs ""]}}
      LoggingConfig: {LogGroup: !Ref Logs}
  Map:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: !Ref Fn}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: !If [IsProd, !FindInMap [Retention, !Ref Env, Days], !Ref AWS::NoValue]
  Role:
    Type: AWS::IAM::Role
"""
SEED_DATA = {
    "Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a,b"}, "Open": {"Type": "String"}},
    "Conditions": {"Off": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Open"}, "x"]}]}},
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Condition": "Off",
            "Properties": {"FunctionName": {"Fn::Select": [1, {"Ref": "Names"}]}, "Timeout": 30},
        },
        "Alarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {"Dimensions": [{"Name": "FunctionName", "Value": {"Fn::Sub": "${Fn}-${!x}"}}]},
        },
    },
}
SEEDS = [SEED_YAML, json.dumps(SEED_DATA, indent=2), yaml.safe_dump(SEED_DATA)]

NAMES = [
    "Queue",
    "Dlq",
    "Fn",
    "Table",
    "Logs",
    "Role",
    "Env",
    "Memory",
    "Names",
    "IsProd",
    "Off",
    "Missing",
    "Queue.Arn",
    "Fn.Arn",
    "Queue.{x}",
    "AWS::Region",
    "AWS::NoValue",
    "AWS::StackName",
    "Retention",
    "Days",
    "prod",
    "",
    "${Fn}",
]
TOKENS = [
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!If ",
    "!Select ",
    "!FindInMap ",
    "!Condition ",
    "&a ",
    "*a",
    "<<: ",
    "{",
    "}",
    "[",
    "]",
    "- ",
    ": ",
    ", ",
    "\t",
    '"',
    "'",
    "\n",
    "  ",
    "---\n",
    "!!python/name:os.system ",
    "!!binary ",
    "${",
    "\x00",
    "\ufeff",
    "\x85",
    "\ud800",
    "1e999",
    "-0",
    ".inf",
]

values = template_values(NAMES)


@st.composite
def mutated_texts(draw) -> str:
    seed = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["bytes", "lines", "token", "structure"]))
        if kind == "bytes":
            raw = seed.encode("utf-8", "surrogatepass")
            start = draw(st.integers(0, len(raw)))
            end = draw(st.integers(start, min(len(raw), start + 8)))
            raw = raw[:start] + draw(st.binary(max_size=6)) + raw[end:]
            seed = raw.decode("utf-8", "surrogateescape")
        elif kind == "lines":
            lines = seed.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            operation = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent"]))
            if operation == "delete":
                del lines[i]
            elif operation == "duplicate":
                lines.insert(j, lines[i])
            elif operation == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            elif operation == "indent":
                lines[i] = "  " + lines[i]
            else:
                lines[i] = lines[i][2:]
            seed = "\n".join(lines)
        elif kind == "token":
            at = draw(st.integers(0, len(seed)))
            seed = seed[:at] + draw(st.sampled_from(TOKENS)) + seed[at:]
        else:
            try:
                data = json.loads(json.dumps(parse_document(seed)))
            except (LoadError, ValueError):
                continue
            path = draw(st.sampled_from(paths_in(data)))
            data = replace_at(data, path, draw(values), rename=bool(path) and draw(st.booleans()))
            if draw(st.booleans()):
                seed = json.dumps(data, indent=draw(st.sampled_from([None, 2, "\t"])), default=str)
            else:
                seed = yaml.safe_dump(data, default_flow_style=draw(st.sampled_from([None, False, True])))
    return seed


def _front_end(text: str, overrides: dict[str, str]) -> None:
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    try:
        template = load_text(decode(raw), "fuzz.yaml")
    except LoadError:
        return
    recognise(resolve(template, overrides))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=mutated_texts(),
    overrides=st.dictionaries(st.sampled_from(["Env", "Memory", "Names", "Open", "Other"]), st.text(max_size=8), max_size=2),
)
def test_front_end_raises_only_load_error(text: str, overrides: dict[str, str]) -> None:
    _front_end(text, overrides)


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (
            SEEDS[0],
            Architecture(
                processor="Fn",
                order_queue="Queue",
                dlq="Dlq",
                status_table="Table",
                mapping="Map",
                processor_role="Role",
                processor_log_group="Logs",
            ),
        ),
        (
            SEEDS[1],
            Architecture(
                processor="Fn",
                order_queue="Queue",
                dlq=None,
                status_table=None,
                mapping=None,
                processor_role=None,
                processor_log_group=None,
            ),
        ),
        (
            SEEDS[2],
            Architecture(
                processor="Fn",
                order_queue="Queue",
                dlq=None,
                status_table=None,
                mapping=None,
                processor_role=None,
                processor_log_group=None,
            ),
        ),
    ],
)
def test_seeds_are_valid_templates(seed: str, expected: Architecture) -> None:
    """Without this, the property test could be throwing nothing but LoadErrors at the resolver."""
    assert recognise(resolve(load_text(seed, "seed"))) == expected


# --- where values are written ---------------------------------------------------------------------

VALUE_POSITIONS = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: "arn:aws:iam::123456789012:role/x-123456789012"
      Code:
        ZipFile: !Sub |
          // ${AWS::Region}
          exports.handler = async () => ({});
      Layers: [arn:aws:lambda:eu-west-1:123456789012:layer:x:1]
"""


def test_a_value_knows_where_it_begins() -> None:
    template = load_text(VALUE_POSITIONS, "positions.yaml")
    properties = ("Resources", "Fn", "Properties")
    assert template.value_mark_at((*properties, "Role")) == Mark(5, 13)
    assert template.value_mark_at((*properties, "Code", "ZipFile")) == Mark(7, 18)
    assert template.value_mark_at((*properties, "Layers", 0)) == Mark(10, 16)
    assert template.value_mark_at((*properties, "Missing")) is None


def test_text_is_located_inside_the_value_that_holds_it() -> None:
    template = load_text(VALUE_POSITIONS, "positions.yaml")
    role = ("Resources", "Fn", "Properties", "Role")
    assert template.locate(role, "123456789012") == Mark(5, 27)
    assert template.locate(role, "123456789012", occurrence=1) == Mark(5, 47)
    assert template.locate(role, "123456789012", occurrence=2) == Mark(10, 41)  # the search runs on past the value
    assert template.locate(("Resources", "Fn", "Properties", "Layers", 0), "eu-west-1") == Mark(10, 31)


def test_lines_of_a_literal_block_are_the_files_lines() -> None:
    template = load_text(VALUE_POSITIONS, "positions.yaml")
    code = ("Resources", "Fn", "Properties", "Code", "ZipFile", "Fn::Sub")
    assert [template.text_line_of(code, line) for line in (1, 2)] == [8, 9]


def test_a_json_string_holds_all_its_lines_on_one_line() -> None:
    text = '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",\n "Properties": {"Code": {"ZipFile": "a\\nb\\nc"}}}}}\n'
    template = load_text(text, "one-line.json")
    code = ("Resources", "Fn", "Properties", "Code", "ZipFile")
    assert template.value_mark_at(code) == Mark(2, 37)
    assert template.text_line_of(code, 3) == 2
