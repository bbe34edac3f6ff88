"""GitHub workflow commands and GitLab Code Quality: read back the way the runner and GitLab read them."""

from __future__ import annotations

import json
import re

import pytest

from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, Finding, RunReport
from checker.reports import FORMATS, RenderOptions
from checker.reports.github import escape_data, escape_property, render_github
from checker.reports.gitlab import render_gitlab
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, ROOT

# One workflow command: `::name key=value,key=value::data`; no raw line break, `::` or `,` can hide in the parts.
COMMAND = re.compile(r"::(?P<name>error|warning|notice) (?P<properties>[^:]*)::(?P<data>.*)")
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def unescape_data(text: str) -> str:
    """The runner's reading of a command's data, written independently of the renderer: each `%XX` it knows, once,
    left to right (so `%250A` is `%0A` literally, never a line break)."""
    codes = {"%25": "%", "%0D": "\r", "%0A": "\n", "%3A": ":", "%2C": ","}
    return re.sub("%25|%0D|%0A|%3A|%2C", lambda match: codes[match.group()], text)


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.fullmatch(line)
    assert match, line
    properties = dict(part.split("=", 1) for part in match["properties"].split(","))
    return match["name"], {key: unescape_data(value) for key, value in properties.items()}, unescape_data(match["data"])


def finding(rule_id: str, severity: str, category: str, **changes: object) -> Finding:
    fields: dict = {
        "rule_id": rule_id,
        "severity": severity,
        "category": category,
        "title": "A title",
        "message": "A message",
        "remediation": "A fix",
        "file": "a.yaml",
        "resource": "Queue",
        "path": "Resources/Queue",
        "line": 7,
        "column": 3,
    }
    fields.update(changes)
    return Finding(**fields)


@pytest.fixture(scope="module")
def real_report() -> RunReport:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        paths = ["tests/fixtures/reports/model-response.yaml", "tests/fixtures/reports/broken.yaml"]
        return check_paths(paths, CheckOptions(cfn_lint=False, today=CHECK_DATE))


# GitHub


def test_escaping_is_exact() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext%3A a%2C b"
    assert escape_data("%0A") == "%250A"  # an escape in the text stays text


def test_odd_messages_titles_and_file_names_round_trip() -> None:
    message = "50% of 'a,b': broken\nline two\r\nthree ::error::injected %0A %25"
    odd = finding("SEC001", "error", "security", message=message, title="Titles, with: colons", remediation="Fix: it, 100%")
    report = RunReport((FileReport("x", "non_compliant", (odd,), (), repo_path="dir/a,b: c%.yaml"),))
    lines = render_github(report).splitlines()
    assert len(lines) == 2  # one command, one summary line: nothing in the message breaks the line
    name, properties, data = parse_command(lines[0])
    assert name == "error"
    assert properties == {"file": "dir/a,b: c%.yaml", "line": "7", "col": "3", "title": "SEC001 Titles, with: colons"}
    assert data == f"{message}\nFix: Fix: it, 100%"


def test_one_command_per_finding_errors_first_then_a_summary(real_report: RunReport) -> None:
    lines = FORMATS["github"].render(real_report, RenderOptions("0")).splitlines()
    findings = [(file, found) for file in real_report.files for found in file.findings]
    errors_first = [pair for pair in findings if pair[1].severity == "error"] + [
        pair for pair in findings if pair[1].severity == "warning"
    ]
    assert len(lines) == len(findings) + 1 == 25
    for line, (file, found) in zip(lines, errors_first, strict=False):
        name, properties, data = parse_command(line)
        assert name == found.severity
        assert properties == {
            "file": file.location,
            "line": str(found.line),
            "col": str(found.column),
            "title": f"{found.rule_id} {found.title}",
        }
        assert data == f"{found.message}\nFix: {found.remediation}"
    assert lines[-1] == (
        "cfn-compliance: 2 files, 17 errors, 7 warnings (1 invalid); GitHub annotates 10 of each kind per step, the rest are in this log"
    )


def test_the_summary_says_when_github_will_not_annotate_everything() -> None:
    many = tuple(finding("SEC001", "error", "security", line=index + 1) for index in range(11))
    text = render_github(RunReport((FileReport("a.yaml", "non_compliant", many, ()),)))
    assert text.splitlines()[-1] == (
        "cfn-compliance: 1 file, 11 errors, 0 warnings (0 invalid); GitHub annotates 10 of each kind per step, the rest are in this log"
    )


def test_a_finding_without_a_position_names_only_the_file() -> None:
    placeless = finding("TPL001", "error", "template", line=0, column=0)
    [command, _] = render_github(RunReport((FileReport("a.yaml", "invalid", (placeless,), ()),))).splitlines()
    assert parse_command(command)[1] == {"file": "a.yaml", "title": "TPL001 A title"}


# GitLab


@pytest.mark.parametrize(
    ("rule_id", "severity", "category", "expected"),
    [
        ("TPL001", "error", "template", "blocker"),
        ("TPL002", "error", "template", "major"),
        ("SEC002", "error", "security", "critical"),
        ("SEC008", "warning", "security", "minor"),
        ("COST001", "error", "cost", "major"),
        ("MON004", "warning", "monitoring", "minor"),
    ],
)
def test_gitlab_severities(rule_id: str, severity: str, category: str, expected: str) -> None:
    report = RunReport((FileReport("a.yaml", "non_compliant", (finding(rule_id, severity, category),), ()),))
    [issue] = json.loads(render_gitlab(report))
    assert issue["severity"] == expected


def test_gitlab_issues_are_the_findings(real_report: RunReport) -> None:
    issues = json.loads(FORMATS["gitlab"].render(real_report, RenderOptions("0")))
    expected = [
        (file.location, found, fingerprint)
        for file in real_report.files
        for found, fingerprint in zip(file.findings, file.fingerprints(), strict=True)
    ]
    assert len(issues) == len(expected) == 24
    for issue, (location, found, fingerprint) in zip(issues, expected, strict=True):
        assert set(issue) == {"type", "check_name", "description", "severity", "fingerprint", "location"}
        assert issue["type"] == "issue"
        assert issue["check_name"] == found.rule_id
        assert issue["description"] == f"{found.rule_id}: {found.message}"
        assert issue["fingerprint"] == fingerprint
        assert issue["location"] == {"path": location, "lines": {"begin": found.line}}
        assert issue["severity"] in GITLAB_SEVERITIES
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)  # GitLab shows one issue per fingerprint


def test_an_empty_run_is_an_empty_array() -> None:
    assert json.loads(render_gitlab(RunReport(()))) == []


def test_sarif_gitlab_and_github_count_the_same_findings(real_report: RunReport) -> None:
    options = RenderOptions("0")
    sarif = json.loads(FORMATS["sarif"].render(real_report, options))
    gitlab = json.loads(FORMATS["gitlab"].render(real_report, options))
    github = FORMATS["github"].render(real_report, options).splitlines()[:-1]
    total = sum(len(file.findings) for file in real_report.files)
    assert len(sarif["runs"][0]["results"]) == len(gitlab) == len(github) == total
