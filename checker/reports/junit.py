"""JUnit XML, as the test tabs of Jenkins, GitLab and GitHub read it: each file a test suite, each rule judged on it a
test case, so a CI run shows which rules failed on which file beside the project's own tests.

A rule fails when it has findings (a fail, or a check that crashed, which the JSON reports as an unknown result with a
finding naming it): the same rules as `failed_rules` in CSV. Not applicable and unknown rules are skipped, the reason
in the message. The report has no timings, so every `time` is 0.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from checker.findings import FileReport, Finding, RuleResult, RunReport

SUITES_NAME = "cfn-compliance"

# What XML 1.0 allows in a document (its `Char` production). ElementTree writes anything it is given, and a parser
# then refuses the whole report, so control characters and lone surrogates (a file name that is not UTF-8, a
# template value) are written as escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_junit(report: RunReport, *, titles: Mapping[str, str]) -> str:
    """The whole run as one `testsuites` document; `titles` maps rule ids to the catalogue's titles."""
    root = ET.Element("testsuites", name=SUITES_NAME)
    suites = [_suite(file, titles) for file in report.files]
    root.extend(suites)
    _count(root, suites)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: each character it forbids becomes a visible escape, a byte of a file name that is
    not UTF-8 (kept by Python as a surrogate) the byte itself, `\\xff`, as the text report shows it."""
    return _NOT_XML.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _suite(file: FileReport, titles: Mapping[str, str]) -> ET.Element:
    location = xml_text(file.location)
    suite = ET.Element("testsuite", name=location)
    by_rule: dict[str, list[Finding]] = {}
    for finding in file.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    judged = {result.rule_id for result in file.results}
    # A finding whose rule has no result (never made by the checker today) still fails a test case of its own.
    results = [*file.results, *(RuleResult(rule_id, "fail") for rule_id in by_rule if rule_id not in judged)]
    cases = [_case(file, location, result, by_rule.get(result.rule_id, []), titles) for result in results]
    suite.extend(cases)
    _count(suite, cases)
    return suite


def _case(file: FileReport, location: str, result: RuleResult, findings: list[Finding], titles: Mapping[str, str]) -> ET.Element:
    title = titles.get(result.rule_id) or (findings[0].title if findings else "")
    case = ET.Element("testcase", classname=location, name=xml_text(f"{result.rule_id} {title}".strip()))
    if findings:
        first = findings[0]
        message = first.message if len(findings) == 1 else f"{len(findings)} findings; the first: {first.message}"
        failure = ET.SubElement(case, "failure", message=xml_text(message), type=first.severity)
        failure.text = xml_text(_failure_text(file, findings))
    elif result.status == "fail":
        ET.SubElement(case, "failure", message=xml_text(result.message or "failed"), type="error")
    elif result.status in ("not_applicable", "unknown"):
        reason = "not applicable" if result.status == "not_applicable" else "could not be judged"
        message = f"{reason}: {result.message}" if result.message else reason
        ET.SubElement(case, "skipped", message=xml_text(message))
    return case


def _failure_text(file: FileReport, findings: list[Finding]) -> str:
    """Every finding of the rule where an editor finds it, then the fix (one per rule)."""
    lines = [f"{file.location}:{finding.line}:{finding.column}: {finding.message}" for finding in findings]
    remediation = findings[0].remediation
    return "\n".join([*lines, f"Fix: {remediation}"] if remediation else lines)


def _count(parent: ET.Element, children: list[ET.Element]) -> None:
    """A suite's totals from its cases, or the root's from its suites: readers show these without counting."""
    if parent.tag == "testsuite":
        tests = len(children)
        failures = sum(1 for case in children if case.find("failure") is not None)
        skipped = sum(1 for case in children if case.find("skipped") is not None)
    else:
        tests = sum(int(suite.get("tests", "0")) for suite in children)
        failures = sum(int(suite.get("failures", "0")) for suite in children)
        skipped = sum(int(suite.get("skipped", "0")) for suite in children)
    parent.set("tests", str(tests))
    parent.set("failures", str(failures))
    parent.set("errors", "0")
    parent.set("skipped", str(skipped))
    parent.set("time", "0")
