"""JUnit XML, as the test tabs of Jenkins, GitLab and GitHub read it: each file a test suite, each rule judged on it a
test case, so a CI run shows which rules failed on which file beside the project's own tests.

A rule fails when it has open findings (a fail, or a check that crashed, which the JSON reports as an unknown result
with a finding naming it): the same rules as `failed_rules` in CSV (`summary.RuleFindings.fails`); the failure's text
also lists the rule's suppressed findings, if any. A rule whose findings are all suppressed is skipped, the reasons in
the message, as are not applicable and unknown rules. The report has no timings, so every `time` is 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from checker.findings import FileReport, Finding, RuleResult, RunReport
from checker.reports.summary import rule_findings, suppression_terms

SUITES_NAME = "cfn-compliance"

# What XML 1.0 allows in a document (its `Char` production). A parser refuses the whole report for one character
# outside it, so control characters and lone surrogates (a file name that is not UTF-8, a template value) are written
# as escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Markup in attribute values, and the white space a parser would otherwise normalise to spaces there (a message
# keeps its line breaks). `&` first, so the references written here are not escaped again.
_ATTRIBUTE_REFERENCES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)
_TEXT_REFERENCES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))

# The document is written as text, indented as ElementTree.indent would: building 70,000 elements for a corpus run
# took most of a second. A test case's name and the outcome of a result without findings are written once per
# run and reused (a corpus run repeats a few hundred distinct results 70,000 times).
_PASSED = " />\n"


def render_junit(report: RunReport, *, titles: Mapping[str, str]) -> str:
    """The whole run as one `testsuites` document; `titles` maps rule ids to the catalogue's titles."""
    written = _Written(titles)
    suites = [written.suite(file) for file in report.files]
    opening = f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="{attribute(SUITES_NAME)}"' + _counts(
        sum(suite[1] for suite in suites), sum(suite[2] for suite in suites), sum(suite[3] for suite in suites)
    )
    if not suites:
        return opening + " />\n"
    return "".join([opening, ">\n", *(suite[0] for suite in suites), "</testsuites>\n"])


def xml_text(text: str) -> str:
    """Text XML 1.0 can carry: each character it forbids becomes a visible escape, a byte of a file name that is
    not UTF-8 (kept by Python as a surrogate) the byte itself, `\\xff`, as the text report shows it."""
    return _NOT_XML.sub(_escaped, text)


def attribute(text: str) -> str:
    """`text` as an attribute value between double quotes, read back as itself (save what XML cannot carry)."""
    text = xml_text(text)
    for character, reference in _ATTRIBUTE_REFERENCES:
        if character in text:
            text = text.replace(character, reference)
    return text


def character_data(text: str) -> str:
    """`text` as an element's content, read back as itself (save what XML cannot carry)."""
    text = xml_text(text)
    for character, reference in _TEXT_REFERENCES:
        if character in text:
            text = text.replace(character, reference)
    return text


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _counts(tests: int, failures: int, skipped: int) -> str:
    """The totals readers show without counting: a suite's from its cases, the root's from its suites."""
    return f' tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}" time="0"'


