"""Checks that read the processor's inline Node.js code (Code.ZipFile)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from checker.evaluation.checks.common import mapping_reports_failures, require
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.model.code import (
    DEFAULT_HANDLER,
    FORM_ALL_SETTLED,
    FORM_CATCH_METHOD,
    FORM_THEN_REJECTED,
    MAX_ANALYSED_CODE,
    CatchClause,
    CodeFacts,
    CodeParseError,
    analyse_node_code,
)
from checker.model.values import Unknown, symbols_as_identifiers

CODE_PATH = ("Properties", "Code", "ZipFile")


@lru_cache(maxsize=64)
def _analyse(source: str, handler_name: str) -> CodeFacts | CodeParseError:
    try:
        return analyse_node_code(source, handler_name)
    except CodeParseError as error:
        return error


def _handler_name(handler: object) -> str:
    """The exported function the Lambda calls: `index.lambdaHandler` -> `lambdaHandler`."""
    if isinstance(handler, str) and "." in handler:
        return handler.rsplit(".", 1)[1] or DEFAULT_HANDLER
    return DEFAULT_HANDLER


def _inline_code(context: Context) -> CodeFacts | Outcome:
    """The processor's code facts, or the outcome that says why the code cannot be judged."""
    absent = require(context, "processor")
    if absent:
        return absent
    processor = context.part("processor")
    runtime = processor.properties.get("Runtime")
    if isinstance(runtime, Unknown):
        return Unresolved(f"the runtime of {processor.logical_id} cannot be resolved: {runtime.reason}")
    if not (isinstance(runtime, str) and runtime.startswith("nodejs")):
        return NotApplicable(f"the processor's runtime is {runtime}, not Node.js")
    code = processor.properties.get("Code")
    source = code.get("ZipFile") if isinstance(code, dict) else None
    if isinstance(source, Unknown):
        return Unresolved(f"the inline code of {processor.logical_id} cannot be resolved: {source.reason}")
    if not isinstance(source, str):
        return NotApplicable("the processor's code is not inline (Code.ZipFile, or InlineCode in SAM)")
    if len(source) > MAX_ANALYSED_CODE:
        return Unresolved(
            f"the inline code of {processor.logical_id} is {len(source) // 1024} KiB; code over "
            f"{MAX_ANALYSED_CODE // 1024} KiB is not analysed (package it and deploy it from S3 instead)"
        )
    facts = _analyse(symbols_as_identifiers(source), _handler_name(processor.properties.get("Handler")))
    if isinstance(facts, CodeParseError):
        return Unresolved(f"the inline code of {processor.logical_id} cannot be parsed: {facts}")
    return facts


def _judgeable(context: Context, *parts: str) -> CodeFacts | Outcome:
    """The code's facts when the code and the other parts a rule needs exist, else why not."""
    facts = _inline_code(context)
    if isinstance(facts, CodeFacts):
        return require(context, *parts) or facts
    return facts


@check
def handles_errors(context: Context) -> Iterator[Outcome]:
    facts = _inline_code(context)
    if not isinstance(facts, CodeFacts):
        yield facts
        return
    processor = context.part("processor").logical_id
    # Only a catch in the handler (or in code it calls) protects the processing of the
    # records; one run at module load does not. Unknown handler shapes mark every catch.
    handled = [catch for catch in facts.catches if catch.in_handler]
    if not handled:
        message = f"The inline code of {processor} has no try/catch around the processing"
        if len(facts.catches) == 1:
            message += f": its only try/catch is outside the handler (line {facts.catches[0].line})"
        elif facts.catches:
            lines = ", ".join(str(catch.line) for catch in facts.catches)
            message += f": all its try/catch blocks are outside the handler (lines {lines})"
        yield Violation(processor, CODE_PATH, message + ".")
        return
    # A catch that only receives errors already logged where they were first caught need not log them again.
    for catch in handled:
        if not catch.logs_error and not catch.logged_upstream:
            yield Violation(
                processor,
                CODE_PATH,
                f"{_unlogged(catch, processor)} (no console.error or logger error call).",
            )


def _unlogged(catch: CatchClause, processor: str) -> str:
    """What a catch clause that logs nothing does with the error, named by its form."""
    where = f"at line {catch.line} of {processor}'s inline code"
    if catch.form == FORM_ALL_SETTLED:
        what = "throws on rejected results" if catch.rethrows else "handles rejected results"
        return f"The code inspecting the Promise.allSettled results {where} {what} without logging them"
    what = "rethrows the error without logging it" if catch.rethrows else "handles the error without logging it"
    if catch.form == FORM_CATCH_METHOD:
        return f"The .catch handler {where} {what}"
    if catch.form == FORM_THEN_REJECTED:
        return f"The rejection handler passed to .then {where} {what}"
    return f"The catch block {where} {what}"


@check
def partial_batch_response_consistent(context: Context) -> Iterator[Outcome]:
    facts = _judgeable(context, "mapping")
    if not isinstance(facts, CodeFacts):
        yield facts
        return
    reports = mapping_reports_failures(context)
    if isinstance(reports, Unresolved):
        yield reports
        return
    mapping, processor = context.part("mapping"), context.part("processor").logical_id
    if reports and not facts.returns_batch_item_failures:
        yield Violation(
            processor,
            CODE_PATH,
            f"{mapping.logical_id} reports batch item failures, but the inline code of {processor} never returns batchItemFailures.",
        )
    elif facts.returns_batch_item_failures and not reports:
        yield Violation(
            mapping.logical_id,
            ("Properties", "FunctionResponseTypes"),
            f"The inline code of {processor} returns batchItemFailures (line {facts.batch_item_failures_line}), but "
            f"{mapping.logical_id} lacks ReportBatchItemFailures, so AWS ignores them and failed orders are deleted.",
        )


@check
def failures_recorded(context: Context) -> Iterator[Outcome]:
    facts = _judgeable(context, "status_table")
    if not isinstance(facts, CodeFacts):
        yield facts
        return
    if not any(catch.writes_dynamodb for catch in facts.catches):
        processor = context.arch.processor
        where = "has no catch block" if not facts.catches else "writes nothing to DynamoDB from its catch blocks"
        yield Violation(
            processor,
            CODE_PATH,
            f"The inline code of {processor} {where}, so failed orders are never recorded in the status table.",
        )
