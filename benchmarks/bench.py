"""Time the checker as whole processes, the way a pre-commit hook or CI runs it.

    python benchmarks/bench.py [--corpus ../shared/corpus] [--runs 7] [--corpus-runs 3]

Reports the median wall time of one template with --no-cfn-lint (Python start-up
included), the same with cfn-lint, and the throughput over a corpus directory with
--jobs 1 and with the default (one process per CPU), saying how many of its
templates are SAM (SAM expansion is the slow part of a file).
With --hostile (or --hostile-only), each hostile input the tests pin (tests/hostile_inputs.py),
plus two Markdown answers built to be slow, is checked alone in a child process: its wall time
and the child's peak resident memory, beside those of the reference template.
Numbers, not assertions: tests never time anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference_template" / "order-processing.yaml"
SAM_REFERENCE = ROOT / "tests" / "fixtures" / "sam" / "compliant.yaml"  # the reference, written in SAM


def _command() -> list[str]:
    script = shutil.which("cfn-compliance")
    return [script] if script else [sys.executable, "-m", "checker.cli"]


def _wall(arguments: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(_command() + arguments, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _corpus_files(corpus: Path) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from checker.run.discover import select_files

    return list(select_files([str(corpus)]).files)


def _is_sam(path: str) -> bool:
    from checker.load import LoadError, load_file
    from checker.load.sam import is_sam

    try:
        return is_sam(load_file(path).data)
    except LoadError:
        return False


# Runs the command given as arguments and prints the child's peak RSS. A child keeps the peak of the process
# it was forked from (Linux counts it across exec), so the bench, which holds every case in memory, must not
# be that process: this small interpreter is.
_PEAK_OF_CHILD = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _measured(arguments: list[str]) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of one child process running the CLI."""
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", _PEAK_OF_CHILD, *_command(), *arguments], cwd=ROOT, capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    per_mib = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return elapsed, int(run.stdout) // per_mib


def _hostile_cases() -> list[tuple[str, object]]:
    sys.path.insert(0, str(ROOT))
    from tests.hostile_inputs import HOSTILE_INPUTS

    bash = "```bash\nls\n```\n"
    looks_like_a_template = "```yaml\nResources: {Q: {Type: AWS::SQS::Queue}}\n```\n"
    markdown = [
        ("answer-300000-bash-blocks.md", lambda _: (bash * 300_000).encode()),
        ("answer-100000-template-blocks.md", lambda _: (looks_like_a_template * 100_000).encode()),
    ]
    return [(case.name, case.content) for case in HOSTILE_INPUTS] + markdown


def _hostile(runs: int) -> None:
    """Each hostile input alone, as a separate process: time to its verdict and peak memory."""
    base_time, base_memory = _measured(["check", str(REFERENCE), "--no-cfn-lint", "--format", "json"])
    print(f"hostile inputs, each alone, --no-cfn-lint (median wall of {runs}, a small launcher's start included; peak RSS):")
    print(f"  {'reference template (for comparison)':<40} {base_time:6.3f} s {base_memory:5d} MiB")
    with tempfile.TemporaryDirectory() as directory:
        for name, content in _hostile_cases():
            path = Path(directory) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content(Path(directory)))  # type: ignore[operator]
            measured = [_measured(["check", str(path), "--no-cfn-lint", "--format", "json"]) for _ in range(runs)]
            size = path.stat().st_size
            wall = statistics.median(time for time, _ in measured)
            memory = max(memory for _, memory in measured)
            print(f"  {name:<40} {wall:6.3f} s {memory:5d} MiB   ({size / 1048576:.1f} MiB file)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--corpus-runs", type=int, default=3)
    parser.add_argument("--hostile", action="store_true", help="also time each hostile input and its peak memory")
    parser.add_argument("--hostile-only", action="store_true", help="only the hostile inputs")
    args = parser.parse_args()
    if args.hostile_only:
        _hostile(max(1, args.runs // 2))
        return

    single = _wall(["check", str(REFERENCE), "--no-cfn-lint"], args.runs)
    print(f"one template, --no-cfn-lint: {single:.3f} s wall (median of {args.runs})")
    sam_single = _wall(["check", str(SAM_REFERENCE), "--no-cfn-lint"], args.runs)
    print(
        f"one SAM template, --no-cfn-lint: {sam_single:.3f} s wall (median of {args.runs}; aws-sam-translator's import included)"
    )
    linted = _wall(["check", str(REFERENCE)], max(1, args.runs // 2))
    print(f"one template, with cfn-lint: {linted:.3f} s wall")
    if args.hostile:
        _hostile(max(1, args.runs // 2))
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus {corpus} not found; skipped the throughput runs")
        return
    files = _corpus_files(corpus)
    sam = sum(map(_is_sam, files))
    print(f"corpus {corpus}: {len(files)} templates, {sam} of them SAM (Transform AWS::Serverless-2016-10-31)")
    for jobs, label in ((["--jobs", "1"], "--jobs 1"), ([], f"default --jobs ({os.cpu_count()} CPUs)")):
        arguments = ["check", str(corpus), "--no-cfn-lint", "--format", "json", "--fail-on", "never", *jobs]
        elapsed = _wall(arguments, args.corpus_runs)
        print(
            f"  {label}: {elapsed:.2f} s = {len(files) / elapsed:.0f} templates/s (--no-cfn-lint, median of {args.corpus_runs})"
        )


if __name__ == "__main__":
    main()
