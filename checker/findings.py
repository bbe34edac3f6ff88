"""The result model shared by evaluation, reporters and the CLI: frozen, plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["pass", "fail", "not_applicable", "unknown"]
FileStatus = Literal["compliant", "non_compliant", "invalid"]

SEVERITY_ORDER = {"warning": 1, "error": 2}


@dataclass(frozen=True)
class Finding:
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

    @property
    def fingerprint(self) -> str:
        """Identity that survives line shifts (rule, file as given, resource, path), in the JSON report."""
        return "|".join((self.rule_id, self.file, self.resource or "", self.path))


@dataclass(frozen=True)
class RuleResult:
    """The verdict of one rule on one file, recorded for passes as well as failures."""

    rule_id: str
    status: Status
    message: str | None = None


@dataclass(frozen=True)
class SettingDifference:
    setting: str
    reference: object
    candidate: object


@dataclass(frozen=True)
class ComponentMatch:
    """A reference component and the candidate resource that plays it (None: missing)."""

    component: str
    reference_resource: str
    candidate_resource: str | None
    differences: tuple[SettingDifference, ...] = ()


@dataclass(frozen=True)
class FileReport:
    path: str
    status: FileStatus
    findings: tuple[Finding, ...]
    results: tuple[RuleResult, ...]
    reference: tuple[ComponentMatch, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class RunReport:
    files: tuple[FileReport, ...]
    skipped: tuple[SkippedFile, ...] = field(default_factory=tuple)
