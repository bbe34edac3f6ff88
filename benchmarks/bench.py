"""Time the checker as whole processes, the way a pre-commit hook or CI runs it.

    python benchmarks/bench.py [--corpus ../shared/corpus] [--runs 7]

Reports the median wall time of one template with --no-cfn-lint (Python start-up
included), the same with cfn-lint, and the throughput over a corpus directory.
Numbers, not assertions: tests never time anything.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference_template" / "order-processing.yaml"


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


def _count_templates(corpus: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from checker.discover import select_files

    return len(select_files([str(corpus)]).files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    single = _wall(["check", str(REFERENCE), "--no-cfn-lint"], args.runs)
    print(f"one template, --no-cfn-lint: {single:.3f} s wall (median of {args.runs})")
    linted = _wall(["check", str(REFERENCE)], max(1, args.runs // 2))
    print(f"one template, with cfn-lint: {linted:.3f} s wall")
    corpus = Path(args.corpus)
    if corpus.is_dir():
        templates = _count_templates(corpus)
        elapsed = _wall(["check", str(corpus), "--no-cfn-lint", "--format", "json", "--fail-on", "never"], 1)
        print(
            f"corpus {corpus}: {templates} templates in {elapsed:.2f} s = {templates / elapsed:.0f} templates/s (--no-cfn-lint)"
        )
    else:
        print(f"corpus {corpus} not found; skipped the throughput run")


if __name__ == "__main__":
    main()
