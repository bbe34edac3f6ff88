"""What a run asks of the evaluation: parameter overrides, the rules selected, the cfn-lint pass, the date, and the
configuration's per-rule parameters and severities (plain frozen data: worker processes receive it pickled)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from checker.evaluation.catalogue import Rule, load_catalogue
from checker.findings import FileStatus, Finding, RuleResult
from checker.globs import glob_matches, relative_to


@dataclass(frozen=True)
class ParameterSet:
    """Template parameters for the files a glob matches (the configuration's `template_parameters`)."""

    base: str  # the configuration file's folder, which the glob is relative to
    glob: str
    values: dict[str, str]
    source: str  # how a note names it: "template_parameters['stacks/*.yaml'] (.cfn-compliance.yaml)"

    def applies_to(self, path: str) -> bool:
        relative = relative_to(path, self.base)
        return relative is not None and glob_matches(self.glob, relative)


@dataclass(frozen=True)
class CheckOptions:
    parameters: dict[str, str] = field(default_factory=dict)  # --parameter: over every template_parameters value
    cfn_lint: bool = True
    only_rules: frozenset[str] = frozenset()
    skip_rules: frozenset[str] = frozenset()
    today: date = field(default_factory=date.today)
    compare_reference: bool = True
    fail_on: str = "warning"  # the lowest severity that makes a file non-compliant ("never" judges as "warning")
    fail_on_unknown: bool = False  # a rule that could not be judged makes the file non-compliant
    rule_parameters: dict[str, dict[str, object]] = field(default_factory=dict)  # per rule id, over the catalogue's defaults
    severities: dict[str, str] = field(default_factory=dict)  # per rule id, over the catalogue's: "error" or "warning"
    template_parameters: tuple[ParameterSet, ...] = ()
    lint_ignore_checks: tuple[str, ...] = ()  # cfn-lint rule ids (or prefixes) it does not run
    lint_regions: tuple[str, ...] = ("us-east-1",)

    def severity(self, rule: Rule) -> str:
        return self.severities.get(rule.id, rule.severity)

    def parameters_of(self, rule: Rule) -> dict[str, object]:
        return {**rule.parameters, **self.rule_parameters.get(rule.id, {})}

    def parameters_for(self, path: str) -> tuple[dict[str, str], dict[str, str]]:
        """The template parameters for one file, and where each came from (for the report's notes): every
        matching `template_parameters` glob in order, then --parameter."""
        values: dict[str, str] = {}
        sources: dict[str, str] = {}
        for chosen in self.template_parameters:
            if chosen.applies_to(path):
                values.update(chosen.values)
                sources.update(dict.fromkeys(chosen.values, chosen.source))
        values.update(self.parameters)
        sources.update(dict.fromkeys(self.parameters, "--parameter"))
        return values, sources

    with_checkov: bool = False  # also run checkov's CloudFormation checks (checker/evaluation/checkov.py)
    suppressions: bool = True  # honour the templates' suppressions (--no-suppressions: an audit sees every finding open)


FAILING_SEVERITIES = {"error": ("error",), "warning": ("error", "warning"), "never": ("error", "warning")}


def file_status(counting: Iterable[Finding], results: Iterable[RuleResult], options: CheckOptions) -> FileStatus:
    """A judged file's status from the findings that count (open, and new under --changed-since) and the verdicts."""
    failing = FAILING_SEVERITIES[options.fail_on]
    reaching = any(finding.severity in failing and finding.suppression is None for finding in counting)
    unjudged = options.fail_on_unknown and any(result.status == "unknown" for result in results)
    return "non_compliant" if reaching or unjudged else "compliant"


LINT_CHECK = "cfn_lint_errors"  # the check of the rule that is the cfn-lint pass (TPL002)


def judged_rule_ids(results: Iterable[RuleResult], options: CheckOptions) -> set[str]:
    """The rules whose verdict on a file was reached by running them: pass, fail, or not applicable because their
    subject is missing. Not an unknown, not a rule left out of the run, and not the cfn-lint pass turned off (its
    not-applicable says nothing of the template). Suppressions and baseline entries of the others are not stale."""
    switched_off = (
        set() if options.cfn_lint else {rule.id for rule in load_catalogue() if rule.check.get("function") == LINT_CHECK}
    )
    return {
        result.rule_id
        for result in results
        if result.status in ("pass", "fail", "not_applicable") and result.rule_id not in switched_off
    }


def selected_rules(options: CheckOptions) -> tuple[Rule, ...]:
    return tuple(
        rule
        for rule in load_catalogue()
        if (not options.only_rules or rule.id in options.only_rules) and rule.id not in options.skip_rules
    )
