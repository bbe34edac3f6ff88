"""Does the cfn-lint pass with one prepared rule set give exactly what a fresh cfn-lint gave for every file?

    python benchmarks/lint_equality.py [--corpus ../shared/corpus] [--sample N] [--ignore-checks E3012,...] [--regions ...]

For each template of the corpus (or a fixed sample of N: every k-th file in sorted order), in one process:
TPL002's errors as `checker.evaluation.lint` gives them today (one rule set prepared once, reused for every file,
files in order, so state left behind by one file would show on the next), and as a fresh `cfnlint.runner.Runner`
built for that file alone gives them (what the pass did before the rule set was shared). Prints the counts and
every file whose errors differ; exits 1 when one does. Files that are not templates (TPL001) are skipped: cfn-lint
never sees them. tests/test_lint_pass.py runs the same comparison on a few files of tests/corpus/.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.evaluation.lint import LintError, LintFailure, _place, lint_errors  # noqa: E402  (after the path is set)


def fresh_lint_errors(text: str, ignore_checks: Sequence[str] = (), regions: Sequence[str] = ("us-east-1",)) -> list[LintError]:
    """TPL002's errors with a rule set built for this file alone: a new Runner, as the pass did before."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner

    class _OnlyGiven(ConfigMixIn):
        def _find_config(self) -> tuple[str, str]:
            return "", ""

    def matches() -> list:
        template, errors = decode_str(text)
        if errors:
            return list(errors)
        if template is None:
            return []
        config = _OnlyGiven(regions=list(regions) or ["us-east-1"], ignore_checks=list(ignore_checks), merge_configs=True)
        return list(Runner(config).validate_template(template))

    try:
        found = matches()
    except Exception as error:
        raise LintFailure(f"cfn-lint could not judge this file ({type(error).__name__}: {error})") from None
    errors = {
        LintError(
            match.rule.id,
            str(match.message),
            max(1, match.linenumber),
            max(1, match.columnnumber),
            tuple(getattr(match, "path", None) or ()),
        )
        for match in found
        if getattr(match.rule, "id", "").startswith("E")
    }
    return sorted(errors, key=_place)  # before, errors at one place came in no fixed order: both sides use one


def outcome(lint, text: str, ignore_checks: Sequence[str], regions: Sequence[str]) -> list[LintError] | str:  # type: ignore[no-untyped-def]
    try:
        errors: list[LintError] = lint(text, ignore_checks, regions)
    except LintFailure as failure:
        return str(failure)
    return errors


def templates(corpus: Path, sample: int | None) -> list[tuple[str, str]]:
    """(path, text) of each template cfn-lint would see: the text TPL002 lints (a Markdown answer's block)."""
    from checker.load import LoadError, load_file
    from checker.run.discover import select_files

    files = sorted(select_files([str(corpus)]).files)
    if sample:
        files = files[:: max(1, len(files) // sample)][:sample]
    texts = []
    for path in files:
        try:
            texts.append((path, load_file(path).text))
        except LoadError:
            continue
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--sample", type=int, default=None, help="only every k-th file, N in all (default: every file)")
    parser.add_argument("--ignore-checks", default="", help="comma list, as the configuration's cfn_lint.ignore_checks")
    parser.add_argument("--regions", default="us-east-1", help="comma list, as the configuration's cfn_lint.regions")
    args = parser.parse_args()
    ignore_checks = [item for item in args.ignore_checks.split(",") if item]
    regions = [item for item in args.regions.split(",") if item]
    texts = templates(Path(args.corpus), args.sample)
    print(f"{len(texts)} templates from {args.corpus}; ignore_checks {ignore_checks}, regions {regions}")
    timings = {}
    results = {}
    for name, lint in (("prepared", lint_errors), ("fresh", fresh_lint_errors)):
        start = time.perf_counter()
        results[name] = [outcome(lint, text, ignore_checks, regions) for _, text in texts]
        timings[name] = time.perf_counter() - start
    differ = [
        (path, prepared, fresh)
        for (path, _), prepared, fresh in zip(texts, results["prepared"], results["fresh"], strict=True)
        if prepared != fresh
    ]
    for name in ("prepared", "fresh"):
        found = results[name]
        errors = sum(len(item) for item in found if isinstance(item, list))
        failures = sum(isinstance(item, str) for item in found)
        with_errors = sum(bool(item) for item in found if isinstance(item, list))
        print(
            f"  {name:<8} {timings[name]:7.1f} s ({len(texts) / timings[name]:5.1f} templates/s): {errors} errors "
            f"in {with_errors} templates, {failures} cfn-lint failures"
        )
    for path, prepared, fresh in differ:
        print(f"DIFFERENT {path}\n  prepared: {prepared}\n  fresh:    {fresh}")
    print(f"{len(differ)} of {len(texts)} templates differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
