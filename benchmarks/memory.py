"""Peak memory of a large run, per report format, as whole processes.

    python benchmarks/memory.py [--corpus ../shared/corpus] [--files 5000] [--formats json,text] [--cfn-lint]

Copies templates from the corpus (round after round, under new names) until there are --files of them, then runs
`cfn-compliance check DIR --format F` for each format in a child process and prints its wall time and the peak
resident memory of the main process (the largest process of the run; --jobs workers are smaller). Without
--cfn-lint the pass is off (`--no-cfn-lint`), as a grading run over thousands of answers would run it.
Numbers, not assertions: tests never time or weigh anything.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run in a child, which reports the peak RSS of its own child (the CLI), in KiB as Linux counts it.
_PROBE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _command() -> list[str]:
    script = shutil.which("cfn-compliance")
    return [script] if script else [sys.executable, "-m", "checker.cli"]


def _templates(corpus: Path, count: int, into: Path) -> int:
    sys.path.insert(0, str(ROOT))
    from checker.run.discover import select_files

    found = [Path(path) for path in select_files([str(corpus)]).files]
    if not found:
        raise SystemExit(f"no templates under {corpus}")
    for index in range(count):
        source = found[index % len(found)]
        shutil.copyfile(source, into / f"{index:05d}-{source.name}")
    return count


def peak_memory(corpus: Path, count: int, formats: list[str], cfn_lint: bool = False) -> None:
    """Print each format's wall time and peak memory over `count` templates copied from `corpus`."""
    with tempfile.TemporaryDirectory() as folder:
        files = _templates(corpus, count, Path(folder))
        print(f"peak memory: {files} templates copied from {corpus}")
        for name in formats:
            arguments = ["check", folder, "--format", name, *([] if cfn_lint else ["--no-cfn-lint"])]
            start = time.perf_counter()
            probe = subprocess.run([sys.executable, "-c", _PROBE, *_command(), *arguments], capture_output=True, text=True)
            wall = time.perf_counter() - start
            peak = int(probe.stdout.strip() or 0) / 1024
            print(f"  --format {name:8} {wall:6.1f} s  peak {peak:6.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--formats", default="json,text")
    parser.add_argument("--cfn-lint", action="store_true", help="keep the cfn-lint pass on (slow: minutes per thousand files)")
    options = parser.parse_args()
    peak_memory(options.corpus, options.files, options.formats.split(","), options.cfn_lint)


if __name__ == "__main__":
    main()
