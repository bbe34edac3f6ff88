"""The command line's grammar: the commands, their options and help, as argparse builds them (checker.cli runs them)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from checker import __version__
from checker.reports import FORMATS
from checker.reports.rules import CATALOGUE_FORMATS

EXIT_INVALID = 2
FAIL_ON = ("error", "warning", "never")
CONFIG_NAME = ".cfn-compliance.yaml"
DEFAULT_BASELINE = ".cfn-compliance-baseline.json"
_SETTING_OPTIONS = ("paths", "fail_on", "parameter", "fail_on_unknown", "no_cfn_lint", "rule", "skip_rule", "config", "baseline")
# What `baseline` shares with `check`: the settings that decide which findings there are, and how files are read.
_BASELINE_OPTIONS = (*(option for option in _SETTING_OPTIONS if option != "baseline"), "jobs", "with_checkov", "only_templates")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors, as our contract wants
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"cfn-compliance: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cfn-compliance", description="Check CloudFormation templates against the order-processing policy.")
    parser.add_argument("--version", action="version", version=f"cfn-compliance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="check templates (files or directories)")
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories (default: the configuration's paths); `-` reads one template from standard input",
    )
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
    check.add_argument("--fail-on", choices=FAIL_ON, default=None, help="lowest severity that fails the run (default: warning)")
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
    check.add_argument(
        "--rule", action="append", default=[], metavar="ID[,ID...]", help="run only these rules (comma list, repeatable)"
    )
    check.add_argument(
        "--skip-rule", action="append", default=[], metavar="ID[,ID...]", help="do not run these rules (comma list, repeatable)"
    )
    check.add_argument("--stdin-name", metavar="PATH", help="the path that names the template read from `-` in reports")
    check.add_argument(
        "--only-templates",
        action="store_true",
        help="skip named files that are plainly not CloudFormation (pre-commit's hook mode); a broken template still fails",
    )
    check.add_argument(
        "--changed-since",
        metavar="REF",
        help="check only the templates changed since the git ref REF (under the PATHs; none: the whole repository); "
        "only findings new since REF fail the run",
    )
    check.add_argument(
        "--include-markdown",
        action="store_true",
        help="with --changed-since: also check changed Markdown answers (without it, only those named as a PATH)",
    )
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--show-reference", action="store_true", help="show the reference's own lines under each finding (text)")
    check.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="check files in N processes (default: the number of CPUs; 1: in this process); the report is the same",
    )

    check.add_argument(
        "--config", metavar="PATH", help=f"the configuration file (default: the nearest {CONFIG_NAME} or pyproject.toml)"
    )
    check.add_argument(
        "--baseline",
        metavar="FILE",
        help="findings recorded in FILE (by `cfn-compliance baseline`) are suppressed; only new ones fail the run",
    )
    check.add_argument(
        "--no-suppressions",
        action="store_true",
        help="ignore every suppression, inline and baseline (an audit: every finding counts)",
    )

    config = commands.add_parser("config", help="the effective configuration and where each value came from")
    config.add_argument("--show", action="store_true", required=True, help="print the effective configuration")
    for action in check._actions:  # the settings check takes, so `config --show` shows what a check would use
        if action.dest in _SETTING_OPTIONS:
            config._add_action(action)

    baseline = commands.add_parser("baseline", help="record the current findings as accepted, so checks fail only on new ones")
    for action in check._actions:
        if action.dest in _BASELINE_OPTIONS:
            baseline._add_action(action)
    baseline.add_argument(
        "--output", metavar="FILE", help=f"the baseline file (default: the configuration's baseline, else {DEFAULT_BASELINE})"
    )
    baseline.add_argument(
        "--prune", action="store_true", help="only drop the entries that match nothing any more; accept nothing new"
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
