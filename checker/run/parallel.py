"""Files checked in worker processes: the report is the one `--jobs 1` gives, and no file loses its verdict.

Imported only for runs with `--jobs` above 1 and at least two files: the process machinery costs
tens of milliseconds to import.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from checker.evaluation.judge import invalid_report
from checker.evaluation.options import CheckOptions
from checker.run.files import FileOutcome, Task, check_task

# Without cfn-lint a file takes a few milliseconds, so files travel in batches to keep the per-task
# cost small; with it a file takes a second or more, and one at a time balances the workers best.
MAX_BATCH = 16
DIED = (
    "the process checking this file stopped abruptly, twice (a crash in cfn-compliance or a library it uses, "
    "or the system ended it, for example for lack of memory); this is a bug in cfn-compliance"
)


def check_in_parallel(tasks: Sequence[Task], options: CheckOptions, jobs: int) -> list[FileOutcome]:
    """check_task over the tasks in `jobs` processes, in the order given.

    A batch whose worker died, or whose reports could not travel back, is checked again file by file."""
    batches = _batches(tasks, min(jobs, len(tasks)), options.cfn_lint)
    done: list[list[FileOutcome] | None] = [None] * len(batches)
    try:
        with _pool(min(jobs, len(batches))) as pool:
            futures = [pool.submit(_check_batch, batch, options) for batch in batches]
            for index, future in enumerate(futures):
                try:
                    done[index] = future.result()
                except Exception:  # checked again below, where a culprit can be told from its neighbours
                    continue
    except (OSError, NotImplementedError, BrokenProcessPool):  # no process pool on this system (no fork, no semaphores)
        pass
    lost = [task for batch, outcomes in zip(batches, done, strict=True) if outcomes is None for task in batch]
    recovered = iter(_one_by_one(lost, options))
    return [
        outcome
        for batch, outcomes in zip(batches, done, strict=True)
        for outcome in (outcomes if outcomes is not None else [next(recovered) for _ in batch])
    ]


def _batches(tasks: Sequence[Task], workers: int, cfn_lint: bool) -> list[list[Task]]:
    size = 1 if cfn_lint else max(1, min(MAX_BATCH, len(tasks) // (workers * 8)))
    return [list(tasks[start : start + size]) for start in range(0, len(tasks), size)]


def _check_batch(batch: list[Task], options: CheckOptions) -> list[FileOutcome]:
    return [check_task(task, options) for task in batch]


def _ignore_interrupts() -> None:
    """Ctrl-C is the parent's to handle: workers printing their own tracebacks would bury its message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers start in milliseconds and share what the parent imported; macOS and Windows use their default."""
    fork = "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux")
    context = multiprocessing.get_context("fork") if fork else None
    return _Pool(workers, mp_context=context, initializer=_ignore_interrupts)


class _Pool(ProcessPoolExecutor):
    def __exit__(self, kind, error, traceback):
        if kind is not None and not issubclass(kind, Exception):  # Ctrl-C: drop the files not yet started
            self.shutdown(wait=False, cancel_futures=True)
            return False
        return super().__exit__(kind, error, traceback)


def _one_by_one(tasks: list[Task], options: CheckOptions) -> list[FileOutcome]:
    """Each file its own task for one worker, so a worker that dies names the file it was checking.

    That file is tried once more alone (the system may have ended the worker for reasons of its own); if its
    worker dies again, it is invalid with the reason. A report that cannot travel back is made in this process."""
    outcomes: list[FileOutcome] = []
    while len(outcomes) < len(tasks):
        remaining, suspect = tasks[len(outcomes) :], None
        try:
            with _pool(1) as pool:
                futures = [pool.submit(_check_batch, [task], options) for task in remaining]
                for task, future in zip(remaining, futures, strict=True):
                    try:
                        outcomes.extend(future.result())
                    except BrokenProcessPool:
                        suspect = task
                        break
                    except Exception:
                        outcomes.append(check_task(task, options))
        except (OSError, NotImplementedError):
            outcomes.extend(check_task(task, options) for task in tasks[len(outcomes) :])
        if suspect is not None:
            outcomes.append(_alone(suspect, options))
    return outcomes


def _alone(task: Task, options: CheckOptions) -> FileOutcome:
    try:
        with _pool(1) as pool:
            return pool.submit(_check_batch, [task], options).result()[0]
    except BrokenProcessPool:
        return invalid_report(task[0], options, DIED)
    except Exception:
        return check_task(task, options)
