"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, editors' SARIF viewers).

One run: the driver describes every rule of the catalogue (so a viewer can explain a rule that did not fire), and
each finding is one result at its file in the repository (`FileReport.location`, relative to `%SRCROOT%`) with the
finding's stable fingerprint, so an alert keeps its identity when lines move. A suppressed finding is a result too,
at its level, with `suppressions` (inSource for the template's Metadata, external for the baseline file; accepted, its
reason the justification), which SARIF viewers show as suppressed. The baseline's stale entries are notes of the
invocation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from checker.evaluation.catalogue import Rule
from checker.findings import SEVERITY_ORDER, BaselineEntry, BaselineUse, FileReport, Finding, RunReport, Suppression
from checker.reports.json_layout import LINES, Json, Shape, dumps, one_line

TOOL_NAME = "cfn-compliance"
# pyproject.toml names no project URL; the package's page on PyPI is where the name points.
INFORMATION_URI = "https://pypi.org/project/cfn-compliance/"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "cfnCompliance/v1"  # bump the version if FileReport.fingerprints() ever changes its recipe
# GitHub code scanning rejects a run with more results than this, and stores only 5,000 of those it accepts.
MAX_RESULTS = 25_000
# GitHub ranks security alerts by this score: 7.0 and above is "high", 4.0 to 6.9 "medium".
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0"}
# Our rules judge the resolved template, not heuristics over text; a deployment-dependent value is `unknown`,
# never a finding, so a result is rarely a false positive.
PRECISION = "high"
LEVELS = {"error": "error", "warning": "warning"}
SUPPRESSION_KINDS = {"inline": "inSource", "baseline": "external"}
# The log's frame indented, each rule descriptor, invocation and result on one line of its own.
_SHAPE: Shape = {"runs": [{"tool": {"driver": {"rules": LINES}}, "invocations": LINES, "results": LINES}]}


def render_sarif(
    report: RunReport,
    *,
    tool_version: str,
    rules: Iterable[Rule],
    snippets: Mapping[str, str],
    max_results: int = MAX_RESULTS,
) -> str:
    """The whole run as one SARIF log. Open results are written first, errors before warnings (in file order within
    a severity), then the suppressed ones in the same order, so a consumer that keeps only the first N keeps the
    most severe of those that count; past `max_results` the rest is left out and the run says so (run.properties
    and a tool notification)."""
    findings = [
        (file, finding, fingerprint)
        for file in report.files
        for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True)
    ]
    # Stable: file order within a severity.
    findings.sort(key=lambda item: (item[1].suppression is not None, -SEVERITY_ORDER.get(item[1].severity, 0)))
    kept = findings[:max_results]
    descriptors = _descriptors(rules, snippets, (finding for _, finding, _ in kept))
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    omitted = len(findings) - len(kept)
    run = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": tool_version,
                "semanticVersion": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [one_line(descriptor) for descriptor in descriptors],
            }
        },
        "invocations": [one_line(_invocation(len(findings), omitted, max_results, report.baseline))],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The repository root (the working directory when outside a git repository)."}}
        },
        "columnKind": "unicodeCodePoints",
        "results": [one_line(_result(file, finding, fingerprint, index)) for file, finding, fingerprint in kept],
        "properties": {"truncated": omitted > 0, "resultsTotal": len(findings), "resultsOmitted": omitted},
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return dumps(log, _SHAPE)


def _invocation(total: int, omitted: int, max_results: int, baseline: BaselineUse | None) -> dict[str, Json]:
    invocation: dict[str, Json] = {"executionSuccessful": True}
    notifications: list[Json] = []
    if omitted:
        text = (
            f"The run has {total} results, more than the {max_results} GitHub code scanning accepts in one run: "
            f"the {max_results} most severe are written (open results before suppressed ones) and {omitted} are "
            "left out. `cfn-compliance check --format json` lists every finding."
        )
        notifications.append({"level": "warning", "message": {"text": text}})
    if baseline is not None:
        notifications.extend(_stale(entry, baseline.path) for entry in baseline.stale)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _stale(entry: BaselineEntry, baseline: str) -> dict[str, Json]:
    """A baseline entry that matched no finding, as a note where its finding was."""
    text = (
        f"Stale baseline entry in {baseline}: {entry.rule_id} ({entry.message}) matched no finding; "
        "`cfn-compliance baseline --prune` removes stale entries."
    )
    location: dict[str, Json] = {"physicalLocation": {"artifactLocation": artifact_location(entry.path)}}
    if entry.resource:
        location["logicalLocations"] = [_logical_location(entry.resource)]
    return {
        "level": "note",
        "message": {"text": text},
        "locations": [location],
        "associatedRule": {"id": entry.rule_id},
        "properties": {"fingerprint": entry.fingerprint, "propertyPath": entry.property_path},
    }


