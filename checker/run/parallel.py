"""Files checked in worker processes: the report is the one `--jobs 1` gives, and no file loses its verdict.

Imported only for runs with `--jobs` above 1 and at least two files (or one file with the cfn-lint pass, whose
helper process, lint_beside.py, starts and stops the way workers do here): the process machinery costs about ten
milliseconds to import. Each worker prepares cfn-lint's rule set on its first file and keeps it for the rest
(checker/evaluation/lint.py).

The parent has one thread: it hands each worker a batch over a pipe of the worker's own and waits on all the
pipes at once. A pool with helper threads and shared queues (ProcessPoolExecutor) cannot be taken down from
outside when Ctrl-C lands inside it: its workers were left blocked on a pipe and the parent waiting on them.
Here Ctrl-C is the parent's alone: SIGINT is blocked while a worker is forked, so the worker is born with it
blocked and ignores it before unblocking it; and however the run ends, the parent kills and reaps every worker
and closes every pipe, with SIGINT blocked meanwhile, so nothing is left running or waiting.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import DefaultContext, ForkContext
from multiprocessing.process import BaseProcess

from checker.evaluation.judge import invalid_report
from checker.evaluation.options import CheckOptions
from checker.run.files import FileOutcome, Task, check_task

# Without cfn-lint a file takes a few milliseconds, so files travel in batches to keep the per-batch
# cost small, and each worker has its next batch waiting in its pipe, so it never waits for the parent
# to be scheduled; with cfn-lint a file takes tens of milliseconds to many seconds (cfn-lint grows faster than
# the template), and one at a time balances the workers best.
MAX_BATCH = 16
AHEAD = 2  # batches in a worker's hands at once, without cfn-lint
DIED = (
    "the process checking this file stopped abruptly, twice (a crash in cfn-compliance or a library it uses, "
    "or the system ended it, for example for lack of memory); this is a bug in cfn-compliance"
)
TRIES_ALONE = 2  # a file whose worker dies this many times while checking it alone is invalid, with DIED


@dataclass(frozen=True)
class _Job:
    """Files (their places in the task list) that one worker checks in one go.

    `deaths`: how many workers died checking this file alone."""

    places: tuple[int, ...]
    deaths: int = 0


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection  # the parent's end of the worker's pipe
    jobs: deque[_Job] = field(default_factory=deque)  # sent, their outcomes not yet back; it checks them in order


def check_in_parallel(tasks: Sequence[Task], options: CheckOptions, jobs: int) -> list[FileOutcome]:
    """check_task over the tasks in `jobs` processes, in the order given.

    A batch whose worker died is checked again file by file, so the file that kills its worker is named; a
    report that cannot travel back is made in this process, as is every file when no process can be started."""
    with _Run(tasks, options, jobs) as run:
        run.until_done()
    return [
        outcome if outcome is not None else check_task(task, options) for task, outcome in zip(tasks, run.outcomes, strict=True)
    ]


class _Run:
    """The jobs still to do, the workers doing them, and the outcomes that have come back.

    As a context manager: on the way out, however the run ends (Ctrl-C included), no worker outlives it."""

    def __init__(self, tasks: Sequence[Task], options: CheckOptions, jobs: int) -> None:
        size = 1 if options.cfn_lint else max(1, min(MAX_BATCH, len(tasks) // (min(jobs, len(tasks)) * 8)))
        self.tasks, self.options = tasks, options
        self.todo = deque(_Job(tuple(range(start, min(start + size, len(tasks))))) for start in range(0, len(tasks), size))
        self.capacity = min(jobs, len(self.todo))
        self.ahead = 1 if options.cfn_lint else AHEAD
        self.workers: list[_Worker] = []
        self.outcomes: list[FileOutcome | None] = [None] * len(tasks)  # None at the end: made in this process
        self.interrupted = False
        self._unraisable_hook = sys.unraisablehook

    def __enter__(self) -> _Run:
        self._unraisable_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def __exit__(self, *exception: object) -> None:
        with sigint_held():
            self._stop()
            sys.unraisablehook = self._unraisable_hook

    def until_done(self) -> None:
        """Hand out jobs and take back outcomes until no job is left, or no worker can be started for those left."""
        while not self.interrupted:
            self._hand_out()
            busy = [worker for worker in self.workers if worker.jobs]
            if not busy:
                break
            self._take_back(busy)
        if self.interrupted:
            raise KeyboardInterrupt

    def _unraisable(self, unraisable: sys.UnraisableHookArgs) -> None:
        """A Ctrl-C that lands in a finalizer (a `__del__` run as the last reference goes) cannot raise there: Python
        would print it as "Exception ignored" and carry on. It is noted instead, and until_done raises it."""
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            self.interrupted = True
        else:
            self._unraisable_hook(unraisable)

    def _stop(self) -> None:
        """Every worker killed and reaped and every pipe closed; an idle worker loses nothing by it."""
        for worker in self.workers:
            worker.process.kill()
        for worker in self.workers:
            worker.process.join()
            worker.process.close()
            worker.connection.close()
        self.workers.clear()

    def _hand_out(self) -> None:
        """Workers started up to the capacity, then each given jobs up to `ahead`, the least busy first."""
        while self.todo:
            worker: _Worker | None
            if len(self.workers) < self.capacity:
                worker = self._start()
                if worker is None:  # the system gives no more processes: those there are carry on
                    self.capacity = len(self.workers)
                    continue
            else:
                worker = min(self.workers, key=lambda each: len(each.jobs), default=None)
                if worker is None or len(worker.jobs) >= self.ahead:
                    return
            self._give(worker, self.todo.popleft())

    def _give(self, worker: _Worker, job: _Job) -> None:
        worker.jobs.append(job)
        try:
            worker.connection.send([self.tasks[place] for place in job.places])
        except OSError:  # it died (the system ended it, or a job it had killed it): counted, so retries stay bounded
            self._died(worker)

    def _take_back(self, busy: list[_Worker]) -> None:
        ready = wait([worker.connection for worker in busy] + [worker.process.sentinel for worker in busy])
        for worker in busy:
            if worker.connection in ready:
                try:
                    packed = worker.connection.recv()
                except (EOFError, OSError):  # it died before its outcomes were all sent
                    self._died(worker)
                    continue
                job = worker.jobs.popleft()
                for place, blob in zip(job.places, packed, strict=True):
                    self.outcomes[place] = _unpickled(blob)
            elif worker.process.sentinel in ready:
                self._died(worker)

    def _died(self, worker: _Worker) -> None:
        """The worker stopped abruptly in its first job, whose files are checked again one at a time; a file it dies on
        twice alone is invalid. The jobs behind it had not started: they go back as they were."""
        self._retire(worker)
        job, *waiting = worker.jobs
        self.todo.extendleft(reversed(waiting))
        if len(job.places) > 1:
            self.todo.extend(_Job((place,)) for place in job.places)
        elif job.deaths + 1 < TRIES_ALONE:
            self.todo.append(_Job(job.places, job.deaths + 1))
        else:
            self.outcomes[job.places[0]] = invalid_report(self.tasks[job.places[0]][0], self.options, DIED)

    def _retire(self, worker: _Worker) -> None:
        with sigint_held():  # the process leaves the list only once it is reaped
            worker.process.kill()
            worker.process.join()
            worker.process.close()
            worker.connection.close()
            self.workers.remove(worker)

    def _start(self) -> _Worker | None:
        """A new worker, on the list before a Ctrl-C can interrupt; None when the system will not start one."""
        context = process_context()
        forked = context.get_start_method() == "fork"
        with sigint_held():
            try:
                ours, theirs = context.Pipe()
            except OSError:
                return None
            # A forked worker inherits the parent's ends of its own pipe and of the other workers' pipes, and closes
            # them: each is then open in the parent alone, so a worker whose parent is gone meets the end of its pipe.
            inherited = [*(worker.connection for worker in self.workers), ours] if forked else []
            try:
                process = context.Process(target=_serve, args=(theirs, self.options, inherited), daemon=True)
                process.start()
            except OSError:
                ours.close()
                return None
            finally:
                theirs.close()
            worker = _Worker(process, ours)
            self.workers.append(worker)
        return worker


def process_context() -> DefaultContext | ForkContext:
    """Forked workers start in milliseconds and share what the parent imported; macOS and Windows use their default."""
    fork = "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux")
    return multiprocessing.get_context("fork") if fork else multiprocessing.get_context()


@contextmanager
def sigint_held() -> Iterator[None]:
    """SIGINT blocked in this thread meanwhile: a Ctrl-C stays pending, then raises KeyboardInterrupt as usual.

    A process forked meanwhile starts with SIGINT blocked (as a thread started meanwhile would)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _serve(connection: Connection, options: CheckOptions, inherited: list[Connection]) -> None:
    """A worker: batches of tasks in, one pickled outcome per file out, until the parent's end of the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it discards one pending since the fork
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    for other in inherited:
        other.close()
    try:
        while True:
            batch = connection.recv()
            connection.send([_pickled(check_task(task, options)) for task in batch])
    except (EOFError, OSError):  # the parent is gone or done
        return


def _pickled(outcome: FileOutcome) -> bytes | None:
    """The outcome as it travels, or None for one that cannot travel back: the parent then makes it itself."""
    try:
        return pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
    except Exception:
        return None


def _unpickled(blob: bytes | None) -> FileOutcome | None:
    if blob is None:
        return None
    try:
        outcome: FileOutcome = pickle.loads(blob)
    except Exception:  # made again in this process
        return None
    return outcome
