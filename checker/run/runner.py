"""A whole run: the inputs named, the files found, each checked (in this process or several), every input accounted for."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from checker.evaluation.judge import invalid_report
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, RunReport, SkippedFile
from checker.globs import Exclusion
from checker.run.discover import select_files
from checker.run.files import check_task
from checker.run.locations import repo_path, repository_root


def check_paths(
    paths: list[str], options: CheckOptions, jobs: int = 1, *, found: Sequence[str] = (), exclude: Exclusion | None = None
) -> RunReport:
    """Named files, directories searched, every input accounted for (checked, skipped or invalid).
    `found` and `exclude`: the configuration's globbed `paths` and its `exclude` (checker.run.discover).

    With jobs above 1 the files are checked in that many processes; the report is the same as with one."""
    selection = select_files(paths, found, exclude)
    tasks = [(path, path in selection.searched) for path in selection.files]
    if jobs > 1 and len(tasks) > 1:
        from checker.run.parallel import check_in_parallel  # the process machinery costs about ten milliseconds to import

        outcomes = check_in_parallel(tasks, options, jobs)
    else:
        outcomes = [check_task(task, options) for task in tasks]
    unreadable = [invalid_report(item.path, options, item.reason) for item in selection.unreadable]
    files = (*[outcome for outcome in outcomes if isinstance(outcome, FileReport)], *unreadable)
    cwd = Path.cwd()
    root = repository_root(cwd)
    return RunReport(
        files=tuple(dataclasses.replace(file, repo_path=repo_path(file.path, root, cwd)) for file in files),
        skipped=(*selection.skipped, *[outcome for outcome in outcomes if isinstance(outcome, SkippedFile)]),
    )
