"""The command line: the only module that reads arguments, prints, and chooses the exit code."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checker import __version__
from checker.reports import FORMATS, RenderOptions
from checker.reports.markdown import render_step_summary
from checker.reports.rules import CATALOGUE_FORMATS

if TYPE_CHECKING:
    from checker.findings import RunReport

EXIT_OK, EXIT_FINDINGS, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
FAIL_ON = ("error", "warning", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors, as our contract wants
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"cfn-compliance: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cfn-compliance", description="Check CloudFormation templates against the order-processing policy.")
    parser.add_argument("--version", action="version", version=f"cfn-compliance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="check templates (files or directories)")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--format", choices=tuple(FORMATS), default="text", help="the report on standard output (default: text)")
    check.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="FORMAT=PATH",
        help=f"also write the report in FORMAT to PATH (repeatable; formats: {', '.join(FORMATS)})",
    )
    check.add_argument(
        "--compact", action="store_true", help="text: one line per finding, file:line:col: SEVERITY RULE_ID message"
    )
    check.add_argument(
        "--fail-on", choices=FAIL_ON, default="warning", help="lowest severity that fails the run (default: warning)"
    )
    check.add_argument(
        "--parameter", action="append", default=[], metavar="NAME=VALUE", help="override a template parameter (repeatable)"
    )
    check.add_argument(
        "--fail-on-unknown",
        action="store_true",
        help="a rule that could not be judged (a value only the deployment decides) fails the file",
    )
    check.add_argument("--no-cfn-lint", action="store_true", help="skip the cfn-lint pass (TPL002)")
    check.add_argument(
        "--with-checkov",
        action="store_true",
        help="also run checkov's CloudFormation checks, offline (needs cfn-compliance[checkov]); failures are warnings",
    )
    check.add_argument("--rule", action="append", default=[], metavar="ID", help="run only these rules (repeatable)")
    check.add_argument("--skip-rule", action="append", default=[], metavar="ID", help="do not run these rules (repeatable)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--show-reference", action="store_true", help="show the reference's own lines under each finding (text)")
    check.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="check files in N processes (default: the number of CPUs; 1: in this process); the report is the same",
    )

    rules = commands.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("--format", choices=tuple(CATALOGUE_FORMATS), default="text")

    explain = commands.add_parser("explain", help="explain one rule, with the reference's own snippet")
    explain.add_argument("rule_id", metavar="ID")
    return parser


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expects a whole number of processes, 1 or more, got {value!r}")
    return jobs


def _default_jobs() -> int:
    """The CPUs this process may use (Python 3.13 knows its affinity mask), else all of them."""
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return count or 1


def _parameters(values: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    parameters = {}
    for value in values:
        name, separator, setting = value.partition("=")
        if not separator or not name:
            parser.error(f"--parameter expects NAME=VALUE, got {value!r}")
        parameters[name] = setting
    return parameters


def _outputs(values: list[str], parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    outputs = []
    for value in values:
        name, separator, path = value.partition("=")
        if not separator or not path:
            parser.error(f"--output expects FORMAT=PATH, got {value!r}")
        if name not in FORMATS:
            parser.error(f"--output: unknown format {name!r} (choose from {', '.join(FORMATS)})")
        outputs.append((name, path))
    return outputs


def _rule_ids(values: list[str], parser: argparse.ArgumentParser) -> frozenset[str]:
    from checker.evaluation.catalogue import load_catalogue

    known = {rule.id for rule in load_catalogue()}
    ids = frozenset(value.upper() for value in values)
    unknown = sorted(ids - known)
    if unknown:
        parser.error(f"unknown rule id(s): {', '.join(unknown)} (see `cfn-compliance rules`)")
    return ids


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # no-color.org: only a non-empty value


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from checker.evaluation.options import CheckOptions, selected_rules
    from checker.run.runner import check_paths

    if any(not path.strip() for path in args.paths):
        parser.error("an empty path was given (an unset variable?); name files or directories to check")
    outputs = _outputs(args.output, parser)
    if args.compact and args.format != "text" and "text" not in (name for name, _ in outputs):
        parser.error(f"--compact shapes the text report; no text report is written (--format {args.format})")
    formats = [FORMATS[args.format], *(FORMATS[name] for name, _ in outputs)]
    if args.with_checkov and importlib.util.find_spec("checkov") is None:  # found, not imported: that costs seconds
        parser.error("--with-checkov needs checkov: pip install 'cfn-compliance[checkov]'")
    options = CheckOptions(
        parameters=_parameters(args.parameter, parser),
        cfn_lint=not args.no_cfn_lint,
        only_rules=_rule_ids(args.rule, parser),
        skip_rules=_rule_ids(args.skip_rule, parser),
        fail_on=args.fail_on,
        fail_on_unknown=args.fail_on_unknown,
        with_checkov=args.with_checkov,
        compare_reference=any(chosen.shows_reference for chosen in formats),  # a pre-commit run (text) saves its cost
    )
    if not selected_rules(options):
        parser.error("the --rule and --skip-rule options leave no rule to run")
    report = check_paths(args.paths, options, jobs=args.jobs or _default_jobs())
    render = _render_options(args, quote_reference=args.show_reference or any(chosen.uses_snippets for chosen in formats))
    with contextlib.suppress(BrokenPipeError):  # `check . | head`: the reader has seen enough; the verdict stands
        _print(FORMATS[args.format].render(report, _options_for(args.format, render, args)))
    files = [(name, path, "w") for name, path in outputs]
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file and "github" in (args.format, *(name for name, _ in outputs)):
        files.append(("summary", summary_file, "a"))  # the job's summary page; other steps may have written to it
    for name, path, mode in files:
        written = _options_for(name, dataclasses.replace(render, color=False), args)
        text = render_step_summary(report, written) if name == "summary" else FORMATS[name].render(report, written)
        try:
            _write(path, text, mode)
        except OSError as error:
            print(f"cfn-compliance: error: cannot write the {name} report to {path}: {error.strerror or error}", file=sys.stderr)
            return EXIT_INVALID
    if not report.files:
        print("cfn-compliance: no templates found in the given paths", file=sys.stderr)
        return EXIT_INVALID
    return exit_code(report, args.fail_on)


def _print(text: str) -> None:
    """Write to stdout now, flushing, so a closed pipe is met here and not when Python exits (which would print
    "Exception ignored" and exit 120); after one, stdout goes to the null device."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise


def _render_options(args: argparse.Namespace, *, quote_reference: bool) -> RenderOptions:
    """The catalogue for every renderer; the reference's lines (a few milliseconds) when a report quotes them."""
    from checker.evaluation.catalogue import load_catalogue

    rules = load_catalogue()
    snippets = {}
    if quote_reference:
        from checker.evaluation.reference import reference_snippet

        snippets = {rule.id: reference_snippet(rule.component, rule.component_properties) for rule in rules}
    return RenderOptions(__version__, _use_color(args.color), args.compact, snippets, rules)


def _options_for(name: str, render: RenderOptions, args: argparse.Namespace) -> RenderOptions:
    """Text quotes the reference only when asked (--show-reference), wherever it is written."""
    if name == "text" and not args.show_reference:
        return dataclasses.replace(render, snippets={})
    return render


def _write(path: str, text: str, mode: str) -> None:
    """One --output file (or the job summary, appended to); a folder on the way is created."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open(mode, encoding="utf-8", errors="backslashreplace", newline="") as handle:  # CSV's \r\n stays as written
        handle.write(text)


def exit_code(report: RunReport, fail_on: str) -> int:
    """2: an input could not be evaluated; 1: a file is non-compliant (its status follows --fail-on); else 0."""
    if any(file.status == "invalid" for file in report.files):
        return EXIT_INVALID
    if fail_on != "never" and any(file.status == "non_compliant" for file in report.files):
        return EXIT_FINDINGS
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from checker.evaluation.catalogue import load_catalogue

    _print(CATALOGUE_FORMATS[args.format](load_catalogue()))
    return EXIT_OK


def _explain(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from checker.evaluation.catalogue import rule_by_id
    from checker.evaluation.reference import reference_snippet
    from checker.reports.rules import render_explanation

    rule = rule_by_id(args.rule_id)
    if rule is None:
        parser.error(f"unknown rule id {args.rule_id!r} (see `cfn-compliance rules`)")
    _print(render_explanation(rule, reference_snippet(rule.component, rule.component_properties)))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a file name that is not UTF-8 must not end the run
    try:
        if args.command == "check":
            return _check(args, parser)
        if args.command == "rules":
            return _rules(args)
        return _explain(args, parser)
    except BrokenPipeError:  # `cfn-compliance rules | head` is fine
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's code for SIGINT
        print("cfn-compliance: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        print(
            f"cfn-compliance: internal error ({type(error).__name__}: {error}); this is a bug, please report it", file=sys.stderr
        )
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
