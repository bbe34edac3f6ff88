"""cfn-lint, run in-process on one template: its errors (E rules) become TPL002 findings.

Imported only when the cfn-lint pass is on: importing cfn-lint costs more than half a second.
"""

from __future__ import annotations

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


def lint_errors(text: str) -> list[LintError]:
    """cfn-lint's error-class matches for a template; warnings and informational matches are not ours."""
    try:
        from cfnlint.api import ManualArgs, lint

        matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    except Exception as error:
        raise LintFailure(f"cfn-lint could not judge this file ({type(error).__name__}: {error})") from None
    errors = []
    for match in matches:
        rule_id = getattr(match.rule, "id", "")
        if rule_id.startswith("E"):
            path = tuple(getattr(match, "path", None) or ())
            errors.append(LintError(rule_id, str(match.message), max(1, match.linenumber), max(1, match.columnnumber), path))
    return sorted(set(errors), key=lambda error: (error.line, error.column, error.rule_id))
