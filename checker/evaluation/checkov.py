"""checkov as an optional second engine (`check --with-checkov`): its CloudFormation checks, run in this process
on the template as the user wrote it, their failures merged as warnings placed on our marks.

checkov is imported only here, and only when asked for (its import costs seconds). It runs offline: we call its
CloudFormation runner directly (never its CLI, which checks PyPI for updates and talks to the Prisma Cloud
platform), with the settings that keep its platform code quiet set only for the import and the run.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.findings import Finding
from checker.load import Template

if TYPE_CHECKING:
    from checker.model.resolve import ResolvedTemplate

CATEGORY = "checkov"
SEVERITY = "warning"

# What checkov reads from the environment (checkov/common/util/env_vars_config.py, main.py), set for the import and
# the run, then put back as they were. Offline: no platform mapping download, no package update check, no graph
# upload, no fetching of CI configuration, no validation of found secrets against their services. In this process:
# checkov forks workers for its checks by default, which a --jobs worker (a daemon process) may not do, and one
# template gains nothing from; our own --jobs spreads the files.
CHECKOV_ENVIRONMENT = {
    "CHECKOV_PARALLELIZATION_TYPE": "none",
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
    "BC_ENABLE_PERSIST_GRAPHS": "FALSE",
    "CKV_GITHUB_CONFIG_FETCH_DATA": "FALSE",
    "CKV_GITLAB_CONFIG_FETCH_DATA": "FALSE",
    "CKV_BITBUCKET_CONFIG_FETCH_DATA": "FALSE",
    "CKV_VALIDATE_SECRETS": "FALSE",
    "CHECKOV_NO_OUTPUT": "TRUE",
    "GIT_PYTHON_REFRESH": "quiet",
}


@dataclass(frozen=True)
class LeftOut:
    """A checkov check that contradicts the architecture: its failures are dropped, and the file says why once."""

    check_id: str
    reason: str
    only_sqs_triggered: bool = False  # dropped only on functions an SQS queue triggers


LEFT_OUT = {
    item.check_id: item
    for item in (
        LeftOut(
            "CKV_AWS_27",
            "checkov's CKV_AWS_27 (SQS encryption) was left out: it asks for KmsMasterKeyId and ignores "
            "SqsManagedSseEnabled, the SSE-SQS encryption this architecture uses; SEC005 judges queue encryption",
        ),
        LeftOut(
            "CKV_AWS_116",
            "checkov's CKV_AWS_116 (Lambda DLQ) was left out on functions an SQS queue triggers ({functions}): a "
            "function's DeadLetterConfig catches only asynchronous invocations, so failed messages belong in the "
            "queue's redrive dead-letter queue, which ARCH006 judges",
            only_sqs_triggered=True,
        ),
    )
}


def checkov_findings(written: Template, resolved: ResolvedTemplate) -> tuple[list[Finding], list[str]]:
    """checkov's failures on the template the user wrote (a Markdown answer's template block, SAM before expansion),
    each at the key of its resource (or of the property checkov inspected, where that is written), and notes: the
    checks left out, or why checkov could not judge the file."""
    try:
        records = _failed_records(written.text)
    except Exception as error:  # checkov's own bug must not cost the file its verdict
        return [], [f"checkov could not check this template ({type(error).__name__}: {error}); its checks were not run"]
    triggered = _sqs_triggered_functions(resolved)
    findings: list[Finding] = []
    dropped: dict[str, list[str]] = {}
    for record in records:
        name = _logical_id(record.resource)
        left_out = LEFT_OUT.get(record.check_id)
        if left_out and (not left_out.only_sqs_triggered or name in triggered):
            dropped.setdefault(record.check_id, []).append(name)
            continue
        findings.append(_finding(written, record, name))
    notes = [LEFT_OUT[check_id].reason.format(functions=", ".join(dict.fromkeys(names))) for check_id, names in dropped.items()]
    return findings, notes


@dataclass(frozen=True)
class _Record:
    check_id: str
    check_name: str
    resource: str  # checkov's "Type.LogicalId"
    first_line: int
    evaluated_keys: tuple[str, ...]


def _failed_records(text: str) -> list[_Record]:
    with offline(), tempfile.TemporaryDirectory(prefix="cfn-compliance-checkov-") as folder:
        from checkov.cloudformation.runner import Runner
        from checkov.runner_filter import RunnerFilter

        # checkov picks its parser by the file's extension: JSON text in a .json file, anything else as YAML.
        path = Path(folder) / ("template.json" if text.lstrip().startswith("{") else "template.yaml")
        path.write_text(text, encoding="utf-8")
        report: Any = Runner().run(
            root_folder=None,
            files=[str(path)],
            runner_filter=RunnerFilter(framework=["cloudformation"], show_progress_bar=False),
        )
        reports = report if isinstance(report, list) else [report]
        records = [record for part in reports for record in part.failed_checks]
    return [
        _Record(
            record.check_id,
            record.check_name,
            record.resource,
            int(record.file_line_range[0]) if record.file_line_range else 0,
            tuple(key for key in (record.check_result or {}).get("evaluated_keys") or () if isinstance(key, str)),
        )
        for record in sorted(records, key=lambda record: (record.file_line_range or [0])[0])
    ]


@contextlib.contextmanager
def offline() -> Iterator[None]:
    """checkov's offline settings, and its output kept out of ours, for this block only: its import configures the
    root logger, its checks log warnings, and cloudsplaining (behind its IAM checks) prints errors to stdout, which
    would break a JSON or SARIF report there. The caller's environment, logging and streams are put back after."""
    saved = {name: os.environ.get(name) for name in CHECKOV_ENVIRONMENT}
    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    os.environ.update(CHECKOV_ENVIRONMENT)
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.disable(disabled)


