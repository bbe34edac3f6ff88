"""The Model Failures Analysis in Markdown, read back as GitHub would read it.

Every test parses the document with markdown-it-py (CommonMark with GFM tables and strikethrough) and asserts on
the token stream: the headings in order, tables that are tables with their header and rows, every failing rule in
the Fixes, the snippets as yaml blocks, and that text from a hostile template stays text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, RuleResult, RunReport, SkippedFile
from checker.reports import FORMATS, RenderOptions
from checker.reports.markdown import FOLD_LINES, STEP_SUMMARY_LIMIT, escape, render_markdown, render_step_summary
from checker.reports.summary import tally
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, REFERENCE, ROOT
from tests.suppressions import HOSTILE_MARKS, HOSTILE_REASON, HOSTILE_STALE, suppress
from tests.test_golden_reports import render_options

CANDIDATES = FIXTURES / "reports"
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
SECTIONS = [
    "Overview",
    "Expected vs Actual",
    "Analysis of missing components and failures by category",
    "Fixes",
    "Not applicable or not judged",
    "Conclusion",
]
CATEGORY_HEADINGS = ["Architecture", "Cost", "Monitoring and observability", "Security", "Reliability"]
DETAILS = re.compile(r"<details>\n<summary>The reference does it so \(\d+ lines\)</summary>\n|</details>\n")


def check(*paths: Path) -> RunReport:
    """Check as the CLI does, from the repository root, so that paths in the document are machine-independent."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        names = [str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path) for path in paths]
        return check_paths(names, CheckOptions(cfn_lint=False, today=CHECK_DATE))


@pytest.fixture(scope="module")
def options() -> RenderOptions:
    return render_options()


@pytest.fixture(scope="module")
def failing() -> RunReport:
    return check(CANDIDATES / "model-response.yaml")


def headings(tokens: list[Token]) -> list[tuple[int, str]]:
    return [(int(token.tag[1]), text_of(tokens[index + 1])) for index, token in enumerate(tokens) if token.type == "heading_open"]


def section(tokens: list[Token], title: str, level: int) -> list[Token]:
    """The tokens under the heading `title` of `level`, up to the next heading of that level or above."""
    start = next(
        index
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == f"h{level}" and text_of(tokens[index + 1]) == title
    )
    end = next(
        (
            index
            for index in range(start + 1, len(tokens))
            if tokens[index].type == "heading_open" and int(tokens[index].tag[1]) <= level
        ),
        len(tokens),
    )
    return tokens[start + 3 : end]


def text_of(token: Token) -> str:
    """What a reader sees of an inline token: its text, escapes undone."""
    return "".join(child.content for child in token.children or ())


def tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cell texts, its header row first."""
    found: list[list[list[str]]] = []
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            found[-1].append([])
        elif token.type in ("th_open", "td_open"):
            found[-1][-1].append(text_of(tokens[index + 1]))
    return found


def rows(tokens: list[Token]) -> list[list[str]]:
    """The rows of every table, one list."""
    return [row for table in tables(tokens) for row in table]


# --- one failing candidate ------------------------------------------------------------------------------------


def test_the_sections_come_in_the_order_of_the_hand_written_analysis(failing: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(failing, options))
    found = headings(tokens)
    assert found[0] == (1, "Model Failures Analysis")
    assert [title for level, title in found if level == 2] == SECTIONS
    analysis = section(tokens, "Analysis of missing components and failures by category", 2)
    assert [title for level, title in headings(analysis)] == CATEGORY_HEADINGS  # no template findings: not said
    expected = section(tokens, "Expected vs Actual", 2)
    assert [title for _, title in headings(expected)] == [
        "What the reference has and what the candidate provides",
        "Settings that differ",
    ]


def test_the_overview_gives_the_verdict_and_the_counts(failing: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(failing, options))
    overview = section(tokens, "Overview", 2)
    numbers = tally(failing.files[0], options.severities())
    assert text_of(overview[1]).startswith("Non-compliant: 16 errors and 7 warnings")
    assert text_of(overview[4]) == "Candidate: tests/fixtures/reports/model-response.yaml"
    [counts] = tables(overview)
    assert counts == [
        ["Measure", "Count"],
        ["Errors", "16"],
        ["Warnings", "7"],
        ["Suppressed findings", "0"],
        ["Rules passed", str(numbers.passed)],
        ["Rules failed", str(numbers.failed)],
        ["Rules not applicable", "7"],
        ["Rules not judged (unknown)", "0"],
        ["Score (of 100)", f"{numbers.score:g}"],
    ]


def test_expected_vs_actual_is_one_row_per_reference_component(failing: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(failing, options))
    components, settings = tables(section(tokens, "Expected vs Actual", 2))
    reference = failing.files[0].reference
    assert components[0] == ["Component", "Reference resource", "Candidate resource", "State"]
    assert [row[1] for row in components[1:]] == [match.reference_resource for match in reference]
    assert [row[2] for row in components[1:]] == [match.candidate_resource or "missing" for match in reference]
    assert components[2] == ["Dead-letter queue", "DeadLetterQueue", "missing", "missing"]
    assert components[1] == ["SQS order queue", "OrderQueue", "OrdersQueue", "failing (ARCH006, ARCH009, SEC005)"]
    assert settings[0] == ["Component", "Setting", "Reference", "Candidate"]
    assert len(settings) - 1 == sum(len(match.differences) for match in reference)
    assert ["DynamoDB order-status table", "BillingMode", "PAY_PER_REQUEST", "PROVISIONED"] in settings
    assert ["SQS order queue", "maxReceiveCount", "5", "not set"] in settings
    assert [
        "Event source mapping (queue to processor)",
        "FunctionResponseTypes",
        '["ReportBatchItemFailures"]',
        "not set",
    ] in settings


def test_each_finding_says_where_what_why_and_the_fix(failing: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(failing, options))
    security = section(tokens, "Security", 3)
    items = [text_of(token) for token in security if token.type == "inline"]
    assert items[0] == "6 findings from 5 failing rules; 4 of 9 judged rules pass."
    assert items[1:6] == [
        "ERROR SEC001: IAM policies grant no wildcard actions",
        "Where: tests/fixtures/reports/model-response.yaml:44:26, resource ProcessorRole, "
        "at Resources/ProcessorRole/Properties/Policies/0/PolicyDocument/Statement/0/Action/0",
        "Observed: ProcessorRole allows the wildcard action 'sqs:*'.",
        "Why it matters: Least privilege: '*' or 'service:*' grants every present and future action of a service, "
        "and NotAction with Allow grants everything not listed.",
        "Fix: List the exact actions the function needs (e.g. sqs:ReceiveMessage, dynamodb:PutItem) instead of wildcards.",
    ]


def test_every_failing_rule_has_a_fix_errors_first(failing: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(failing, options))
    fixes = [title for _, title in headings(section(tokens, "Fixes", 2))]
    ids = [title.split(" ", 1)[0] for title in fixes]
    severities = options.severities()
    assert set(ids) == set(tally(failing.files[0], severities).failed_rules)
    assert len(ids) == len(set(ids))
    assert [severities[rule_id] for rule_id in ids] == sorted(
        (severities[rule_id] for rule_id in ids), key=lambda s: s != "error"
    )
    assert fixes[0] == "ARCH002 (error): Orders are processed by a Lambda function on a current Node.js runtime"


def test_the_reference_lines_are_yaml_blocks_long_ones_folded(failing: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(failing, options))
    fixes = section(tokens, "Fixes", 2)
    fences = [token for token in fixes if token.type == "fence"]
    assert fences and all(token.info == "yaml" for token in fences)
    assert [token for token in tokens if token.type == "fence"] == fences  # only the Fixes quote the reference
    shown = {token.content.rstrip("\n") for token in fences}
    quoted = {options.snippets[rule_id].rstrip("\n") for rule_id in tally(failing.files[0], options.severities()).failed_rules}
    assert shown == quoted - {""}  # each snippet once, even when several rules share it
    assert len(fences) == len(shown)
    folded = [token for token in fixes if token.type == "html_block"]
    assert all(DETAILS.fullmatch(token.content) for token in folded)
    long = sum(len(content.splitlines()) > FOLD_LINES for content in shown)
    assert long > 0 and len(folded) == 2 * long


def test_not_judged_rules_say_why(failing: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(failing, options))
    [table] = tables(section(tokens, "Not applicable or not judged", 2))
    assert table[0] == ["Rule", "Title", "Status", "Why"]
    assert [row[0] for row in table[1:]] == ["TPL002", "TPL004", "ARCH007", "COST004", "MON002", "SEC009", "REL003"]
    assert table[1][2:] == ["not applicable", "the cfn-lint pass was turned off (--no-cfn-lint)"]


def test_a_fence_outlasts_any_backtick_run_in_the_snippet(failing: RunReport, options: RenderOptions) -> None:
    snippet = "Code:\n  ZipFile: |\n    ```js\n    const a = `x`;\n    ````\n"
    tokens = PARSER.parse(render_markdown(failing, RenderOptions("0", snippets={"ARCH002": snippet}, rules=options.rules)))
    [fence] = [token for token in tokens if token.type == "fence"]
    assert (fence.info, fence.content, fence.markup) == ("yaml", snippet, "`````")


# --- other candidates -----------------------------------------------------------------------------------------


def test_an_invalid_input_gets_the_reason_the_finding_and_the_conclusion(options: RenderOptions) -> None:
    report = check(CANDIDATES / "broken.yaml")
    tokens = PARSER.parse(render_markdown(report, options))
    assert headings(tokens) == [
        (1, "Model Failures Analysis"),
        (2, "Overview"),
        (2, "Analysis of missing components and failures by category"),
        (3, "Template validity"),
        (2, "Conclusion"),
    ]
    assert not [token for token in tokens if token.type in ("table_open", "fence")]
    overview = section(tokens, "Overview", 2)
    assert text_of(overview[1]) == (
        "Could not be evaluated: YAML syntax error: did not find expected ',' or '}' "
        "(while parsing a flow mapping at line 5, column 17)."
    )
    items = [text_of(token) for token in section(tokens, "Template validity", 3) if token.type == "inline"]
    assert items[1:3] == ["ERROR TPL001: The input is a CloudFormation template", "Where: tests/fixtures/reports/broken.yaml:6:8"]
    assert text_of(section(tokens, "Conclusion", 2)[1]).startswith("The candidate could not be read as a CloudFormation template")


def test_a_compliant_candidate_has_no_fixes_and_says_each_category_passed(options: RenderOptions) -> None:
    tokens = PARSER.parse(render_markdown(check(REFERENCE), options))
    assert [title for level, title in headings(tokens) if level == 2] == [
        "Overview",
        "Expected vs Actual",
        "Analysis of missing components and failures by category",
        "Not applicable or not judged",  # TPL002 at least: these tests turn cfn-lint off
        "Conclusion",
    ]
    assert [title for _, title in headings(section(tokens, "Expected vs Actual", 2))] == [
        "What the reference has and what the candidate provides"  # nothing differs: no settings table
    ]
    for category in CATEGORY_HEADINGS:
        [line] = [text_of(token) for token in section(tokens, category, 3) if token.type == "inline"]
        assert re.fullmatch(r"No failures: (\d+) of \1 judged rules pass\.", line), line


def test_a_run_over_many_files_has_a_summary_and_a_section_per_file(options: RenderOptions) -> None:
    report = check(CANDIDATES / "model-response.yaml", CANDIDATES / "sam-answer.md", CANDIDATES / "broken.yaml")
    tokens = PARSER.parse(render_markdown(report, options))
    found = headings(tokens)
    paths = [file.path for file in report.files]
    assert [title for level, title in found if level == 2] == paths
    assert [title for level, title in found if level == 1] == ["Model Failures Analysis"]
    first_file = next(index for index, token in enumerate(tokens) if token.type == "heading_open" and token.tag == "h2")
    words = {"compliant": "compliant", "non_compliant": "non-compliant", "invalid": "invalid"}
    expected = [["File", "Status", "Score", "Errors", "Warnings", "Suppressed", "Unknown"]]
    for file in report.files:
        t = tally(file, options.severities())
        expected.append(
            [file.path, words[file.status], f"{t.score:g}", str(t.errors), str(t.warnings), str(t.suppressed), str(t.unknown)]
        )
    assert tables(tokens[:first_file]) == [expected]
    for path in paths:
        titles = [title for level, title in headings(section(tokens, path, 2)) if level == 3]
        assert titles[0] == "Overview" and titles[-1] == "Conclusion"
    assert [title for level, title in headings(section(tokens, paths[0], 2)) if level == 3] == SECTIONS
    assert [title for level, title in headings(section(tokens, paths[1], 2)) if level == 4][:2] == [
        "What the reference has and what the candidate provides",
        "Settings that differ",
    ]


def test_a_run_that_checked_nothing_says_so_and_lists_what_it_skipped(options: RenderOptions) -> None:
    report = RunReport((), (SkippedFile("notes|<b>.yaml", "# not a template\n- really"),))
    tokens = PARSER.parse(render_markdown(report, options))
    assert headings(tokens) == [(1, "Model Failures Analysis"), (2, "Skipped inputs")]
    assert [text_of(token) for token in tokens if token.type == "inline"][1:] == [
        "No file was checked.",
        "Skipped inputs",
        "notes|<b>.yaml: # not a template - really",
    ]
    summary = PARSER.parse(render_step_summary(report, options))
    assert [text_of(token) for token in summary if token.type == "inline"] == [
        "cfn-compliance",
        "0 files: 0 compliant, 0 non-compliant, 0 invalid; 0 errors, 0 warnings.",
        "1 input skipped.",
    ]


def test_the_format_is_registered_with_the_reference_and_snippets(failing: RunReport, options: RenderOptions) -> None:
    chosen = FORMATS["markdown"]
    assert (chosen.shows_reference, chosen.uses_snippets) == (True, True)
    assert chosen.render(failing, options) == render_markdown(failing, options)


# --- hostile text ---------------------------------------------------------------------------------------------

NASTY = "a|b `c` <script>alert(1)</script> # h [l](javascript:alert(1)) *e* _u_ ~~s~~ $x$ &amp; \\ <http://x.y>"
QUEUE = "Q|`t`<script>alert(1)</script>*e*"
TABLE = "# T[l](javascript:alert(1))"
BILLING = "PROVISIONED|<img src=x onerror=alert(1)>\n# h\n| a | b |\n- item"
HOSTILE = f"""\
AWSTemplateFormatVersion: '2010-09-09'
Description: "{NASTY}\\n# second heading\\n- item"
Resources:
  "{QUEUE}":
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  "{TABLE}":
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: {json.dumps(BILLING)}
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      MemorySize: 1024
      Environment: {{Variables: {{TABLE_NAME: !Ref "{TABLE}"}}}}
      Code:
        ZipFile: "exports.handler = async () => {{}};"
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt "{QUEUE}.Arn"
      FunctionName: !Ref Fn
