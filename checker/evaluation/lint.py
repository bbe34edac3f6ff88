"""cfn-lint, run in-process on one template: its errors (E rules) become TPL002 findings.

Imported only when the cfn-lint pass is on: importing cfn-lint costs more than half a second.

cfn-lint runs with the options given here and no others: its own configuration files (`.cfnlintrc` in the
working directory or the home folder) are never read, so where the checker happens to run cannot change
TPL002. The template's own `Metadata: cfn-lint: config:` still applies, merged with ours (cfn-lint's
`merge_configs`): an `ignore_checks` written in the template adds to the configuration's.

cfn-lint's rule set is prepared once per process and reused for every file, as `cfn-lint` itself does over
many files: building it loads thousands of JSON schemas and cost 80 % of the pass when it was done per file.
`_rules` builds it the way cfn-lint's `Runner` does (`Runner(config).rules`: its rules folder, no custom rules);
each file then goes through `cfnlint.runner.run_template_by_data`, the call `Runner.validate_template` and
`cfnlint.api.lint` make with a prepared set. The set does not depend on regions or ignore_checks (cfn-lint
decides which of its rules are on, and configures them, from the configuration on every run), so one serves
every configuration; the configuration itself is made once per distinct (regions, ignore_checks) and is reset
to each template's own Metadata by cfn-lint at the start of every run. With `--jobs N`, each worker process
prepares its own on its first file and keeps it until the run ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cfnlint.config import ConfigMixIn
    from cfnlint.rules import Rules


@dataclass(frozen=True)
class LintError:
    rule_id: str
    message: str
    line: int
    column: int
    path: tuple[str | int, ...]


class LintFailure(Exception):
    """cfn-lint itself failed on the file; the file is not to blame."""


# What another process found for a template (checker/run/lint_beside.py), asked before linting here; None: nobody.
Answer = Callable[[str, tuple[str, ...], tuple[str, ...]], "list[LintError] | LintFailure | None"]
_beside: list[Answer] = []


@contextmanager
def linted_beside(answer: Answer) -> Iterator[None]:
    """Meanwhile, lint_errors takes `answer(text, ignore_checks, regions)` when it is not None: the errors (or the
    failure) another process found for that very text and options."""
    _beside.append(answer)
    try:
        yield
    finally:
        _beside.remove(answer)


def lint_errors(text: str, ignore_checks: Sequence[str] = (), regions: Sequence[str] = ("us-east-1",)) -> list[LintError]:
    """cfn-lint's error-class matches for a template; warnings and informational matches are not ours."""
    options = (tuple(ignore_checks), tuple(regions) or ("us-east-1",))
    for answer in _beside:
        found = answer(text, *options)
        if isinstance(found, LintFailure):
            raise found
        if found is not None:
            return list(found)
    try:
        matches = _lint(text, *options)
    except Exception as error:
        raise LintFailure(f"cfn-lint could not judge this file ({type(error).__name__}: {error})") from None
    errors = []
    for match in matches:
        rule_id = getattr(match.rule, "id", "")
        if rule_id.startswith("E"):
            path = tuple(step if isinstance(step, int) else str(step) for step in getattr(match, "path", None) or ())
            errors.append(LintError(rule_id, str(match.message), max(1, match.linenumber), max(1, match.columnnumber), path))
    return sorted(set(errors), key=_place)


def _place(error: LintError) -> tuple[int, int, str, str, str]:
    """Where the error is, then what it says: errors at one place keep one order from run to run (a set's order
    changes with each process's string hashing, and the fingerprints of findings at one place follow the order)."""
    return error.line, error.column, error.rule_id, error.message, str(error.path)


def _lint(text: str, ignore_checks: tuple[str, ...], regions: tuple[str, ...]) -> list:
    """cfnlint.api.lint with a prepared rule set and a configuration that finds no configuration file (the
    API's own looks in the working directory and the home folder, and builds the rules again for every call)."""
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import run_template_by_data

    template, errors = decode_str(text)
    if errors:
        return list(errors)
    if template is None:
        return []
    return list(run_template_by_data(template, _config(regions, ignore_checks), _rules()))


@lru_cache(maxsize=8)  # one per distinct configuration: a run has one, a test session a few
def _config(regions: tuple[str, ...], ignore_checks: tuple[str, ...]) -> ConfigMixIn:
    """Our options, merged with each template's Metadata (cfn-lint sets those at the start of every run)."""
    from cfnlint.config import ConfigMixIn

    class _OnlyGiven(ConfigMixIn):
        def _find_config(self) -> tuple[str, str]:
            return "", ""

    return _OnlyGiven(regions=list(regions), ignore_checks=list(ignore_checks), merge_configs=True)


@cache
def _rules() -> Rules:
    """cfn-lint's rule set, built once per process by its own Runner (which reads from the configuration only
    the rule folders and custom rules to load: cfn-lint's own folder, and none)."""
    from cfnlint.runner import Runner

    return Runner(_config(("us-east-1",), ())).rules
