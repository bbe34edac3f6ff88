"""What a run asks of the evaluation: parameter overrides, the rules selected, the cfn-lint pass, the date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from checker.evaluation.catalogue import Rule, load_catalogue


@dataclass(frozen=True)
class CheckOptions:
    parameters: dict[str, str] = field(default_factory=dict)
    cfn_lint: bool = True
    only_rules: frozenset[str] = frozenset()
    skip_rules: frozenset[str] = frozenset()
    today: date = field(default_factory=date.today)
    compare_reference: bool = True
    fail_on: str = "warning"  # the lowest severity that makes a file non-compliant ("never" judges as "warning")
    fail_on_unknown: bool = False  # a rule that could not be judged makes the file non-compliant
    with_checkov: bool = False  # also run checkov's CloudFormation checks (checker/evaluation/checkov.py)


FAILING_SEVERITIES = {"error": ("error",), "warning": ("error", "warning"), "never": ("error", "warning")}


def selected_rules(options: CheckOptions) -> tuple[Rule, ...]:
    return tuple(
        rule
        for rule in load_catalogue()
        if (not options.only_rules or rule.id in options.only_rules) and rule.id not in options.skip_rules
    )