"""


def flat(text: str) -> str:
    return " ".join(text.split("\n")).strip()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> RunReport:
    directory = tmp_path_factory.mktemp("hostile")
    (directory / "a|`b`<i>[x](javascript:y)*.yaml").write_text(HOSTILE)
    (directory / "# h\n- l.yaml").write_text(HOSTILE)
    return check(*sorted(directory.iterdir()))


def test_hostile_text_stays_text(hostile: RunReport, options: RenderOptions) -> None:
    document = render_markdown(hostile, options)
    tokens = PARSER.parse(document)
    inline = [child for token in tokens for child in token.children or ()]
    assert [t for t in tokens if t.type == "html_block" and not DETAILS.fullmatch(t.content)] == []
    assert [t.type for t in inline if t.type in ("html_inline", "link_open", "image", "code_inline", "em_open", "s_open")] == []
    assert {t.type for t in tokens} >= {"table_open", "fence"}
    found = headings(tokens)
    assert [title for level, title in found if level == 2] == [file.path.replace("\n", " ") for file in hostile.files]
    assert [title for level, title in found if level == 3] == SECTIONS * 2
    # The ids and values come through whole, as text: nothing split a cell, nothing was lost.
    for table in tables(tokens):
        assert len({len(row) for row in table}) == 1
    components = [row for table in tables(tokens) if table[0][1] == "Reference resource" for row in table]
    assert [row[2] for row in components if row[0] == "SQS order queue"] == [QUEUE, QUEUE]
    assert [row[2] for row in components if row[0] == "DynamoDB order-status table"] == [TABLE, TABLE]
    assert [row[3] for row in rows(tokens) if row[1] == "BillingMode"] == [flat(BILLING)] * 2
    # Each table line has exactly the pipes of its columns: the others are escaped.
    for line in document.splitlines():
        if line.startswith("| "):
            columns = len(re.findall(r"(?<!\\)(?:\\\\)*\|", line)) - 1
            assert columns in (2, 4, 7), line


def test_hostile_suppression_reasons_and_stale_entries_stay_text(hostile: RunReport, options: RenderOptions) -> None:
    """A reason comes from the template's Metadata (or the baseline file): pipes, backticks, `<script>`, `</style>`,
    links and line breaks in it add nothing to the document, and it comes through whole in its table cell."""
    report = suppress(hostile, HOSTILE_MARKS, stale=(HOSTILE_STALE,))
    document = render_markdown(report, options)
    tokens = PARSER.parse(document)
    inline = [child for token in tokens for child in token.children or ()]
    assert [t for t in tokens if t.type == "html_block" and not DETAILS.fullmatch(t.content)] == []
    assert [t.type for t in inline if t.type in ("html_inline", "link_open", "image", "code_inline", "em_open", "s_open")] == []
    assert [title for level, title in headings(tokens) if level == 3].count("Suppressed findings") == 2
    assert [title for level, title in headings(tokens) if level == 2][-1] == "Stale baseline entries"
    for table in tables(tokens):
        assert len({len(row) for row in table}) == 1
    suppressed = [table for table in tables(tokens) if table[0] == ["Rule", "Where", "Kind", "Reason", "Expires"]]
    assert [[row[0], row[2], row[3], row[4]] for table in suppressed for row in table[1:]] == [
        ["COST002 (error)", "inline (the template's Metadata)", flat(HOSTILE_REASON), "2027-06-30"],
        ["MON004 (warning)", "baseline", flat(HOSTILE_REASON), "no expiry"],
    ] * 2
    [stale] = [table for table in tables(tokens) if table[0][0:2] == ["Rule", "File"]]
    assert stale[1] == [
        "SEC001",
        HOSTILE_STALE.path,
        HOSTILE_STALE.resource,
        HOSTILE_STALE.property_path,
        flat(HOSTILE_REASON),
        HOSTILE_STALE.fingerprint,
    ]


def test_hostile_file_names_stay_text_in_the_summary(hostile: RunReport, options: RenderOptions) -> None:
    tokens = PARSER.parse(render_step_summary(hostile, options))
    assert [token.type for token in tokens if token.type.startswith(("heading", "html"))] == ["heading_open", "heading_close"]
    [table] = tables(tokens)
    assert [row[0] for row in rows(tokens)[1:]] == [file.path.replace("\n", " ") for file in hostile.files]
    assert len(table) == 3 and all(len(row) == 7 for row in table)


@pytest.mark.parametrize(
    "text",
    [NASTY, "# h", "- item", "+ x", "1. one", "12) two", "> quote", "===", "---", "    code", "<!-- c -->", "a\n===", "|a|"],
)
def test_escaped_text_is_one_paragraph_of_the_same_text(text: str) -> None:
    assert_inert(text)


@given(st.text(alphabet=st.sampled_from("\\`*_{}[]<>()#+-.!|~$&;:=/ \n\tax1"), max_size=40) | st.text(max_size=40))
def test_any_text_escapes_to_itself(text: str) -> None:
    assert_inert(text)


def assert_inert(text: str) -> None:
    """As a paragraph and as a table cell, the escaped text is one text run equal to the text on one line."""
    from checker.reports.text import inert

    expected = inert(" ".join(re.split(r"\r\n|[\r\n\t\v\f\x85\u2028\u2029]", text))).strip()
    tokens = PARSER.parse(escape(text))
    if not expected:
        assert tokens == []
        return
    assert [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert [child.type for child in tokens[1].children or ()] == ["text"]
    assert text_of(tokens[1]) == expected
    cells = rows(PARSER.parse(f"| a | b |\n| --- | --- |\n| {escape(text)} | z |\n"))
    assert cells == [["a", "b"], [expected.strip(" "), "z"]]


# --- the job summary ------------------------------------------------------------------------------------------


def test_the_step_summary_lists_each_file_and_its_failing_rules(failing: RunReport, options: RenderOptions) -> None:
    summary = render_step_summary(failing, options)
    tokens = PARSER.parse(summary)
    assert headings(tokens) == [(3, "cfn-compliance")]
    numbers = tally(failing.files[0], options.severities())
    assert rows(tokens) == [
        ["File", "Status", "Score", "Errors", "Warnings", "Failing rules", "Suppressed"],
        [
            "tests/fixtures/reports/model-response.yaml",
            "non-compliant",
            f"{numbers.score:g}",
            "16",
            "7",
            ", ".join(numbers.failed_rules),
            "none",
        ],
    ]
    assert "more file" not in summary


def test_the_step_summary_stays_under_githubs_limit() -> None:
    rules = load_catalogue()
    results = tuple(RuleResult(rule.id, "fail") for rule in rules)
    files = tuple(FileReport(f"answers/{index:06d}/{'x' * 200}.yaml", "non_compliant", (), results) for index in range(6000))
    summary = render_step_summary(RunReport(files), RenderOptions("0", rules=rules))
    size = len(summary.encode("utf-8"))
    assert STEP_SUMMARY_LIMIT - 1000 < size <= STEP_SUMMARY_LIMIT < 1024 * 1024
    listed = rows(PARSER.parse(summary))[1:]
    last = summary.rstrip("\n").rsplit("\n", 1)[-1]
    assert last == f"… {len(files) - len(listed)} more files not listed."
    assert [row[0] for row in listed] == [file.path for file in files[: len(listed)]]


@pytest.mark.parametrize("limit", [400, 600, 2000])
def test_the_cut_is_exact_for_any_limit(limit: int) -> None:
    files = tuple(FileReport(f"f{index}.yaml", "compliant", (), ()) for index in range(50))
    summary = render_step_summary(RunReport(files), RenderOptions("0"), limit=limit)
    assert len(summary.encode("utf-8")) <= limit
    listed = len(rows(PARSER.parse(summary))) - 1
    assert summary.endswith(f"… {50 - listed} more files not listed.\n")
