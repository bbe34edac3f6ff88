"""The command line: the only module that reads arguments, prints, and chooses the exit code."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from checker import __version__
from checker.cli_parser import CONFIG_NAME, DEFAULT_BASELINE, EXIT_INVALID, build_parser
from checker.reports import FORMATS, RenderOptions
from checker.reports.rules import CATALOGUE_FORMATS

if TYPE_CHECKING:
    from checker.findings import RunReport
    from checker.run.baseline import Baseline
    from checker.run.runner import StdinInput
    from checker.run.settings import Settings

EXIT_OK, EXIT_FINDINGS, EXIT_INTERRUPTED = 0, 1, 130


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
    ids = frozenset(part.strip().upper() for value in values for part in value.split(",") if part.strip())
    if values and not ids:
        parser.error("--rule/--skip-rule expects rule ids, e.g. --rule SEC002,SEC004")
    unknown = sorted(ids - known)
    if unknown:
        parser.error(f"unknown rule id(s): {', '.join(unknown)} (see `cfn-compliance rules`)")
    return ids


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # no-color.org: only a non-empty value


def _settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Settings:
    """The defaults, then the configuration file (--config, or the nearest one found), then the command line."""
    from checker.run.config import ConfigError, find_config, read_config
    from checker.run.settings import CommandLine, effective_settings

    command_line = CommandLine(
        fail_on=args.fail_on,
        fail_on_unknown=args.fail_on_unknown,
        no_cfn_lint=args.no_cfn_lint,
        rules=tuple(sorted(_rule_ids(args.rule, parser))),
        skip_rules=tuple(sorted(_rule_ids(args.skip_rule, parser))),
        parameters=_parameters(args.parameter, parser),
        paths=tuple(args.paths),
        baseline=getattr(args, "baseline", None),
    )
    path = Path(args.config) if args.config else find_config(Path.cwd())
    if path and not args.config:
        path = Path(os.path.relpath(path))  # named as the user would type it: ../.cfn-compliance.yaml
    try:
        config = read_config(path) if path else None
    except ConfigError as error:
        _config_error(str(error))
    return effective_settings(config, command_line)


def _config_error(message: str) -> NoReturn:
    """A configuration that cannot be used is a usage error (exit 2), each problem on a line of its own."""
    print("\n".join(f"cfn-compliance: error: {line}" for line in message.splitlines()), file=sys.stderr)
    sys.exit(EXIT_INVALID)


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from checker.evaluation.options import selected_rules
    from checker.run.changes import GitError
    from checker.run.runner import check_paths

    if any(not path.strip() for path in args.paths):
        parser.error("an empty path was given (an unset variable?); name files or directories to check")
    if args.baseline is not None and not args.baseline.strip():
        parser.error("--baseline expects a file, got an empty path (an unset variable?)")
    _check_inputs(args, parser)
    outputs = _outputs(args.output, parser)
    if args.compact and args.format != "text" and "text" not in (name for name, _ in outputs):
        parser.error(f"--compact shapes the text report; no text report is written (--format {args.format})")
    formats = [FORMATS[args.format], *(FORMATS[name] for name, _ in outputs)]
    if args.with_checkov and importlib.util.find_spec("checkov") is None:  # found, not imported: that costs seconds
        parser.error("--with-checkov needs checkov: pip install 'cfn-compliance[checkov]'")
    settings = _settings(args, parser)
    check_options = settings.options(
        with_checkov=args.with_checkov,
        compare_reference=any(chosen.shows_reference for chosen in formats),  # a pre-commit run (text) saves its cost
        suppressions=not args.no_suppressions,
    )
    baseline_path = settings.baseline_path(Path.cwd())
    baseline = _read_baseline(baseline_path) if baseline_path and not args.no_suppressions else None
    if not selected_rules(check_options):
        parser.error(
            "the --rule and --skip-rule options (and the configuration's rules, skip_rules, severity) leave no rule to run"
        )
    paths, found, unmatched = settings.inputs(Path.cwd())
    if not paths and not found and not unmatched and args.changed_since is None:
        parser.error(
            f"name files or directories to check (or list them under `paths` in {CONFIG_NAME}), "
            "or `-` for standard input, or --changed-since REF"
        )
    for glob in unmatched:
        print(f"cfn-compliance: the configuration's paths glob {glob!r} matches nothing", file=sys.stderr)
    try:
        report = check_paths(
            paths,
            check_options,
            jobs=args.jobs or _default_jobs(),
            found=found,
            exclude=settings.exclusion(),
            only_templates=args.only_templates,
            stdin=_read_stdin(args),
            changed_since=args.changed_since,
            include_markdown=args.include_markdown,
            baseline=baseline,
        )
    except GitError as error:
        print(f"cfn-compliance: error: --changed-since: {error}", file=sys.stderr)
        return EXIT_INVALID
    render = _render_options(
        args,
        quote_reference=args.show_reference or any(chosen.uses_snippets for chosen in formats),
        severities=check_options.severities,
    )
    with contextlib.suppress(BrokenPipeError):  # `check . | head`: the reader has seen enough; the verdict stands
        _print(*FORMATS[args.format].chunks(report, _options_for(args.format, render, args)))
    files = [(name, path, "w") for name, path in outputs]
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file and "github" in (args.format, *(name for name, _ in outputs)):
        files.append(("summary", summary_file, "a"))  # the job's summary page; other steps may have written to it
    for name, path, mode in files:
        file_options = _options_for(name, dataclasses.replace(render, color=False), args)
        if name == "summary":
            from checker.reports.markdown import render_step_summary

            chunks: Iterable[str] = (render_step_summary(report, file_options),)
        else:
            chunks = FORMATS[name].chunks(report, file_options)
        try:
            _write(path, chunks, mode)
        except OSError as error:
            print(f"cfn-compliance: error: cannot write the {name} report to {path}: {error.strerror or error}", file=sys.stderr)
            return EXIT_INVALID
    if report.baseline is not None and report.baseline.stale:
        count = len(report.baseline.stale)
        entries = "1 entry matches" if count == 1 else f"{count} entries match"
        print(
            f"cfn-compliance: {entries} nothing in the baseline {report.baseline.path} any more; "
            "`cfn-compliance baseline --prune` drops them",
            file=sys.stderr,
        )
    if not report.files and args.changed_since is not None:
        print(f"cfn-compliance: no templates changed since {args.changed_since}", file=sys.stderr)
        return EXIT_OK
    if not report.files and args.only_templates:  # a commit that touches no template passes the hook
        return EXIT_OK
    if not report.files:
        print("cfn-compliance: no templates found in the given paths", file=sys.stderr)
        return EXIT_INVALID
    return exit_code(report, check_options.fail_on)


def _read_baseline(path: str) -> Baseline:
    """The baseline a check reads; one that cannot be read is a usage error (exit 2), never an empty baseline."""
    from checker.run.baseline import BaselineError, read_baseline

    try:
        return read_baseline(Path(path))
    except BaselineError as error:
        _config_error(str(error))


def _baseline(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Record the findings of a run as accepted (or, with --prune, drop the entries that match nothing any more).
    Entries the run could not have seen (other files, rules it did not judge) are kept, so a baseline can be
    written one folder, or one set of options, at a time."""
    from checker.run.baseline import Baseline, apply_baseline, pruned, render_baseline, rewritten
    from checker.run.runner import check_paths

    if "-" in args.paths:
        parser.error("a baseline records files in the repository; `-` (standard input) has no place there")
    settings = _settings(args, parser)
    target = args.output or settings.baseline_path(Path.cwd()) or DEFAULT_BASELINE
    previous = _read_baseline(target) if args.prune or Path(target).exists() else Baseline(target, ())
    paths, found, _ = settings.inputs(Path.cwd())
    if not paths and not found:
        parser.error(f"name files or directories to record (or list them under `paths` in {CONFIG_NAME})")
    options = settings.options(with_checkov=args.with_checkov, compare_reference=False)
    report = check_paths(
        paths,
        options,
        args.jobs or _default_jobs(),
        found=found,
        exclude=settings.exclusion(),
        only_templates=args.only_templates,
    )
    if not report.files:
        print(f"cfn-compliance: no templates found in the given paths; {target} was not written", file=sys.stderr)
        return EXIT_INVALID
    compared = apply_baseline(report, previous, options)
    stale = compared.baseline.stale if compared.baseline else ()
    entries = pruned(previous, stale) if args.prune else rewritten(previous, report, stale, options)
    try:
        _write(target, (render_baseline(entries),), "w")
    except OSError as error:
        print(f"cfn-compliance: error: cannot write the baseline {target}: {error.strerror or error}", file=sys.stderr)
        return EXIT_INVALID
    print(f"cfn-compliance: {target}: {len(set(entries))} accepted findings ({len(set(stale))} stale dropped)", file=sys.stderr)
    invalid = [file.path for file in report.files if file.status == "invalid"]
    for path in invalid:
        print(f"cfn-compliance: {path} is not a template it can judge (TPL001): not recorded; fix or exclude it", file=sys.stderr)
    return EXIT_INVALID if invalid else EXIT_OK


