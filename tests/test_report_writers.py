"""The reports' hand-written serialisers read back as what they were given: JSON laid out line by line (JSON, SARIF,
GitLab) and JUnit XML written as text. Each is checked against the standard library's own reader and writer."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import __version__
from checker.evaluation.options import CheckOptions
from checker.findings import RunReport
from checker.reports import FORMATS
from checker.reports.json_layout import LINES, Shape, dumps, one_line, stream
from checker.reports.junit import attribute, character_data, xml_text
from checker.run.runner import check_paths
from tests.conftest import REFERENCE, ROOT
from tests.test_format_agreement import HOSTILE, file_reports
from tests.test_golden_reports import render_options
from tests.test_junit_report import checked, hostile_report

TEXTS = st.lists(st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE)), max_size=12).map("".join)
SCALARS = st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=False, allow_infinity=False) | TEXTS
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4), max_leaves=16
)
OBJECTS = st.dictionaries(TEXTS, VALUES, max_size=4)


def ordered(text: str) -> object:
    """Parsed with each object's keys in their written order, so a test sees order as well as content."""
    return json.loads(text, object_pairs_hook=lambda pairs: ("object", pairs))


def opened(value: object) -> Shape:
    """A shape opening every object and list of `value` (a list's items along its first item's shape)."""
    if isinstance(value, dict):
        return {key: opened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [opened(value[0]) if value else None]
    return None


@given(VALUES)
def test_a_line_is_what_the_public_encoder_writes(value: object) -> None:
    assert one_line(value) == json.dumps(value, separators=(", ", ": "), allow_nan=False)


def test_a_value_json_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError):
        one_line({"score": math.nan})


@given(VALUES)
def test_any_document_reads_back_as_itself_on_one_line_or_opened(value: object) -> None:
    for shape in (None, opened(value)):
        text = dumps(value, shape)
        assert text.endswith("\n") and ordered(text) == ordered(json.dumps(value))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OBJECTS, max_size=5), st.lists(SCALARS, max_size=3))
def test_items_written_beforehand_get_a_line_each(items: list[dict], notes: list) -> None:
    document = {"tool": {"name": "x"}, "items": [one_line(item) for item in items], "notes": notes}
    text = dumps(document, {"items": LINES})
    assert ordered(text) == ordered(json.dumps({"tool": {"name": "x"}, "items": items, "notes": notes}))
    lines = text.splitlines()
    if items:
        assert lines[1:3] == ['  "tool": {"name": "x"},', '  "items": [']
        assert lines[3 : 3 + len(items)] == [f"    {one_line(item)}," for item in items[:-1]] + [f"    {one_line(items[-1])}"]
    else:
        assert lines[2] == '  "items": [],'


def test_the_frame_is_indented_and_anything_flat_kept_on_one_line() -> None:
    document = {
        "files": [{"path": "a.yaml", "findings": [one_line({"line": 3})], "reference": {"components": []}}],
        "skipped": [],
        "summary": {"files": 1, "ids": ["A", "B"]},
    }
    shape: Shape = {"files": [{"findings": LINES, "reference": {"components": LINES}}], "skipped": LINES}
    assert dumps(document, shape) == (
        "{\n"
        '  "files": [\n'
        "    {\n"
        '      "path": "a.yaml",\n'
        '      "findings": [\n'
        '        {"line": 3}\n'
        "      ],\n"
        '      "reference": {"components": []}\n'
        "    }\n"
        "  ],\n"
        '  "skipped": [],\n'
        '  "summary": {"files": 1, "ids": ["A", "B"]}\n'
        "}\n"
    )


@given(TEXTS)
def test_escaped_text_reads_back_as_the_text_xml_can_carry(text: str) -> None:
    element = ET.fromstring(f'<a b="{attribute(text)}">{character_data(text)}</a>'.encode())
    assert element.get("b") == xml_text(text)  # line breaks and tabs too: attribute normalisation leaves references
    # A parser reads a line break in content as \n (XML's end-of-line handling), as ElementTree always wrote it.
    assert (element.text or "") == xml_text(text).replace("\r\n", "\n").replace("\r", "\n")


