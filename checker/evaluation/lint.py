"""cfn-lint, run in-process on one template: its errors (E rules) become TPL002 findings.

Imported only when the cfn-lint pass is on: importing cfn-lint costs more than half a second.

cfn-lint runs with the options given here and no others: its own configuration files (`.cfnlintrc` in the
working directory or the home folder) are never read, so where the checker happens to run cannot change
TPL002. The template's own `Metadata: cfn-lint: config:` still applies, merged with ours (cfn-lint's
`merge_configs`): an `ignore_checks` written in the template adds to the configuration's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LintError:
    rule_id: str
    message: str
    line: int
    column: int
    path: tuple[str | int, ...]


class LintFailure(Exception):
    """cfn-lint itself failed on the file; the file is not to blame."""


def lint_errors(text: str, ignore_checks: Sequence[str] = (), regions: Sequence[str] = ("us-east-1",)) -> list[LintError]:
    """cfn-lint's error-class matches for a template; warnings and informational matches are not ours."""
    try:
        matches = _lint(text, list(ignore_checks), list(regions) or ["us-east-1"])
    except Exception as error:
        raise LintFailure(f"cfn-lint could not judge this file ({type(error).__name__}: {error})") from None
    errors = []
    for match in matches:
        rule_id = getattr(match.rule, "id", "")
        if rule_id.startswith("E"):
            path = tuple(getattr(match, "path", None) or ())
            errors.append(LintError(rule_id, str(match.message), max(1, match.linenumber), max(1, match.columnnumber), path))
    return sorted(set(errors), key=lambda error: (error.line, error.column, error.rule_id))


def _lint(text: str, ignore_checks: list[str], regions: list[str]) -> list:
    """cfnlint.api.lint, with a configuration that finds no configuration file (the API's own looks in the
    working directory and the home folder)."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner import Runner

    class _OnlyGiven(ConfigMixIn):
        def _find_config(self) -> tuple[str, str]:
            return "", ""

    template, errors = decode_str(text)
    if errors:
        return list(errors)
    if template is None:
        return []
    config = _OnlyGiven(regions=regions, ignore_checks=ignore_checks, merge_configs=True)
    return list(Runner(config).validate_template(template))
