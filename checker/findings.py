"""The result model shared by evaluation, reporters and the CLI: frozen, plain data."""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["pass", "fail", "not_applicable", "unknown"]
FileStatus = Literal["compliant", "non_compliant", "invalid"]

SEVERITY_ORDER = {"warning": 1, "error": 2}


class _SharedText:
    """Unpickled with its strings interned. Reports come back from --jobs workers pickled one file at a time, so each
    file's copy of a rule's title, remediation or not-applicable message would otherwise be a string of its own:
    over 5,000 files, 45 MB of copies of a few hundred distinct texts."""

    __slots__ = ()

    def __reduce__(self) -> tuple[object, ...]:
        fields: tuple[str, ...] = self.__slots__  # a slotted dataclass's fields, in order
        return (_with_shared_text, (type(self), tuple(getattr(self, name) for name in fields)))


def _with_shared_text(kind: type, values: tuple[object, ...]) -> object:
    return kind(*(sys.intern(value) if type(value) is str else value for value in values))


SuppressionKind = Literal["inline", "baseline"]


@dataclass(frozen=True, slots=True)
class Suppression(_SharedText):
    """Why a finding does not fail the run: a reason written in the template's Metadata (`inline`, perhaps with an
    expiry date) or an entry of the baseline file (`baseline`). The finding stays in every report."""

    kind: SuppressionKind
    reason: str
    expires: str | None = None  # ISO date; inline only


@dataclass(frozen=True, slots=True)
class Finding(_SharedText):
    """One failed rule at one place in one file."""

    rule_id: str
    severity: str
    category: str
    title: str
    message: str
    remediation: str
    file: str
    resource: str | None
    path: str
    line: int
    column: int
    suppression: Suppression | None = None


@dataclass(frozen=True, slots=True)
class RuleResult(_SharedText):
    """The verdict of one rule on one file, recorded for passes as well as failures."""

    rule_id: str
    status: Status
    message: str | None = None


@dataclass(frozen=True, slots=True)
class SettingDifference(_SharedText):
    setting: str
    reference: object
    candidate: object


@dataclass(frozen=True, slots=True)
class ComponentMatch(_SharedText):
    """A reference component and the candidate resource that plays it (None: missing)."""

    component: str
    reference_resource: str
    candidate_resource: str | None
    differences: tuple[SettingDifference, ...] = ()


@dataclass(frozen=True, slots=True)
class FileReport:
    """One file's verdict. `path` is the file as the user named it (what people read); `repo_path` is where it
    sits in the repository (POSIX, relative to the repository root, or to the working directory outside git;
    absolute when outside both), what fingerprints and code-scanning locations use. The run sets it."""

    path: str
    status: FileStatus
    findings: tuple[Finding, ...]
    results: tuple[RuleResult, ...]
    reference: tuple[ComponentMatch, ...] = ()
    notes: tuple[str, ...] = ()
    repo_path: str | None = None
    # --changed-since: the fingerprints of this file's findings that were already there at the ref (the file's
    # old version, under its old path when renamed); every other finding is new. Like a suppression, it is kept
    # beside the findings rather than in them, so the findings stay what the rules said.
    preexisting: frozenset[str] = frozenset()

    @property
    def location(self) -> str:
        return self.repo_path or self.path

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        """The findings that count: every one not suppressed (what fails a run, the score, and CI's annotations)."""
        return tuple(finding for finding in self.findings if finding.suppression is None)

    def counting_findings(self) -> tuple[Finding, ...]:
        """The findings that decide the file's status: open, and not already there at the --changed-since ref."""
        if not self.preexisting:
            return self.open_findings
        return tuple(
            finding
            for finding, fingerprint in zip(self.findings, self.fingerprints(), strict=True)
            if finding.suppression is None and fingerprint not in self.preexisting
        )

    def fingerprints(self) -> tuple[str, ...]:
        """One stable identity per finding, in order: rule, file in the repository, resource and property path,
        never the line, so a finding keeps its identity when lines move (SARIF, GitLab and baselines use it).
        Findings that share all four (two secrets in one string) are told apart by their order."""
        seen: Counter[tuple[str, ...]] = Counter()
        prints = []
        for finding in self.findings:
            key = (finding.rule_id, self.location, finding.resource or "", finding.path)
            seen[key] += 1
            text = "\0".join((*key, str(seen[key])))
            prints.append(hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32])
        return tuple(prints)


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One accepted finding in a baseline file, by its fingerprint; the rest says what it was, for people."""

    fingerprint: str
    rule_id: str
    path: str  # the file in the repository (FileReport.location)
    resource: str | None
    property_path: str
    message: str


@dataclass(frozen=True, slots=True)
class BaselineUse:
    """The baseline a run read (`check --baseline`): its path, how many of its entries matched a finding, and
    the entries that matched none in the files checked (fixed, or their file gone), which `baseline --prune` drops."""

    path: str
    matched: int
    stale: tuple[BaselineEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class RunReport:
    files: tuple[FileReport, ...]
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)
    changed_since: str | None = None  # the git ref the run compared with (--changed-since); None: every finding is new
    baseline: BaselineUse | None = None