def _logical_id(resource: str) -> str:
    """checkov names a resource `AWS::SQS::Queue.OrderQueue`; logical ids hold no dots."""
    return resource.rsplit(".", 1)[-1]


def _sqs_triggered_functions(resolved: ResolvedTemplate) -> set[str]:
    from checker.model.recognise import MAPPING_TYPE, QUEUE_TYPE, invoked_functions, referenced

    triggered: set[str] = set()
    for mapping in resolved.of_type(MAPPING_TYPE):
        if referenced(resolved, mapping.properties.get("EventSourceArn"), (QUEUE_TYPE,)):
            triggered.update(invoked_functions(resolved, mapping.properties.get("FunctionName")))
    return triggered


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9]+(?:/[A-Za-z0-9]+)*$")


def _finding(written: Template, record: _Record, name: str) -> Finding:
    resources = written.data.get("Resources")
    if isinstance(resources, dict) and name in resources:
        resource_path: tuple[str | int, ...] = ("Resources", name)
        inspected = next((key for key in record.evaluated_keys if _PLAIN_KEY.match(key) and key.startswith("Properties/")), None)
        path = (*resource_path, *inspected.split("/")) if inspected else resource_path
        mark = written.mark_at(path)
    else:  # a resource checkov found where we name none (what a loop makes): its first line
        path = ("Resources",)
        mark = written.mark_at(path)
        mark = type(mark)(record.first_line, 1) if record.first_line >= 1 else mark
    return Finding(
        rule_id=record.check_id,
        severity=SEVERITY,
        category=CATEGORY,
        title=record.check_name,
        message=f"checkov's {record.check_id} fails on {name}: {record.check_name}.",
        remediation=(
            f"Change {name} as {record.check_id} asks, or, if the architecture has reason not to, say so in the resource's "
            f"Metadata (checkov: skip: - id: {record.check_id} comment: why), which checkov honours."
        ),
        file=written.path,
        resource=name,
        path="/".join(str(step) for step in path),
        line=mark.line,
        column=mark.column,
    )
