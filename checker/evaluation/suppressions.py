"""Suppressions written in a template's Metadata, applied to the findings, and audited by TPL004.

A resource's `Metadata: cfn-compliance: suppress:` names rules it accepts failing, each with a reason and perhaps an
expiry date; the template's top-level `Metadata` does the same for a named `resource:` (a resource SAM generates is
reported on the resource it comes from) or, without one, for the whole template. A suppressed finding stays in the
report, marked; it no longer fails the file. A suppression that cannot be honoured (no reason, an unknown rule, a bad
date, a resource that is not there) or that matches no finding is itself a TPL004 finding, which nothing suppresses.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from checker.evaluation.catalogue import Rule
from checker.findings import Finding, Suppression
from checker.load import Template

AUDIT_RULE = "TPL004"
MIN_REASON = 10  # characters: a reason must say something
ENTRY_KEYS = ("rule", "reason", "expires")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ENGINE_ID = re.compile(r"CKV2?_[A-Z0-9]+_\d+")  # checkov's ids (--with-checkov) may be suppressed too

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Written:
    """One suppression as written: where (`path`, for TPL004's findings), on which resource (None: the template)."""

    path: Path
    resource: str | None
    rule_id: str
    reason: str
    expires: date | None

    def covers(self, finding: Finding) -> bool:
        return finding.rule_id == self.rule_id and (self.resource is None or finding.resource == self.resource)

    def as_suppression(self) -> Suppression:
        return Suppression("inline", self.reason, self.expires.isoformat() if self.expires else None)


@dataclass(frozen=True)
class Problem:
    """A suppression that cannot be honoured, or that honours nothing: a TPL004 finding at `path`."""

    path: Path
    resource: str | None
    message: str


def read_suppressions(written: Template, deployed: Template, rule_ids: Iterable[str]) -> tuple[list[Written], list[Problem]]:
    """Every suppression the template writes, and the problems that keep some from being honoured. `written` is the
    template as the user wrote it (where Metadata and marks are); `deployed` the one judged (SAM's or a loop's
    expansion), whose generated resources map back to what the user wrote."""
    known = frozenset(rule_ids)
    suppressions: list[Written] = []
    problems: list[Problem] = []
    resources = written.data.get("Resources")
    for name, resource in (resources if isinstance(resources, dict) else {}).items():
        if isinstance(resource, dict) and isinstance(resource.get("Metadata"), dict):
            _read_block(("Resources", name, "Metadata"), resource["Metadata"], name, None, known, suppressions, problems)
    top = written.data.get("Metadata")
    if isinstance(top, dict):
        _read_block(("Metadata",), top, None, deployed, known, suppressions, problems)
    _read_made(written, deployed, known, suppressions, problems)
    return suppressions, problems


def _read_made(
    written: Template, deployed: Template, known: frozenset[str], suppressions: list[Written], problems: list[Problem]
) -> None:
    """Suppressions of the resources a Fn::ForEach loop makes, written once in its body: read from each resource
    made, placed on the body's lines; a problem every iteration shares is reported once."""
    declared = written.data.get("Resources")
    names = set(declared) if isinstance(declared, dict) else set()
    made: list[Written] = []
    troubles: list[Problem] = []
    for name, resource in deployed.resources.items():
        if name not in names and isinstance(resource, dict) and isinstance(resource.get("Metadata"), dict):
            at = ("Resources", name, "Metadata")
            _read_block(at, resource["Metadata"], deployed.written_resource(name), None, known, made, troubles)
    suppressions.extend(dataclasses.replace(item, path=deployed.origin(item.path)) for item in made)
    said: set[tuple[Path, str]] = set()
    for problem in troubles:
        placed = dataclasses.replace(problem, path=deployed.origin(problem.path))
        if (placed.path, placed.message) not in said:
            said.add((placed.path, placed.message))
            problems.append(placed)


def _read_block(
    at: Path,
    metadata: dict,
    resource: str | None,
    deployed: Template | None,
    known: frozenset[str],
    suppressions: list[Written],
    problems: list[Problem],
) -> None:
    """The `cfn-compliance: suppress:` list under one Metadata; `deployed` is given for the top level, whose entries
    may name a `resource:`."""
    if "cfn-compliance" not in metadata:
        return
    block = metadata["cfn-compliance"]
    where = (*at, "cfn-compliance")
    if not isinstance(block, dict) or set(block) - {"suppress"}:
        problems.append(
            Problem(where, resource, "cfn-compliance's Metadata holds one key, `suppress`: a list of rules with reasons")
        )
        return
    entries = block.get("suppress")
    if not isinstance(entries, list):
        problems.append(Problem((*where, "suppress"), resource, "`suppress` must be a list of {rule, reason, expires}"))
        return
    for index, entry in enumerate(entries):
        read = _entry((*where, "suppress", index), entry, resource, deployed, known)
        if isinstance(read, Written):
            suppressions.append(read)
        else:
            problems.append(read)


def _entry(
    path: Path, entry: object, resource: str | None, deployed: Template | None, known: frozenset[str]
) -> Written | Problem:
    allowed = ENTRY_KEYS if deployed is None else (*ENTRY_KEYS, "resource")
    if not isinstance(entry, dict):
        return Problem(path, resource, f"a suppression is a mapping with the keys {', '.join(allowed)}")
    unknown = [str(key) for key in entry if key not in allowed]
    if unknown:
        return Problem(path, resource, f"a suppression has no key {unknown[0]!r} (its keys: {', '.join(allowed)})")
    rule_id = entry.get("rule")
    reason = entry.get("reason")
    expires = entry.get("expires")
    if not isinstance(rule_id, str) or not rule_id.strip():
        return Problem(path, resource, "a suppression must name the `rule` it suppresses")
    rule_id = rule_id.strip().upper()
    if rule_id == AUDIT_RULE:
        return Problem((*path, "rule"), resource, f"{AUDIT_RULE} audits the suppressions and cannot be suppressed itself")
    if rule_id not in known and not _ENGINE_ID.fullmatch(rule_id):
        return Problem((*path, "rule"), resource, f"{rule_id} is not a rule of the catalogue (see `cfn-compliance rules`)")
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON:
        return Problem(
            (*path, "reason") if "reason" in entry else path,
            resource,
            f"the suppression of {rule_id} needs a `reason` of at least {MIN_REASON} characters saying why",
        )
    when = _date(expires)
    if expires is not None and when is None:
        return Problem((*path, "expires"), resource, f"`expires` must be a date written YYYY-MM-DD, got {expires!r}")
    if deployed is not None and "resource" in entry:
        named = entry["resource"]
        if not isinstance(named, str) or named not in deployed.resources:
            return Problem(
                (*path, "resource"),
                None,
                f"the suppression of {rule_id} names {named!r}, which is not a resource of the template",
            )
        resource = deployed.written_resource(named)
    return Written(path, resource, rule_id, reason.strip(), when)


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def apply_suppressions(findings: Sequence[Finding], suppressions: Sequence[Written], today: date, enabled: bool) -> list[Finding]:
    """Each finding a live suppression covers, marked with it (the first that does). An expired one leaves the finding
    open and says so in its message. `enabled` False (--no-suppressions): every finding stays as it was."""
    if not enabled:
        return list(findings)
    marked = []
    for finding in findings:
        covering = [suppression for suppression in suppressions if suppression.covers(finding)]
        live = next((item for item in covering if item.expires is None or item.expires >= today), None)
        if live is not None:
            finding = dataclasses.replace(finding, suppression=live.as_suppression())
        elif covering and finding.rule_id != AUDIT_RULE:
            lapsed = covering[0]
            finding = dataclasses.replace(
                finding,
                message=f"{finding.message} (Its suppression expired on {lapsed.expires}: {lapsed.reason})",
            )
        marked.append(finding)
    return marked


def unmatched(suppressions: Sequence[Written], findings: Sequence[Finding], judged: set[str], checkov_ran: bool) -> list[Problem]:
    """Suppressions that match no finding of a rule that was judged (`judged`: options.judged_rule_ids; a rule not
    run, switched off or unknown might still match)."""
    problems = []
    for suppression in suppressions:
        decided = suppression.rule_id in judged or (checkov_ran and _ENGINE_ID.fullmatch(suppression.rule_id) is not None)
        if decided and not any(suppression.covers(finding) for finding in findings):
            where = f"on {suppression.resource}" if suppression.resource else "in this template"
            problems.append(
                Problem(
                    suppression.path,
                    suppression.resource,
                    f"the suppression of {suppression.rule_id} {where} matches no finding: remove it",
                )
            )
    return problems


def audit_findings(rule: Rule, severity: str, problems: Sequence[Problem], template: Template) -> list[Finding]:
    """TPL004's findings, each on the suppression the user wrote."""
    findings = []
    for problem in problems:
        mark = template.mark_at(problem.path)
        findings.append(
            Finding(
                rule_id=rule.id,
                severity=severity,
                category=rule.category,
                title=rule.title,
                message=problem.message[0].upper() + problem.message[1:] + ".",
                remediation=rule.remediation,
                file=template.path,
                resource=problem.resource,
                path="/".join(str(step) for step in problem.path),
                line=mark.line,
                column=mark.column,
            )
        )
    return findings
