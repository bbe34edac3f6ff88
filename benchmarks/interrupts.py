"""Interrupt whole runs at random moments and count the clean stops.

    python benchmarks/interrupts.py [--runs 50] [--files 300] [--jobs 2] [--cfn-lint] [--busy 1] [--seed N]

Each run checks FILES copies of the reference template (with --no-cfn-lint unless --cfn-lint: with it a file
takes a second or more, so give fewer files) in a session of its own, and one SIGINT
goes to its whole process group, as Ctrl-C in a terminal sends it, at a moment drawn in turn from three kinds:
start-up (as the first worker process appears, or with --jobs 1 once the checking has begun), mid-run (anywhere
in an uninterrupted run's length) and the last file (its last tenth). A stop is clean when the run exits 130,
its stderr is exactly "cfn-compliance: interrupted", and no process of its group is left; a run still going a
minute later has hung, and its group is killed. A run that had written its whole report before the signal
could go does not count and is drawn again, a little earlier: it was over, and only Python's shutdown was left
(where, as in its start-up, SIGINT is not the program's to handle: Python puts back the default action).
--busy keeps that many other processes spinning, to see it under load.
Counts, not timings: tests/test_jobs.py runs a short version of this loop.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference_template" / "order-processing.yaml"
INTERRUPTED = "cfn-compliance: interrupted\n"
MOMENTS = ("start-up", "mid-run", "last file")
START_UP_CPU = 0.6  # seconds of CPU the parent spends on its imports before it checks anything


@dataclass(frozen=True)
class Stop:
    """How one interrupted run ended."""

    moment: str
    delay: float  # seconds after the run's start-up at which the signal went
    code: int | None  # None: it hung
    stderr: str
    left: tuple[str, ...]  # processes of its group still there after it ended

    @property
    def clean(self) -> bool:
        return self.code == 130 and self.stderr == INTERRUPTED and not self.left

    def __str__(self) -> str:
        ending = "hung" if self.code is None else f"exit {self.code}"
        return f"{self.moment} +{self.delay:.3f} s: {ending}, stderr {self.stderr!r}, left {list(self.left)}"


def templates(directory: Path, count: int) -> Path:
    """`count` copies of the reference template: a few seconds of work."""
    for number in range(count):
        shutil.copy(REFERENCE, directory / f"stack-{number:03}.yaml")
    return directory


@dataclass(frozen=True)
class Command:
    """The run interrupted: cfn-compliance check on `directory` with `--jobs`."""

    directory: Path
    jobs: int
    cfn_lint: bool = False

    def argv(self) -> list[str]:
        lint = [] if self.cfn_lint else ["--no-cfn-lint"]
        return [sys.executable, "-m", "checker.cli", "check", *lint, "--jobs", str(self.jobs), str(self.directory)]


def _started(pid: int) -> bool:
    """Past start-up: the run has forked a worker, or spent more CPU than its imports take."""
    if Path(f"/proc/{pid}/task/{pid}/children").read_text().strip():
        return True
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # fields 14 and 15: user, system
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") >= START_UP_CPU


def _ended(pid: int) -> bool:
    """Has the child exited? Asked without reaping it, so a signal sent after a False reaches the run itself."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _drain(stream: IO[bytes]) -> bytes:
    """What the child has written to a pipe so far, without waiting for more."""
    chunks = []
    os.set_blocking(stream.fileno(), False)
    try:
        while chunk := os.read(stream.fileno(), 1 << 16):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    finally:
        os.set_blocking(stream.fileno(), True)
    return b"".join(chunks)


