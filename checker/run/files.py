"""One file of a run in, one verdict out, never an exception: a report, a skip, or an invalid report saying why."""

from __future__ import annotations

from checker.evaluation.judge import check_template, invalid_report
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport, SkippedFile
from checker.load import LoadError, Template, load_file, load_text
from checker.load.decoding import decode

FileOutcome = FileReport | SkippedFile
Task = tuple[str, bool]  # a file to check, and whether a directory search found it (rather than the command line)


def check_task(task: Task, options: CheckOptions) -> FileOutcome:
    """check_path that never raises: a bug met on one file costs that file its verdict, never the run
    (nor, in a worker process, the files that share its batch)."""
    path, searched = task
    try:
        return check_path(path, options, searched=searched)
    except Exception as error:
        return _internal_error(path, options, "checking the file", error)


def check_file(path: str, options: CheckOptions) -> FileReport:
    """Never raises for a bad file: what cannot be judged is an invalid report with TPL001."""
    try:
        template = load_file(path)
    except LoadError as error:
        return _refused(path, options, error)
    return _checked(template, path, options)


def check_path(path: str, options: CheckOptions, *, searched: bool) -> FileOutcome:
    """check_file for a run: a file found by searching a directory that is plainly not CloudFormation
    (prose, another tool's YAML) is skipped instead of failing the run."""
    if not searched:
        return check_file(path, options)
    try:
        template = load_file(path)
    except LoadError as error:
        return SkippedFile(path, error.message) if error.not_cloudformation else _refused(path, options, error)
    return _checked(template, path, options)


def check_bytes(raw: bytes, path: str, options: CheckOptions, *, searched: bool = False) -> FileOutcome:
    """check_path for contents that are not a file on disk (standard input, a file's version at a git ref), read
    within the same limits; `path` names them in the report and chooses the reader (a Markdown answer by its suffix)."""
    try:
        template = load_text(decode(raw), path)
    except LoadError as error:
        return SkippedFile(path, error.message) if searched and error.not_cloudformation else _refused(path, options, error)
    except Exception as error:
        return _internal_error(path, options, "reading the template", error)
    return _checked(template, path, options)


def _checked(template: Template, path: str, options: CheckOptions) -> FileReport:
    try:
        return check_template(template, options)
    except LoadError as error:  # SAM refuses the template
        return _refused(path, options, error)
    except Exception as error:
        return _internal_error(path, options, "evaluating the template", error)


def _refused(path: str, options: CheckOptions, error: LoadError) -> FileReport:
    return invalid_report(path, options, error.message, error.line, error.column)


def _internal_error(path: str, options: CheckOptions, doing: str, error: Exception) -> FileReport:
    reason = f"internal error while {doing} ({type(error).__name__}: {error}); this is a bug in cfn-compliance"
    return invalid_report(path, options, reason)
