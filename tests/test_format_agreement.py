"""Property test: every format tells the same story. For any run, each format read back with a real parser shows
the same findings per file (JSON, CSV, JSON lines), the same failing rules per file (JUnit, CSV, JSON lines), the
same failing results of each rule over the run (SARIF, GitLab, GitHub) and the same score, which are what the result model says. The runs are synthetic, with hostile text everywhere, so the
same test shows that no file name or message breaks a format's parser. Some findings are suppressed (with hostile
reasons): every format counts only the open ones as failing (SARIF: the results without `suppressions`)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.evaluation.catalogue import Rule, load_catalogue
from checker.findings import FileReport, Finding, RuleResult, RunReport, Suppression
from checker.reports import FORMATS, RenderOptions
from checker.reports.summary import file_score
from tests.test_ci_formats import parse_command

CATALOGUE = load_catalogue()
OPTIONS = RenderOptions("0.0.0-test", rules=CATALOGUE)


@dataclass(frozen=True)
class Seen:
    """What one format shows of one file; None where the format does not carry that number."""

    findings: int | None
    failing_rules: frozenset[str] | None
    score: float | None


def _json(text: str) -> list[Seen]:
    return [
        Seen(len(open_), frozenset(finding["rule_id"] for finding in open_), file["score"])
        for file in json.loads(text)["files"]
        for open_ in [[finding for finding in file["findings"] if finding["suppressed"] is None]]
    ]


def _junit(text: str) -> list[Seen]:
    def failing(suite: ET.Element) -> frozenset[str]:
        return frozenset(
            case.get("name", "").split(" ")[0] for case in suite.iter("testcase") if case.find("failure") is not None
        )

    root = ET.fromstring(text.encode("utf-8"))
    return [Seen(None, failing(suite), None) for suite in root.iter("testsuite")]


def _csv(text: str) -> list[Seen]:
    return [
        Seen(int(row["errors"]) + int(row["warnings"]), frozenset(row["failed_rules"].split()), float(row["score"]))
        for row in csv.DictReader(io.StringIO(text, newline=""))
    ]


def _jsonl(text: str) -> list[Seen]:
    rows = [json.loads(line) for line in text.split("\n")[:-1]]
    return [Seen(row["errors"] + row["warnings"], frozenset(row["failed_rules"]), row["score"]) for row in rows]


def _sarif(text: str) -> Counter[str]:
    (run,) = json.loads(text)["runs"]
    return Counter(result["ruleId"] for result in run["results"] if not result.get("suppressions"))


def _gitlab(text: str) -> Counter[str]:
    return Counter(issue["check_name"] for issue in json.loads(text))


def _github(text: str) -> Counter[str]:
    lines = text.split("\n")  # the runner reads lines at \n only; str.splitlines would also split at \x0c
    commands = [parse_command(line) for line in lines if line.startswith(("::error ", "::warning "))]
    return Counter(properties["title"].split(" ")[0] for _, properties, _ in commands)


# One reader per machine-readable format that reports file by file...
EXTRACTORS: dict[str, Callable[[str], list[Seen]]] = {"json": _json, "junit": _junit, "csv": _csv, "jsonl": _jsonl}
# ...and per format that lists findings for the whole run (by location, which a file name can share): the
# failing results of each rule over the run.
RUN_EXTRACTORS: dict[str, Callable[[str], Counter[str]]] = {"sarif": _sarif, "gitlab": _gitlab, "github": _github}
# Formats written for people, with the reason they are not read back here.
NOT_READ_BACK = {
    "text": "prose for a terminal; its --compact lines are checked against the findings in test_golden_reports",
    "markdown": "a document for reviewers; test_markdown_report parses it and finds every failing rule in its Fixes",
    "html": "a page for reviewers; test_html_report finds every finding in the DOM Chromium renders",
}


def test_every_format_is_read_back() -> None:
    readers = [*EXTRACTORS, *RUN_EXTRACTORS, *NOT_READ_BACK]
    assert set(readers) == set(FORMATS)
    assert len(readers) == len(set(readers))


HOSTILE = ["\x00", "\x1b", "\x0b", "]]>", "\ud800", "\udcff", "\ufffe", "=", "+", "\r", "\n", '"', ",", "<", "&", " "]
texts = st.lists(st.one_of(st.characters(exclude_categories=()), st.sampled_from(HOSTILE)), max_size=8).map("".join)
# Most findings count; some are suppressed inline (perhaps with an expiry) or by the baseline, for a hostile reason.
suppressions = st.one_of(
    st.none(),
    st.none(),
    st.builds(Suppression, st.sampled_from(["inline", "baseline"]), texts, st.none() | st.just("2027-06-30")),
)


@st.composite
def findings_of(draw: st.DrawFn, rule: Rule, path: str, count: int) -> list[Finding]:
    return [
        Finding(
            rule.id,
            rule.severity,
            rule.category,
            rule.title,
            draw(texts),
            rule.remediation,
            path,
            draw(st.none() | texts),
            draw(texts),
            draw(st.integers(1, 10_000)),
            draw(st.integers(1, 500)),
            draw(suppressions),
        )
        for _ in range(count)
    ]


@st.composite
def file_reports(draw: st.DrawFn) -> FileReport:
    path = draw(texts)
    if draw(st.integers(0, 5)) == 0:  # an invalid input: TPL001 fails, every other rule is not applicable
        tpl001, *others = CATALOGUE
        return FileReport(
            path,
            "invalid",
            tuple(draw(findings_of(tpl001, path, 1))),
            (RuleResult(tpl001.id, "fail", "why"), *(RuleResult(rule.id, "not_applicable", "no template") for rule in others)),
        )
    rules = draw(st.lists(st.sampled_from(CATALOGUE), unique_by=lambda rule: rule.id, max_size=10))
    results, findings = [], []
    for rule in rules:
        status = draw(st.sampled_from(["pass", "fail", "not_applicable", "unknown"]))
        message = None if status == "pass" else draw(st.none() | texts)
        results.append(RuleResult(rule.id, status, message))
        if status == "fail":
            findings += draw(findings_of(rule, path, draw(st.integers(1, 3))))
        elif status == "unknown" and draw(st.integers(0, 3)) == 0:  # a check that crashed: unknown, and a finding
            findings += draw(findings_of(rule, path, 1))
    ordered = tuple(draw(st.permutations(findings)))
    status = "non_compliant" if any(finding.suppression is None for finding in ordered) else "compliant"
    return FileReport(path, status, ordered, tuple(results))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(report=st.builds(RunReport, st.lists(file_reports(), max_size=4).map(tuple)))
def test_every_format_shows_the_same_failures(report: RunReport) -> None:
    severities = OPTIONS.severities()
    truth = [
        Seen(len(file.open_findings), frozenset(finding.rule_id for finding in file.open_findings), file_score(file, severities))
        for file in report.files
    ]
    for name, extract in EXTRACTORS.items():
        seen = extract(FORMATS[name].render(report, OPTIONS))
        assert len(seen) == len(truth), name
        for shown, true in zip(seen, truth, strict=True):
            assert shown.findings in (None, true.findings), name
            assert shown.failing_rules in (None, true.failing_rules), name
            assert shown.score in (None, true.score), name
    failing = Counter(finding.rule_id for file in report.files for finding in file.open_findings)
    for name, count in RUN_EXTRACTORS.items():
        assert count(FORMATS[name].render(report, OPTIONS)) == failing, name
