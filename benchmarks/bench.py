"""Time the checker as whole processes, the way a pre-commit hook or CI runs it.

    python benchmarks/bench.py [--corpus ../shared/corpus] [--runs 7] [--corpus-runs 3] [--lint-sample 200]
                               [--sizes 1,10,100] [--no-lint-corpus] [--memory-files 5000]

Reports the median wall time of one template with --no-cfn-lint (Python start-up
included), the same with cfn-lint beside `cfn-lint` alone on the same file (the ratio), the
same three for the reference written in SAM, and for the reference's resources repeated
1x, 10x and 100x in one template (`--sizes`); then the throughput over a corpus directory
with --jobs 1 and with the default (one process per CPU), saying how many of its
templates are SAM (SAM expansion is the slow part of a file), and the cfn-lint pass over
the same files as `cfn-lint` alone (a fixed sample of `--lint-sample` files, every k-th
in sorted order; 0 for the whole corpus), with --jobs 1 and the default, each as a ratio
to cfn-lint's time; and the peak memory of a run over `--memory-files` templates (the corpus
copied round) with --format json and text (benchmarks/memory.py). Runs of the commands
compared alternate, so drift in the machine's load hits both alike.
With --hostile (or --hostile-only), each hostile input the tests pin (tests/hostile_inputs.py),
plus two Markdown answers built to be slow, is checked alone in a child process: its wall time
and the child's peak resident memory, beside those of the reference template.
Numbers, not assertions: tests never time anything.
"""

from __future__ import annotations

import argparse
import os
import re
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


def _cfn_lint() -> list[str]:
    """The cfn-lint installed beside this Python: the version the checker imports."""
    script = Path(sys.executable).parent / "cfn-lint"
    return [str(script) if script.exists() else shutil.which("cfn-lint") or "cfn-lint"]


def _once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _wall(arguments: list[str], runs: int) -> float:
    return statistics.median(_once(_command() + arguments) for _ in range(runs))


def _alternating(commands: list[list[str]], runs: int) -> list[float]:
    """The median wall time of each command, their runs taken in turn."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, times, strict=True):
            taken.append(_once(command))
    return [statistics.median(taken) for taken in times]


def _beside_cfn_lint(label: str, files: list[str], runs: int) -> None:
    """Policy-only, with the cfn-lint pass (the default --jobs, and --jobs 1), and `cfn-lint` alone over the same
    files; the ratios of the runs with the pass to cfn-lint's."""
    check = [*_command(), "check", "--format", "json", "--fail-on", "never", *files]
    commands = [[*check, "--no-cfn-lint"], check, [*check, "--jobs", "1"], [*_cfn_lint(), *files]]
    policy, linted, one_job, alone = _alternating(commands, runs)
    print(
        f"{label}: --no-cfn-lint {policy:.3f} s; with cfn-lint {linted:.3f} s (ratio {linted / alone:.2f}), "
        f"--jobs 1 {one_job:.3f} s (ratio {one_job / alone:.2f}); cfn-lint alone {alone:.3f} s (median of {runs})"
    )


def _sized(directory: Path, times: int) -> Path:
    """The reference template with its resources written `times` times (copies renamed Copy1, Copy2...; references
    inside a copy lead to that copy), its parameters, conditions and outputs once."""
    text = REFERENCE.read_text()
    head, rest = text.split("\nResources:\n", 1)
    resources, outputs = rest.split("\nOutputs:\n", 1)
    names = re.findall(r"^  ([A-Za-z0-9]+):", resources, flags=re.MULTILINE)
    pattern = re.compile(r"\b(" + "|".join(sorted(names, key=len, reverse=True)) + r")\b")
    copies = [resources] + [pattern.sub(lambda found, n=n: f"{found.group(1)}Copy{n}", resources) for n in range(1, times)]
    path = directory / f"reference-{times}x.yaml"
    path.write_text(head + "\nResources:\n" + "\n".join(copies) + "\nOutputs:\n" + outputs)
    return path


def _sizes(sizes: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        for times in sizes:
            path = _sized(Path(directory), times)
            _beside_cfn_lint(f"the reference x{times} ({16 * times} resources)", [str(path)], max(1, runs if times < 100 else 1))


def _lint_corpus(files: list[str], sample: int, runs: int) -> None:
    """The cfn-lint pass over a directory's files against cfn-lint alone over the same files (it runs in one process)."""
    chosen = files[:: max(1, len(files) // sample)][:sample] if sample else files
    which = "all" if len(chosen) == len(files) else f"{len(chosen)} of them (every {len(files) // sample}th)"
    print(f"  the cfn-lint pass over {which}, beside cfn-lint alone:")
    for jobs, label in ((["--jobs", "1"], "--jobs 1"), ([], f"default --jobs ({os.cpu_count()} CPUs)")):
        check = [*_command(), "check", "--format", "json", "--fail-on", "never", *jobs, *chosen]
        linted, alone = _alternating([check, [*_cfn_lint(), *chosen]], runs)
        print(
            f"    {label}: {linted:.1f} s = {len(chosen) / linted:.1f} templates/s; cfn-lint alone {alone:.1f} s = "
            f"{len(chosen) / alone:.1f} templates/s; ratio {linted / alone:.2f} (median of {runs})"
        )


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
    parser.add_argument("--lint-sample", type=int, default=200, help="files for the cfn-lint pass vs cfn-lint (0: all)")
    parser.add_argument("--no-lint-corpus", action="store_true", help="skip the cfn-lint pass over the corpus")
    parser.add_argument("--sizes", default="1,10,100", help="the reference's resources repeated so many times (comma list)")
    parser.add_argument("--hostile", action="store_true", help="also time each hostile input and its peak memory")
    parser.add_argument("--hostile-only", action="store_true", help="only the hostile inputs")
    parser.add_argument("--memory-files", type=int, default=5000, help="templates for the peak-memory runs (0: skip them)")
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
    _beside_cfn_lint("one template", [str(REFERENCE)], max(1, args.runs // 2))
    _beside_cfn_lint("one SAM template", [str(SAM_REFERENCE)], max(1, args.runs // 2))
    _sizes([int(size) for size in args.sizes.split(",") if size], max(1, args.runs // 2))
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
    if args.memory_files:
        from memory import peak_memory  # benchmarks/memory.py, beside this script

        peak_memory(corpus, args.memory_files, ["json", "text"])
    if not args.no_lint_corpus:
        _lint_corpus(sorted(files), args.lint_sample, 1)


if __name__ == "__main__":
    main()
