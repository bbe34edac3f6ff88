"""Cost checks that need more than one resource (the rest are Guard rules in rules/)."""

from __future__ import annotations

from collections.abc import Iterator

from checker.evaluation.checks.common import unless_unknown
from checker.evaluation.context import Context, NotApplicable, Outcome, Violation
from checker.evaluation.registry import check
from checker.model.recognise import FUNCTION_TYPES, log_group_name_of, log_groups_of


@check
def every_function_has_log_group(context: Context) -> Iterator[Outcome]:
    functions = context.resolved.of_type(*FUNCTION_TYPES)
    if not functions:
        yield NotApplicable("the template has no Lambda function")
    for function in functions:
        if log_groups_of(context.resolved, function.logical_id):
            continue
        expected = log_group_name_of(context.resolved, function.logical_id)
        names = [group.properties.get("LogGroupName") for group in context.resolved.of_type("AWS::Logs::LogGroup")]
        yield unless_unknown(
            Violation(
                function.logical_id,
                (),
                f"The function {function.logical_id} has no AWS::Logs::LogGroup for its logs ({expected}) in the template; "
                "Lambda would create one that never expires.",
            ),
            [expected, names],
            f"the log group name of {function.logical_id} or of a log group",
        )