def _check_inputs(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """The combinations of inputs that mean something: `-` at most once and not
    with --changed-since (stdin has no git history), --stdin-name only with `-`."""
    stdin = args.paths.count("-")
    if stdin > 1:
        parser.error("`-` (standard input) can be named once")
    if stdin and args.changed_since is not None:
        parser.error("`-` (standard input) has no git history to compare with --changed-since")
    if args.stdin_name is not None and not stdin:
        parser.error("--stdin-name names the template read from `-`; name `-` among the paths")
    if args.stdin_name is not None and not args.stdin_name.strip():
        parser.error("--stdin-name expects a path, got an empty one")
    if args.include_markdown and args.changed_since is None:
        parser.error("--include-markdown chooses among changed files; use it with --changed-since")


def _read_stdin(args: argparse.Namespace) -> StdinInput | None:
    """`-` among the paths: the template on standard input, read within the size limit files have."""
    from checker.load import MAX_BYTES
    from checker.run.runner import STDIN_NAME, StdinInput

    if "-" not in args.paths:
        return None
    raw = sys.stdin.buffer.read(MAX_BYTES + 1)  # never more: a larger input is refused as a larger file is
    return StdinInput(raw, args.stdin_name or STDIN_NAME)


def _print(*chunks: str) -> None:
    """Write to stdout now, flushing, so a closed pipe is met here and not when Python exits (which would print
    "Exception ignored" and exit 120); after one, stdout goes to the null device. A report written in chunks is
    written as each is made."""
    try:
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise


def _render_options(args: argparse.Namespace, *, quote_reference: bool, severities: dict[str, str]) -> RenderOptions:
    """The catalogue for every renderer, with the configured severities (SARIF's rule levels, the score); the
    reference's lines (a few milliseconds) when a report quotes them."""
    from checker.evaluation.catalogue import load_catalogue

    rules = tuple(
        dataclasses.replace(rule, severity=severities[rule.id]) if rule.id in severities else rule for rule in load_catalogue()
    )
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


def _write(path: str, chunks: Iterable[str], mode: str) -> None:
    """One --output file (or the job summary, appended to), written as its chunks are made; a folder on the way is
    created."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open(mode, encoding="utf-8", errors="backslashreplace", newline="") as handle:  # CSV's \r\n stays as written
        for chunk in chunks:
            handle.write(chunk)


def exit_code(report: RunReport, fail_on: str) -> int:
    """2: an input could not be evaluated; 1: a file is non-compliant (its status follows --fail-on); else 0."""
    if any(file.status == "invalid" for file in report.files):
        return EXIT_INVALID
    if fail_on != "never" and any(file.status == "non_compliant" for file in report.files):
        return EXIT_FINDINGS
    return EXIT_OK


def _config(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from checker.run.settings import render_settings

    _print(render_settings(_settings(args, parser)))
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
    parser = build_parser()
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a file name that is not UTF-8 must not end the run
    try:
        if args.command == "check":
            return _check(args, parser)
        if args.command == "rules":
            return _rules(args)
        if args.command == "config":
            return _config(args, parser)
        if args.command == "baseline":
            return _baseline(args, parser)
        return _explain(args, parser)
    except BrokenPipeError:  # `cfn-compliance rules | head` is fine
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C: stop quietly, with the shell's code for SIGINT
        import signal

        # Decided: exit 130. A SIGINT still pending (one released as a worker is reaped) must not kill the
        # interpreter as it shuts down, which restores the default handler of a signal it handled, not an ignored one.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("cfn-compliance: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        print(
            f"cfn-compliance: internal error ({type(error).__name__}: {error}); this is a bug, please report it", file=sys.stderr
        )
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