def _descriptors(rules: Iterable[Rule], snippets: Mapping[str, str], findings: Iterable[Finding]) -> list[dict[str, Json]]:
    """Every catalogue rule, in catalogue order; a finding of a rule the catalogue given does not hold (a renderer
    called without it) still gets a descriptor, built from the finding, so every ruleIndex points somewhere."""
    descriptors = [_descriptor(rule, snippets.get(rule.id, "")) for rule in rules]
    known = {descriptor["id"] for descriptor in descriptors}
    for finding in findings:
        if finding.rule_id not in known:
            known.add(finding.rule_id)
            descriptors.append(
                {
                    "id": finding.rule_id,
                    "name": rule_name(finding.title),
                    "shortDescription": {"text": finding.title},
                    "defaultConfiguration": {"level": LEVELS.get(finding.severity, "note")},
                    "properties": _rule_properties(finding.category, finding.severity),
                }
            )
    return descriptors


def _descriptor(rule: Rule, snippet: str) -> dict[str, Json]:
    return {
        "id": rule.id,
        "name": rule_name(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": _help_text(rule, snippet), "markdown": _help_markdown(rule, snippet)},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "note")},
        "properties": _rule_properties(rule.category, rule.severity),
    }


def _rule_properties(category: str, severity: str) -> dict[str, Json]:
    properties: dict[str, Json] = {"tags": [category], "precision": PRECISION}
    if category == "security":
        properties["security-severity"] = SECURITY_SEVERITY.get(severity, SECURITY_SEVERITY["warning"])
    return properties


def _help_text(rule: Rule, snippet: str) -> str:
    text = f"{rule.rationale}\n\nFix: {rule.remediation}"
    if snippet:
        text += f"\n\nThe reference implementation ({rule.component}):\n\n{snippet}"
    return text


def _help_markdown(rule: Rule, snippet: str) -> str:
    text = f"{markdown_text(rule.rationale)}\n\n**Fix:** {markdown_text(rule.remediation)}"
    if snippet:
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", snippet)), default=0))
        text += f"\n\nThe reference implementation (`{rule.component}`):\n\n{fence}yaml\n{snippet}\n{fence}"
    return text


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&!])")


def markdown_text(text: str) -> str:
    """Prose as Markdown that reads as itself: `<queue>` is not an HTML tag, `'*'` twice is not emphasis."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def rule_name(title: str) -> str:
    """A rule's title as one CamelCase word (SARIF's `name` is an identifier); acronyms keep their capitals."""
    return "".join(word[0].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _result(file: FileReport, finding: Finding, fingerprint: str, index: Mapping[str, int]) -> dict[str, Json]:
    location: dict[str, Json] = {"physicalLocation": _physical_location(file.location, finding)}
    if finding.resource:
        location["logicalLocations"] = [_logical_location(finding.resource)]
    result: dict[str, Json] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVELS.get(finding.severity, "note"),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.suppression is not None:
        result["suppressions"] = [_suppression(finding.suppression)]
    if finding.path:
        result["properties"] = {"propertyPath": finding.path}
    return result


def _logical_location(resource: str) -> dict[str, Json]:
    return {"name": resource, "fullyQualifiedName": f"Resources/{resource}", "kind": "resource"}


def _suppression(suppression: Suppression) -> dict[str, Json]:
    written: dict[str, Json] = {
        "kind": SUPPRESSION_KINDS[suppression.kind],
        "status": "accepted",
        "justification": suppression.reason,
    }
    if suppression.expires:
        written["properties"] = {"expires": suppression.expires}
    return written


def _physical_location(location: str, finding: Finding) -> dict[str, Json]:
    physical: dict[str, Json] = {"artifactLocation": artifact_location(location)}
    if finding.line >= 1:
        region = {"startLine": finding.line}
        if finding.column >= 1:
            region["startColumn"] = finding.column
        physical["region"] = region
    return physical


_WINDOWS_DRIVE = re.compile(r"[A-Za-z]:/")


def artifact_location(location: str) -> dict[str, Json]:
    """A repository path as a relative URI reference under %SRCROOT%; a path outside the repository as an absolute
    file:// URI. Everything but letters, digits, `-._~` and `/` is percent-encoded from the path's bytes (a file name
    byte that is not UTF-8 included), so a space, `%`, `#`, `?` or `:` can never change what the URI means."""
    if location.startswith("/"):
        return {"uri": "file://" + _escape(location)}
    if _WINDOWS_DRIVE.match(location):
        return {"uri": "file:///" + location[:2] + _escape(location[2:])}
    return {"uri": _escape(location), "uriBaseId": SRCROOT}


def _escape(path: str) -> str:
    try:
        raw = path.encode("utf-8", "surrogateescape")  # a name byte that is not UTF-8 comes back as itself
    except UnicodeEncodeError:  # a lone surrogate that no file name byte makes
        raw = path.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/")
