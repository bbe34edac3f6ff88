"""One file with the cfn-lint pass: cfn-lint runs in a second process while this one does everything else.

Importing cfn-lint and preparing its rule set take most of a one-file run with the pass (about half a second,
what `cfn-lint` alone spends too); the checker's own work (loading, SAM, the other rules) would come on top.
When a run has one file, --jobs above 1 and the cfn-lint pass on, and processes can be forked, a helper forked at
the start loads the file the same way, prepares cfn-lint and lints the template, while this process loads, expands
and judges it; TPL002 then takes the helper's errors (checker.evaluation.lint.linted_beside) for that very text and
those options, and lints here otherwise (a helper that could not start, died, or read something else).
Runs of several files are spread over worker processes instead (parallel.py), each with its prepared rule set.

As in parallel.py, Ctrl-C is this process's alone: the helper is born with SIGINT blocked and ignores it, and
however the run ends it is killed and reaped and its pipe closed.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from checker.evaluation.lint import LintError, LintFailure, lint_errors, linted_beside
from checker.evaluation.options import CheckOptions
from checker.load import load_file
from checker.run.files import FileOutcome, Task, check_task
from checker.run.parallel import process_context, sigint_held

# What the helper sends back: the text it linted, and the errors, or why cfn-lint failed (None: no template).
Found = tuple[str, "list[LintError] | str"] | None


def check_with_lint_beside(task: Task, options: CheckOptions) -> FileOutcome:
    """check_task, with the cfn-lint pass for the file done in a helper process meanwhile where one can be forked
    (Linux: a process started any other way would import everything again, and gain nothing)."""
    if process_context().get_start_method() != "fork":
        return check_task(task, options)
    with _helper(task[0], options) as answer:
        if answer is None:
            return check_task(task, options)
        with linted_beside(answer):
            return check_task(task, options)


class _Answer:
    """The helper's errors for the options it was given, read from its pipe when TPL002 first asks."""

    def __init__(self, connection: Connection, options: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
        self.connection, self.options = connection, options
        self.found: Found = None
        self.asked = False

    def __call__(
        self, text: str, ignore_checks: tuple[str, ...], regions: tuple[str, ...]
    ) -> list[LintError] | LintFailure | None:
        if (ignore_checks, regions) != self.options:
            return None
        if not self.asked:
            self.asked = True
            try:
                self.found = self.connection.recv()
            except (EOFError, OSError):  # it died: lint here
                self.found = None
        if self.found is None or self.found[0] != text:
            return None
        errors = self.found[1]
        return LintFailure(errors) if isinstance(errors, str) else errors


@contextmanager
def _helper(path: str, options: CheckOptions) -> Iterator[_Answer | None]:
    """A helper linting `path`, and what to ask it; None when none could be started. The helper is on `started`
    before a Ctrl-C can interrupt, so however the run ends it is killed and reaped and its pipe closed."""
    settings = (tuple(options.lint_ignore_checks), tuple(options.lint_regions) or ("us-east-1",))
    started: list[tuple[BaseProcess, Connection]] = []
    try:
        _start(path, settings, started)
        yield _Answer(started[0][1], settings) if started else None
    finally:
        with sigint_held():
            for process, connection in started:
                process.kill()
                process.join()
                process.close()
                connection.close()


def _start(path: str, settings: tuple[tuple[str, ...], tuple[str, ...]], started: list[tuple[BaseProcess, Connection]]) -> None:
    """The helper forked with SIGINT blocked (a Ctrl-C meanwhile waits for the parent), and the parent's end of its
    pipe, put on `started`; nothing when the system will not start one."""
    context = process_context()
    with sigint_held():
        try:
            ours, theirs = context.Pipe(duplex=False)
        except OSError:
            return
        try:
            process = context.Process(target=_serve, args=(theirs, ours, path, settings), daemon=True)
            process.start()
        except OSError:
            ours.close()
            return
        finally:
            theirs.close()
        started.append((process, ours))


def _serve(connection: Connection, parents: Connection, path: str, settings: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    """The helper: the file loaded as the run loads it, cfn-lint's errors for its text sent back, then gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    parents.close()  # the parent's end, inherited: open in the parent alone
    found: Found = None
    try:
        text = load_file(path).text
        try:
            found = (text, lint_errors(text, *settings))
        except LintFailure as failure:
            found = (text, str(failure))
    except Exception:  # not a template (LoadError), or a bug met loading it: the run meets it, and lints here if need be
        found = None
    with suppress(OSError):  # the parent is gone or done
        try:
            connection.send(found)
        except Exception:  # an answer that cannot travel (pickle refuses it): the parent lints
            connection.send(None)
