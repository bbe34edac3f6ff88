"""The baseline: findings a team has accepted, recorded by fingerprint, so a check fails only on new ones.

`cfn-compliance baseline` writes the file from a run; `check --baseline` reads it and marks each finding whose
fingerprint it holds as suppressed (kind `baseline`). Fingerprints depend on the rule, the file's place in the
repository, the resource and the property path, never on lines, so the file survives edits that move lines.
Entries that match nothing in the files checked (fixed, or their file gone) are stale; `baseline --prune` drops
them. The file is sorted JSON with no timestamp, so regenerating an unchanged baseline changes nothing in git.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from checker.evaluation.options import CheckOptions, file_status, judged_rule_ids
from checker.evaluation.suppressions import AUDIT_RULE
from checker.findings import BaselineEntry, BaselineUse, RunReport, Suppression
from checker.run.locations import repository_root

FORMAT_KEY = "cfn-compliance-baseline"
FORMAT_VERSION = 1


class BaselineError(Exception):
    """A baseline that cannot be read: missing, not JSON, or not a baseline (a usage error, exit 2)."""


@dataclass(frozen=True)
class Baseline:
    """A baseline file as read: its name as the user gave it, and its entries."""

    name: str
    entries: tuple[BaselineEntry, ...]

    @property
    def root(self) -> Path:
        """The repository the file belongs to, where its entries' paths start."""
        return repository_root(Path(os.path.abspath(self.name)).parent)


def entries_of(report: RunReport) -> list[BaselineEntry]:
    """What a baseline records of a run: every finding not suppressed in the template itself. An input that is not a
    template (TPL001) is left out: a broken file is fixed or excluded, not accepted; and so is a bad suppression
    (TPL004), which is never suppressed."""
    entries = []
    for file in report.files:
        if file.status == "invalid":
            continue
        for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True):
            if finding.rule_id == AUDIT_RULE:
                continue
            if finding.suppression is None or finding.suppression.kind == "baseline":
                entries.append(
                    BaselineEntry(fingerprint, finding.rule_id, file.location, finding.resource, finding.path, finding.message)
                )
    return entries


def render_baseline(entries: Iterable[BaselineEntry]) -> str:
    """The file's text: entries sorted by file, rule, resource and property path, one per line."""
    ordered = sorted(
        set(entries), key=lambda entry: (entry.path, entry.rule_id, entry.resource or "", entry.property_path, entry.fingerprint)
    )
    lines = [
        json.dumps(
            {
                "fingerprint": entry.fingerprint,
                "rule": entry.rule_id,
                "path": entry.path,
                "resource": entry.resource,
                "property": entry.property_path,
                "message": entry.message,
            },
            ensure_ascii=False,
        )
        for entry in ordered
    ]
    body = ",\n    ".join(lines)
    findings = f"[\n    {body}\n  ]" if lines else "[]"
    return f'{{\n  "{FORMAT_KEY}": {FORMAT_VERSION},\n  "findings": {findings}\n}}\n'


def read_baseline(path: Path) -> Baseline:
    """The entries of a baseline file (BaselineError, saying what is wrong, when it cannot be used)."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # an editor's byte-order mark is not the file's business
    except FileNotFoundError:
        raise BaselineError(f"the baseline {path} does not exist (write it with `cfn-compliance baseline`)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"cannot read the baseline {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"the baseline {path} is not JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise BaselineError(f"the baseline {path} is not a cfn-compliance baseline (nested too deeply to read)") from None
    if not isinstance(data, dict) or data.get(FORMAT_KEY) != FORMAT_VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(
            f'the baseline {path} is not a cfn-compliance baseline (expected {{"{FORMAT_KEY}": {FORMAT_VERSION}, "findings": [...]}})'
        )
    entries = []
    for index, item in enumerate(data["findings"]):
        try:
            entries.append(
                BaselineEntry(
                    fingerprint=_text(item, "fingerprint"),
                    rule_id=_text(item, "rule"),
                    path=_text(item, "path"),
                    resource=item.get("resource") if isinstance(item.get("resource"), str) else None,
                    property_path=str(item.get("property", "")),
                    message=str(item.get("message", "")),
                )
            )
        except (TypeError, AttributeError, KeyError):
            raise BaselineError(f"the baseline {path}: entry {index + 1} needs a fingerprint, a rule and a path") from None
    return Baseline(str(path), tuple(entries))


def _text(item: dict, key: str) -> str:
    value = item[key]
    if not isinstance(value, str) or not value:
        raise TypeError(key)
    return value


def apply_baseline(report: RunReport, baseline: Baseline, options: CheckOptions) -> RunReport:
    """The run with every finding the baseline holds suppressed (kind `baseline`), each file's status decided by the
    findings that remain, and the stale entries: those of a file checked here whose finding is gone (when its rule
    was judged: options.judged_rule_ids), and those whose file no longer exists in the baseline's repository."""
    accepted = {entry.fingerprint for entry in baseline.entries}
    matched: set[str] = set()
    files = []
    for file in report.files:
        if file.status == "invalid":
            files.append(file)
            continue
        findings = []
        for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True):
            if fingerprint in accepted and finding.rule_id != AUDIT_RULE:
                matched.add(fingerprint)
                if finding.suppression is None:
                    finding = dataclasses.replace(
                        finding, suppression=Suppression("baseline", f"accepted in the baseline {baseline.name}")
                    )
            findings.append(finding)
        marked = dataclasses.replace(file, findings=tuple(findings))
        files.append(dataclasses.replace(marked, status=file_status(marked.counting_findings(), file.results, options)))
    judged = judged_pairs(report, options)
    root = baseline.root
    stale = tuple(
        entry
        for entry in baseline.entries
        if entry.fingerprint not in matched and ((entry.path, entry.rule_id) in judged or not (root / entry.path).exists())
    )
    return dataclasses.replace(report, files=tuple(files), baseline=BaselineUse(baseline.name, len(matched), stale))


def judged_pairs(report: RunReport, options: CheckOptions) -> set[tuple[str, str]]:
    """(file in the repository, rule id) for each rule a run judged on a file it could evaluate."""
    return {
        (file.location, rule_id)
        for file in report.files
        if file.status != "invalid"
        for rule_id in judged_rule_ids(file.results, options)
    }


def rewritten(
    previous: Baseline, report: RunReport, stale: Iterable[BaselineEntry], options: CheckOptions
) -> list[BaselineEntry]:
    """`baseline PATHS`: the run's findings, and the previous entries it could not have seen (another file, or a rule
    this run did not judge: `--rule`, `--no-cfn-lint`), unless they are stale."""
    judged = judged_pairs(report, options)
    gone = set(stale)
    kept = [entry for entry in previous.entries if entry not in gone and (entry.path, entry.rule_id) not in judged]
    return [*kept, *entries_of(report)]


def pruned(baseline: Baseline, stale: Iterable[BaselineEntry]) -> list[BaselineEntry]:
    """The baseline without its stale entries (`baseline --prune`): nothing new is accepted."""
    gone = set(stale)
    return [entry for entry in baseline.entries if entry not in gone]
