"""Runs with suppressed findings, for the report tests. Renderers are pure functions of the RunReport, so a real run
whose findings are then marked suppressed (as `check --baseline` and inline Metadata suppressions mark them) is a
faithful input: the findings, places and fingerprints are the checker's own."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pytest

from checker.evaluation.options import CheckOptions
from checker.findings import BaselineEntry, BaselineUse, FileReport, RunReport, Suppression
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, ROOT

MODEL_RESPONSE = "tests/fixtures/reports/model-response.yaml"
BASELINE_FILE = ".cfn-compliance-baseline.json"
INLINE = Suppression("inline", "image processing needs 1 GB for the resize step", "2027-06-30")
BASELINE = Suppression("baseline", f"accepted in {BASELINE_FILE}")
# An entry of the baseline whose finding is gone (the queue's maxReceiveCount was fixed).
STALE = BaselineEntry(
    fingerprint="5e1f0c9a2b7d48e3a6c1f0e9d8b7a6c5",
    rule_id="REL003",
    path=MODEL_RESPONSE,
    resource="OrdersQueue",
    property_path="Resources/OrdersQueue/Properties/RedrivePolicy/maxReceiveCount",
    message="The order queue OrdersQueue has maxReceiveCount 10, above 5.",
)
# model-response.yaml: COST002 (its only finding) suppressed inline with an expiry, so the rule is wholly suppressed;
# the second of SEC001's two findings in the baseline, so that rule is partly suppressed.
MARKS: Mapping[tuple[str, int], Suppression] = {("COST002", 0): INLINE, ("SEC001", 1): BASELINE}
# A reason is written in a template's Metadata, so it is as hostile as the template: Markdown table and code syntax,
# links, emphasis, headings, line breaks and HTML that would open a script or close the page's style sheet.
HOSTILE_REASON = (
    'why | `tick` <script>alert(1)</script> </style> "><img src=x onerror=alert(1)>\n# h\n| a | b |\n'
    "[l](javascript:alert(1)) *e* ~~s~~ $x$"
)
HOSTILE_MARKS: Mapping[tuple[str, int], Suppression] = {
    ("COST002", 0): Suppression("inline", HOSTILE_REASON, "2027-06-30"),
    ("MON004", 0): Suppression("baseline", HOSTILE_REASON),
    ("SEC001", 1): Suppression("baseline", HOSTILE_REASON),
}
HOSTILE_STALE = BaselineEntry(
    fingerprint="0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    rule_id="SEC001",
    path="</style><script>alert(1)</script>|`x`.yaml",
    resource='"><img src=x onerror=alert(1)>',
    property_path="Resources/<script>alert(1)</script>|*e*",
    message=HOSTILE_REASON,
)


def suppress(
    report: RunReport,
    marks: Mapping[tuple[str, int], Suppression],
    stale: Sequence[BaselineEntry] = (STALE,),
    baseline: str | None = BASELINE_FILE,
) -> RunReport:
    """`report` with the `index`-th finding of `rule_id` in each file suppressed as `marks` say, and (unless
    `baseline` is None) the baseline use: the path, the baseline suppressions as matched, `stale` as its stale
    entries. A file left with no open finding is compliant, as the producer decides from open findings."""
    files = tuple(suppress_file(file, marks) for file in report.files)
    if baseline is None:
        return dataclasses.replace(report, files=files)
    matched = sum(
        1
        for file in files
        for finding in file.findings
        if finding.suppression is not None and finding.suppression.kind == "baseline"
    )
    return dataclasses.replace(report, files=files, baseline=BaselineUse(baseline, matched, tuple(stale)))


def suppress_file(file: FileReport, marks: Mapping[tuple[str, int], Suppression]) -> FileReport:
    """`file` with the `index`-th finding of `rule_id` suppressed as `marks` say."""
    seen: dict[str, int] = {}
    findings = []
    for finding in file.findings:
        index = seen[finding.rule_id] = seen.get(finding.rule_id, -1) + 1
        mark = marks.get((finding.rule_id, index))
        findings.append(dataclasses.replace(finding, suppression=mark) if mark else finding)
    status = file.status
    if status == "non_compliant" and all(finding.suppression is not None for finding in findings):
        status = "compliant"
    return dataclasses.replace(file, findings=tuple(findings), status=status)


def checked(*names: str) -> RunReport:
    """The candidates under tests/fixtures/reports/, checked from the repository root (machine-independent paths)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        paths = [str((FIXTURES / "reports" / name).relative_to(ROOT)) for name in names]
        return check_paths(paths, CheckOptions(cfn_lint=False, today=CHECK_DATE))


def model_response_suppressed() -> RunReport:
    """model-response.yaml with MARKS applied and one stale baseline entry."""
    return suppress(checked("model-response.yaml"), MARKS)
