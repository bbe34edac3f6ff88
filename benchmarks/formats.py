"""What writing each report format adds to a run over a corpus, measured as whole CLI processes.

    python benchmarks/formats.py [--corpus ../shared/corpus] [--runs 3] [--jobs N]

For each format, the run with `--format FORMAT` (stdout to /dev/null) is timed against the plain text run,
runs alternating so that drift in the machine's load hits both alike; the median of each is reported with
the difference in percent. A last line times one run writing every format at once with `--output`.
Both sides use --no-cfn-lint: cfn-lint's time does not depend on the format and would only add noise.
Numbers, not assertions: tests never time anything.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.reports import FORMATS  # noqa: E402  (after the path is set, to time this checkout)


def _command() -> list[str]:
    script = shutil.which("cfn-compliance")
    return [script] if script else [sys.executable, "-m", "checker.cli"]


def _once(arguments: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(_command() + arguments, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", default=None, help="passed on as --jobs (default: the CLI's default)")
    args = parser.parse_args()
    base = ["check", args.corpus, "--no-cfn-lint", *(["--jobs", args.jobs] if args.jobs else [])]
    print(f"corpus: {args.corpus}; {args.runs} alternating runs each; median wall seconds")
    print(f"{'format':<10} {'text':>8} {'format':>8} {'added':>8}")
    for name in FORMATS:
        if name == "text":
            continue
        plain, chosen = [], []
        for _ in range(args.runs):
            plain.append(_once(base))
            chosen.append(_once([*base, "--format", name]))
        text_time, format_time = statistics.median(plain), statistics.median(chosen)
        print(f"{name:<10} {text_time:8.2f} {format_time:8.2f} {100 * (format_time - text_time) / text_time:+7.1f}%")
    with tempfile.TemporaryDirectory() as folder:
        outputs = [f"--output={name}={Path(folder) / name}" for name in FORMATS]
        plain, every = [], []
        for _ in range(args.runs):
            plain.append(_once(base))
            every.append(_once([*base, *outputs]))
    text_time, every_time = statistics.median(plain), statistics.median(every)
    print(f"{'all':<10} {text_time:8.2f} {every_time:8.2f} {100 * (every_time - text_time) / text_time:+7.1f}%")


if __name__ == "__main__":
    main()
