"""Run one rule on one template and turn its outcomes into a status and findings.

A check (Python function or Guard rule) yields Violation, Unresolved or NotApplicable
items (checker.evaluation.context); this module decides the rule's status, anchors each
violation on the source key it concerns, and isolates a crashing check so the rest of
the file is still judged.
"""

from __future__ import annotations

from checker.evaluation.catalogue import Rule
from checker.evaluation.context import Check, Context, NotApplicable, Unresolved, Violation
from checker.findings import Finding, RuleResult
from checker.model.values import SourceIndexedList, readable
from checker.tree import follow


def evaluate_rule(rule: Rule, context: Context, checks: dict[str, Check]) -> tuple[RuleResult, list[Finding]]:
    """Status and findings of one rule; a crash in the check (or in placing its findings) is reported against the rule."""
    try:
        return _judged(rule, context, checks)
    except Exception as error:
        message = (
            f"the {rule.id} check crashed on this template ({type(error).__name__}: {error}); this is a bug in cfn-compliance"
        )
        finding = _finding(rule, context, Violation(None, (), message))
        return RuleResult(rule.id, "unknown", message), [finding]


def _judged(rule: Rule, context: Context, checks: dict[str, Check]) -> tuple[RuleResult, list[Finding]]:
    if rule.engine == "guard":
        from checker.evaluation.guard import guard_outcomes

        outcomes = list(guard_outcomes(rule, context))
    else:
        outcomes = list(checks[rule.check["function"]](context))
    violations = [outcome for outcome in outcomes if isinstance(outcome, Violation)]
    unresolved = [_as_written(context, outcome.message) for outcome in outcomes if isinstance(outcome, Unresolved)]
    skipped = [outcome.message for outcome in outcomes if isinstance(outcome, NotApplicable)]
    findings = [_finding(rule, context, violation) for violation in violations]
    if violations:
        return RuleResult(rule.id, "fail", "; ".join(unresolved) or None), findings
    if unresolved:
        return RuleResult(rule.id, "unknown", "; ".join(unresolved)), []
    if skipped:
        return RuleResult(rule.id, "not_applicable", "; ".join(skipped)), []
    return RuleResult(rule.id, "pass"), []


def source_path(context: Context, violation: Violation) -> tuple[str | int, ...]:
    """The violation's path in the source: list positions shifted back where AWS::NoValue removed items."""
    if not violation.resource:
        return violation.path
    resource = context.resolved.resources.get(violation.resource)
    node: object = {"Properties": resource.properties, **resource.attributes} if resource else None
    steps: list[str | int] = []
    for step in violation.path:
        if isinstance(node, SourceIndexedList) and isinstance(step, int) and 0 <= step < len(node):
            steps.append(node.source_indices[step])
        else:
            steps.append(step)
        node = follow(node, (step,))
    return ("Resources", violation.resource, *steps)


def _as_written(context: Context, message: str, path: tuple[str | int, ...] = ()) -> str:
    """A check's message in the template's own terms: symbols as ${...}, generated names explained."""
    return context.template.explained(readable(message, context.template.resources), path)


def _finding(rule: Rule, context: Context, violation: Violation) -> Finding:
    generated_path = source_path(context, violation)
    path = context.template.origin(generated_path)
    resource = context.template.written_resource(violation.resource) if violation.resource else None
    mark = context.template.mark_at(path)
    if violation.line is not None:
        mark = type(mark)(violation.line, violation.column or 1)
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        category=rule.category,
        title=rule.title,
        message=_as_written(context, violation.message, generated_path),
        remediation=rule.remediation,
        file=context.template.path,
        resource=resource,
        path="/".join(str(step) for step in path),
        line=mark.line,
        column=mark.column,
    )