def _as_elementtree_writes_it(text: str) -> str:
    """The document parsed, then indented and written by ElementTree: what the JUnit report was written by before."""
    root = ET.fromstring(text.encode("utf-8"))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit(report: RunReport) -> str:
    return FORMATS["junit"].render(report, render_options())


@pytest.mark.parametrize("report", [hostile_report(), RunReport(())], ids=["hostile", "empty"])
def test_junit_is_written_as_elementtree_writes_it(report: RunReport) -> None:
    assert _junit(report) == _as_elementtree_writes_it(_junit(report))


def test_a_real_answer_in_junit_is_written_as_elementtree_writes_it() -> None:
    text = _junit(checked("model-response.yaml"))
    assert _as_elementtree_writes_it(text) == text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(report=st.builds(RunReport, st.lists(file_reports(), max_size=3).map(tuple)))
def test_any_run_in_junit_is_written_as_elementtree_writes_it(report: RunReport) -> None:
    text = _junit(report)
    # A carriage return in a failure's text is read as a line break, as from ElementTree's own documents.
    assert _as_elementtree_writes_it(text) == text.replace("\r\n", "\n").replace("\r", "\n")


def test_a_text_run_imports_no_other_writer() -> None:
    """Start-up stays lean: a pre-commit run writes text, so the nine other writers (and Jinja2) stay unimported
    until a run asks for them."""
    probe = (
        "import sys, contextlib, io\n"
        "from checker.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['check', '--no-cfn-lint', '--jobs', '1', {str(REFERENCE)!r}])\n"
        "print(code, sorted(name for name in sys.modules if name.startswith('checker.reports.')), 'jinja2' in sys.modules)\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['check', '--no-cfn-lint', '--jobs', '1', '--format', 'sarif', {str(REFERENCE)!r}])\n"
        "print('checker.reports.sarif' in sys.modules)\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines() == [
        "0 ['checker.reports.rules', 'checker.reports.summary', 'checker.reports.text'] False",
        "True",
    ]


@given(st.lists(OBJECTS, max_size=4), OBJECTS, st.booleans())
def test_a_streamed_list_is_written_byte_for_byte_as_the_whole_document(items: list[dict], rest: dict, open_rest: bool) -> None:
    """`stream` writes what `dumps` writes, item by item: the JSON report streamed by the CLI is the same document."""
    document = {"tool": {"name": "x"}, "files": items, **{f"k{key}": value for key, value in rest.items()}}
    shape = {
        "files": [opened(items[0]) if items else None],
        **{f"k{key}": opened(value) if open_rest else None for key, value in rest.items()},
    }
    chunks = list(stream({**document, "files": iter(items)}, shape, "files"))
    assert "".join(chunks) == dumps(document, shape)
    assert len(chunks) == len(document) + len(items) + 2  # a chunk per item, besides the frame's


def test_the_cli_streams_the_json_report_it_would_render_whole(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    paths = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests" / "fixtures" / "reports").glob("*.*"))
    paths = [path for path in paths if path.endswith((".yaml", ".md"))]
    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker.cli",
            "check",
            "--no-cfn-lint",
            "--format",
            "json",
            "--output",
            f"json={tmp_path / 'r.json'}",
            *paths,
        ],
        capture_output=True,
        text=True,
    )
    options = dataclasses.replace(render_options(), tool_version=__version__)
    whole = FORMATS["json"].render(check_paths(paths, CheckOptions(cfn_lint=False)), options)
    assert len(json.loads(ran.stdout)["files"]) == len(paths) >= 3
    assert ran.stdout == (tmp_path / "r.json").read_text(encoding="utf-8") == whole
