"""A whole run: the inputs named, the files found, each checked (in this process or several), every input accounted for."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checker.evaluation.judge import invalid_report
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, RunReport, SkippedFile
from checker.globs import Exclusion
from checker.run.discover import select_files
from checker.run.files import FileOutcome, check_bytes, check_task
from checker.run.locations import file_location

if TYPE_CHECKING:
    from checker.run.baseline import Baseline

STDIN = "-"  # the path that names standard input
STDIN_NAME = "<stdin>"  # its name in reports when --stdin-name does not give one


@dataclass(frozen=True)
class StdinInput:
    """A template read from standard input (`check -`) by the CLI; `name` is its path in reports."""

    raw: bytes
    name: str = STDIN_NAME


def check_paths(
    paths: list[str],
    options: CheckOptions,
    jobs: int = 1,
    *,
    found: Sequence[str] = (),
    exclude: Exclusion | None = None,
    only_templates: bool = False,
    stdin: StdinInput | None = None,
    changed_since: str | None = None,
    include_markdown: bool = False,
    baseline: Baseline | None = None,
) -> RunReport:
    """Named files, directories searched, every input accounted for (checked, skipped or invalid).

    `found` and `exclude`: the configuration's globbed `paths` and its `exclude` (checker.run.discover).
    With jobs above 1 the files are checked in that many processes; the report is the same as with one.
    `only_templates`: named files that are plainly not CloudFormation are skipped (pre-commit's hook mode).
    `stdin`: the template that `-` among `paths` names. `changed_since`: only the files changed since that
    git ref, under `paths` (none: the whole repository), each finding marked new or pre-existing (GitError).
    `baseline`: the accepted findings (checker.run.baseline), suppressed, and the entries that no longer match."""
    cwd = Path.cwd()
    changes = None
    if changed_since is not None:
        from checker.run.changes import changes_since

        changes = changes_since(changed_since, cwd)
        changed = changes.files(paths, cwd, include_markdown=include_markdown)
        selection = select_files([], found=list(changed), exclude=exclude)  # changed files are judged as a search's finds
    else:
        selection = select_files([path for path in paths if path != STDIN], found, exclude, only_templates=only_templates)
    tasks = [(path, path in selection.searched) for path in selection.files]
    if jobs > 1 and len(tasks) > 1:
        from checker.run.parallel import check_in_parallel  # the process machinery costs about ten milliseconds to import

        outcomes = check_in_parallel(tasks, options, jobs)
    elif jobs > 1 and len(tasks) == 1 and options.cfn_lint:
        from checker.run.lint_beside import check_with_lint_beside  # cfn-lint in a second process meanwhile

        outcomes = [check_with_lint_beside(tasks[0], options)]
    else:
        outcomes = [check_task(task, options) for task in tasks]
    if stdin is not None:
        outcomes.insert(0, check_bytes(stdin.raw, stdin.name, options, searched=only_templates))
    unreadable = [invalid_report(item.path, options, item.reason) for item in selection.unreadable]
    files = (*[outcome for outcome in outcomes if isinstance(outcome, FileReport)], *unreadable)
    located = tuple(dataclasses.replace(file, repo_path=_repo_path(file, stdin, cwd)) for file in files)
    if changes is not None:
        from checker.run.changes import compare_with_ref, old_version

        def compared(file: FileReport) -> FileReport:
            change = changed[file.path]  # the old version is read as its old name says (a rename may change its kind)
            return compare_with_ref(file, old_version(changes, change), change.old_path or file.path, options)

        located = tuple(compared(file) if file.path in changed else file for file in located)
    report = RunReport(files=located, skipped=_skipped(selection.skipped, outcomes), changed_since=changed_since)
    if baseline is not None:
        from checker.run.baseline import apply_baseline

        report = apply_baseline(report, baseline, options)
    return report


def _repo_path(file: FileReport, stdin: StdinInput | None, cwd: Path) -> str:
    if stdin is not None and file.path == stdin.name and stdin.name == STDIN_NAME:
        return STDIN_NAME  # no file: no place in the repository to derive
    return file_location(file.path, cwd)


def _skipped(found: tuple[SkippedFile, ...], outcomes: list[FileOutcome]) -> tuple[SkippedFile, ...]:
    return (*found, *[outcome for outcome in outcomes if isinstance(outcome, SkippedFile)])