def _group(pgid: int) -> list[str]:
    """The live processes of a process group (zombies are already gone in all but name)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{stat.parent.name} ({fields[0]})")
    return found


def _leftovers(pgid: int, grace: float = 5.0) -> tuple[str, ...]:
    """What of the group outlives its leader, after a grace for processes that are ending; those are then killed."""
    deadline = time.monotonic() + grace
    while (left := _group(pgid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if left:
        os.killpg(pgid, signal.SIGKILL)
    return tuple(left)


def interrupt(command: Command, moment: str, delay: float, report: bytes | None = None, timeout: float = 60.0) -> Stop | None:
    """One run, given SIGINT `delay` seconds after start-up; None when it was over first: it had ended, or written
    `report`, the whole of what an uninterrupted run writes to stdout (when known)."""
    process = subprocess.Popen(command.argv(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    assert process.stdout is not None
    try:
        while not _ended(process.pid) and not _started(process.pid):
            time.sleep(0.001)
        time.sleep(delay)
        written = _drain(process.stdout)  # all of it: a report of a few hundred files fits in the pipe's buffer
        if _ended(process.pid) or written == report:  # once its report is out, only Python's shutdown is left
            process.communicate()
            return None
        os.killpg(process.pid, signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            left = tuple(_group(process.pid))
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return Stop(moment, delay, None, "", left)
        return Stop(moment, delay, process.returncode, stderr.decode(errors="replace"), _leftovers(process.pid))
    finally:
        if process.poll() is None:  # the caller is being interrupted itself: leave nothing behind
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass(frozen=True)
class Uninterrupted:
    """What a run left alone does: the report it writes, and its median length from start-up to exit."""

    report: bytes
    length: float


def uninterrupted(command: Command, runs: int = 3) -> Uninterrupted:
    reports, lengths = set(), []
    for _ in range(runs):
        process = subprocess.Popen(command.argv(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        while process.poll() is None and not _started(process.pid):
            time.sleep(0.001)
        start = time.monotonic()
        stdout, _ = process.communicate()
        lengths.append(time.monotonic() - start)
        reports.add(stdout)
    (report,) = reports  # the same every time
    return Uninterrupted(report, statistics.median(lengths))


@dataclass
class Redrawn:
    """How many runs did not count: they were over before their signal could go."""

    over_first: int = 0


def interrupts(command: Command, runs: int, seed: int, alone: Uninterrupted, redrawn: Redrawn) -> Iterator[Stop]:
    """`runs` interrupted runs, the moments drawn in turn from MOMENTS; a run that does not count is drawn again."""
    draw = random.Random(seed)
    for index in range(runs):
        moment, length = MOMENTS[index % len(MOMENTS)], alone.length
        while True:
            if moment == "start-up":
                delay = 0.0
            elif moment == "mid-run":
                delay = draw.uniform(0, length)
            else:
                delay = draw.uniform(0.9 * length, length)
            stop = interrupt(command, moment, delay, alone.report)
            if stop is not None:
                yield stop
                break
            redrawn.over_first += 1
            length *= 0.9  # drawn again a little earlier, so that the drawing ends


@contextmanager
def busy(count: int) -> Iterator[None]:
    """`count` processes that keep a core each busy meanwhile."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cfn-lint", action="store_true", help="with the cfn-lint pass (a second or more a file)")
    parser.add_argument("--busy", type=int, default=0, help="processes spinning meanwhile, each keeping a core busy")
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 32))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary, busy(args.busy):
        command = Command(templates(Path(temporary), args.files), args.jobs, args.cfn_lint)
        alone = uninterrupted(command)
        print(
            f"{args.files} templates, --jobs {args.jobs}{', cfn-lint' if args.cfn_lint else ''}, {args.busy} busy processes, "
            f"seed {args.seed}: "
            f"an uninterrupted run lasts {alone.length:.2f} s after start-up",
            flush=True,
        )
        stops, redrawn = [], Redrawn()
        for stop in interrupts(command, args.runs, args.seed, alone, redrawn):
            stops.append(stop)
            if not stop.clean:
                print(f"  not clean: {stop}", flush=True)
    for moment in MOMENTS:
        some = [stop for stop in stops if stop.moment == moment]
        print(f"  {moment}: {sum(stop.clean for stop in some)} of {len(some)} clean")
    clean = sum(stop.clean for stop in stops)
    print(f"{clean} of {len(stops)} interrupts stopped cleanly (exit 130, the one line on stderr, no process left)")
    print(f"drawn again: {redrawn.over_first} runs over (report written) before their signal could go")
    return 0 if clean == len(stops) else 1


if __name__ == "__main__":
    sys.exit(main())