class _Written:
    """What one run's document reuses: escaped test case names, and the rest of a case for a result without findings."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        self.titles = titles
        self.names: dict[tuple[str, str], str] = {}
        self.outcomes: dict[tuple[str, str | None], tuple[str, int, int]] = {}  # by status and message

    def suite(self, file: FileReport) -> tuple[str, int, int, int]:
        """A file's test suite as text, with its tests, failures and skipped."""
        location = attribute(file.location)
        by_rule = rule_findings(file)
        judged = {result.rule_id for result in file.results}
        # A finding whose rule has no result (never made by the checker today) still has a test case of its own.
        found = dict.fromkeys([*by_rule.open, *by_rule.suppressed])
        results = [*file.results, *(RuleResult(rule_id, "fail") for rule_id in found if rule_id not in judged)]
        case = f'    <testcase classname="{location}" name="'
        parts: list[str] = []
        failures = skipped = 0
        for result in results:
            findings = by_rule.open.get(result.rule_id)
            suppressed = by_rule.suppressed.get(result.rule_id, ())
            parts.extend((case, self.name(result.rule_id, findings or suppressed), '"'))
            if findings:
                parts.append(_failed(file, findings, suppressed))
                failures += 1
            elif suppressed:
                parts.append(_suppressed(file, suppressed))
                skipped += 1
            else:
                key = (result.status, result.message)
                outcome = self.outcomes.get(key) or self.outcomes.setdefault(key, _outcome(result))
                parts.append(outcome[0])
                failures += outcome[1]
                skipped += outcome[2]
        opening = f'  <testsuite name="{location}"' + _counts(len(results), failures, skipped)
        if not results:
            return opening + " />\n", 0, 0, 0
        return "".join([opening, ">\n", *parts, "  </testsuite>\n"]), len(results), failures, skipped

    def name(self, rule_id: str, findings: tuple[Finding, ...] | None) -> str:
        """`RULE_ID title`, the title from the catalogue (or, for a rule it lacks, from the finding)."""
        title = self.titles.get(rule_id) or (findings[0].title if findings else "")
        key = (rule_id, title)
        name = self.names.get(key)
        if name is None:
            name = self.names[key] = attribute(f"{rule_id} {title}".strip())
        return name


def _outcome(result: RuleResult) -> tuple[str, int, int]:
    """The rest of a test case for a result without findings, and whether it counts as failed, as skipped."""
    if result.status == "fail":
        return _element("failure", result.message or "failed", "error"), 1, 0
    if result.status in ("not_applicable", "unknown"):
        reason = "not applicable" if result.status == "not_applicable" else "could not be judged"
        return _element("skipped", f"{reason}: {result.message}" if result.message else reason), 0, 1
    return _PASSED, 0, 0


def _element(tag: str, message: str, kind: str | None = None, text: str = "") -> str:
    """A test case's one child (failure or skipped), closing the case."""
    kind_attribute = f' type="{attribute(kind)}"' if kind is not None else ""
    opening = f'>\n      <{tag} message="{attribute(message)}"{kind_attribute}'
    body = f">{character_data(text)}</{tag}>" if text else " />"
    return f"{opening}{body}\n    </testcase>\n"


def _failed(file: FileReport, findings: tuple[Finding, ...], suppressed: tuple[Finding, ...]) -> str:
    first = findings[0]
    message = first.message if len(findings) == 1 else f"{len(findings)} findings; the first: {first.message}"
    if suppressed:
        message += f" ({len(suppressed)} more suppressed)"
    return _element("failure", message, first.severity, _failure_text(file, findings, suppressed))


def _failure_text(file: FileReport, findings: tuple[Finding, ...], suppressed: tuple[Finding, ...]) -> str:
    """Every open finding of the rule where an editor finds it, its suppressed ones marked, then the fix (one per rule)."""
    lines = [_place(file, finding) for finding in findings]
    lines.extend(f"{_place(file, finding)} [suppressed: {_why(finding)}]" for finding in suppressed)
    remediation = findings[0].remediation
    return "\n".join([*lines, f"Fix: {remediation}"] if remediation else lines)


def _suppressed(file: FileReport, findings: tuple[Finding, ...]) -> str:
    """A rule whose findings are all suppressed: skipped, with the reasons."""
    reasons = "; ".join(dict.fromkeys(_why(finding) for finding in findings))
    message = f"suppressed: {reasons}" if len(findings) == 1 else f"{len(findings)} findings suppressed: {reasons}"
    return _element("skipped", message, text="\n".join(_place(file, finding) for finding in findings))


def _place(file: FileReport, finding: Finding) -> str:
    return f"{file.location}:{finding.line}:{finding.column}: {finding.message}"


def _why(finding: Finding) -> str:
    """`reason (inline, expires 2027-06-30)`."""
    suppression = finding.suppression
    return f"{suppression.reason} ({suppression_terms(suppression)})" if suppression else ""
