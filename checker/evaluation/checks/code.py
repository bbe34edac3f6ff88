"""Checks that read the processor's inline Node.js code (Code.ZipFile, SAM's InlineCode): ARCH010, ARCH011, ARCH012, REL006."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from checker.evaluation.checks.common import mapping_reports_failures, require
from checker.evaluation.context import Context, NotApplicable, Outcome, Unresolved, Violation
from checker.evaluation.registry import check
from checker.load import Mark
from checker.model.code import (
    DEFAULT_HANDLER,
    FORM_ALL_SETTLED,
    FORM_CATCH_METHOD,
    FORM_THEN_REJECTED,
    MAX_ANALYSED_CODE,
    CatchClause,
    CodeFacts,
    CodeParseError,
    WrittenCode,
    analyse_node_code,
)
from checker.model.values import Unknown, symbols_as_identifiers

CODE_PATH = ("Properties", "Code", "ZipFile")
HANDLER_PATH = ("Properties", "Handler")


@lru_cache(maxsize=64)
def _analyse(source: str, handler_name: str) -> CodeFacts | CodeParseError:
    try:
        return analyse_node_code(source, handler_name)
    except CodeParseError as error:
        return error


def _handler_name(handler: object) -> str:
    """The exported function the Lambda calls: `index.lambdaHandler` -> `lambdaHandler`."""
    return (_split_handler(handler)[1] if isinstance(handler, str) else "") or DEFAULT_HANDLER


def _split_handler(handler: str) -> tuple[str, str]:
    """(module, export) as Lambda splits `dir/module.export.path`: `index.main` -> (`index`, `main`)."""
    dot = handler.find(".", handler.rfind("/") + 1)
    return (handler[:dot], handler[dot + 1 :].split(".")[0]) if dot >= 0 else (handler, "")


@dataclass(frozen=True)
class InlineCode:
    """The processor's inline code: its facts, and where it is written, to name places by the file's lines."""

    facts: CodeFacts
    written: WrittenCode

    def at(self, line: int, column: int) -> Mark | None:
        """The file's place of a place in the code; None when the file does not show the code."""
        return self.written.place(line, column)

    def where(self, line: int | None, column: int | None, form: str = " (line {})") -> str:
        """` (line 108)`: the file's line of a place in the code, in ``form``; nothing when it is not known."""
        mark = self.at(line, column or 0) if line is not None else None
        return form.format(mark.line) if mark is not None else ""

    def violation(self, processor: str, line: int, column: int, message: str) -> Violation:
        """A violation in the processor's code, at the file's place of a place in the code when the file shows it."""
        mark = self.at(line, column)
        if mark is None:
            return Violation(processor, CODE_PATH, message)
        return Violation(processor, CODE_PATH, message, line=mark.line, column=mark.column)


def inline_code(context: Context) -> InlineCode | Outcome:
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
    analysed = symbols_as_identifiers(source)
    written = WrittenCode.of(context.template, ("Resources", processor.logical_id, *CODE_PATH), analysed)
    facts = _analyse(analysed, _handler_name(processor.properties.get("Handler")))
    if isinstance(facts, CodeParseError):
        return Unresolved(f"the inline code of {processor.logical_id} cannot be parsed: {_parse_error(facts, written)}")
    return InlineCode(facts, written)


def _parse_error(error: CodeParseError, written: WrittenCode) -> str:
    """The parser's complaint, placed at the file's line and column."""
    if error.line is None:
        return str(error)
    mark = written.place(error.line, error.column or 0)
    if mark is None:
        return f"cannot parse JavaScript: {error.reason}"
    return f"cannot parse JavaScript at line {mark.line}, column {mark.column}: {error.reason}"


def _judgeable(context: Context, *parts: str) -> InlineCode | Outcome:
    """The code when it and the other parts a rule needs exist, else why not."""
    code = inline_code(context)
    if isinstance(code, InlineCode):
        return require(context, *parts) or code
    return code


@check
def handles_errors(context: Context) -> Iterator[Outcome]:
    code = inline_code(context)
    if not isinstance(code, InlineCode):
        yield code
        return
    processor = context.part("processor").logical_id
    # Only a catch in the handler (or in code it calls) protects the processing of the
    # records; one run at module load does not. Unknown handler shapes mark every catch.
    handled = [catch for catch in code.facts.catches if catch.in_handler]
    if not handled:
        message = f"The inline code of {processor} has no try/catch around the processing"
        outside = [code.at(catch.line, catch.column) for catch in code.facts.catches]
        lines = ", ".join(str(mark.line) for mark in outside if mark is not None)
        if len(outside) == 1:
            message += f": its only try/catch is outside the handler{f' (line {lines})' if lines else ''}"
        elif outside:
            message += f": all its try/catch blocks are outside the handler{f' (lines {lines})' if lines else ''}"
        yield Violation(processor, CODE_PATH, message + ".")
        return
    # A catch that only receives errors already logged where they were first caught need not log them again.
    for catch in handled:
        if catch.logs_error or catch.logged_upstream:
            continue
        where = f"in {processor}'s inline code{code.where(catch.line, catch.column, ' at line {}')}"
        message = f"{_unlogged(catch, where)} (no console.error or logger error call)."
        yield code.violation(processor, catch.line, catch.column, message)


def _unlogged(catch: CatchClause, where: str) -> str:
    """What a catch clause that logs nothing does with the error, named by its form."""
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
    code = _judgeable(context, "mapping")
    if not isinstance(code, InlineCode):
        yield code
        return
    facts = code.facts
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
            f"The inline code of {processor} returns batchItemFailures{code.where(facts.batch_item_failures_line, facts.batch_item_failures_column)}, but "
            f"{mapping.logical_id} lacks ReportBatchItemFailures, so AWS ignores them and failed orders are deleted.",
        )


@check
def failures_recorded(context: Context) -> Iterator[Outcome]:
    code = _judgeable(context, "status_table")
    if not isinstance(code, InlineCode):
        yield code
        return
    facts = code.facts
    if not any(catch.writes_dynamodb for catch in facts.catches):
        processor = context.arch.processor
        where = "has no catch block" if not facts.catches else "writes nothing to DynamoDB from its catch blocks"
        yield Violation(
            processor,
            CODE_PATH,
            f"The inline code of {processor} {where}, so failed orders are never recorded in the status table.",
        )


# How ARCH012 names each kind of module syntax.
_MODULE_SYNTAX = {"import": "an import", "export": "an export", "top-level await": "a top-level await"}
_NODE_MAJOR = re.compile(r"nodejs(\d+)(?:\.\w+)?")
_FIRST_RUNTIME_WITHOUT_SDK_V2 = 18
_INLINE_MODULE = "index"  # inline code is written to index.js


@check
def inline_code_loads(context: Context) -> Iterator[Outcome]:
    code = inline_code(context)
    if not isinstance(code, InlineCode):
        yield code
        return
    processor = context.part("processor")
    name, facts = processor.logical_id, code.facts
    if facts.module_syntax is not None:
        syntax = facts.module_syntax
        yield code.violation(
            name,
            syntax.line,
            syntax.column,
            f"The inline code of {name} is an ES module ({_MODULE_SYNTAX[syntax.what]}{code.where(syntax.line, syntax.column, ' at line {}')}), "
            "but Lambda writes inline code to index.js and loads it as CommonJS, so the function fails at its first invocation.",
        )
    yield from _handler_defined(code, name, processor.properties.get("Handler"))
    runtime = str(processor.properties.get("Runtime"))
    version = _NODE_MAJOR.fullmatch(runtime)
    if version is None or int(version.group(1)) < _FIRST_RUNTIME_WITHOUT_SDK_V2:
        return
    for load in facts.sdk_v2_loads:
        yield code.violation(
            name,
            load.line,
            load.column,
            f"The inline code of {name} loads {load.what} (the AWS SDK for JavaScript v2){code.where(load.line, load.column, ' at line {}')}, "
            f"which the {runtime} runtime does not include (it has SDK v3, @aws-sdk/*), so the function fails at its first invocation.",
        )


def _handler_defined(code: InlineCode, processor: str, handler: object) -> Iterator[Outcome]:
    """The Handler names index.<an export of the code>, split as Lambda splits `dir/module.path.to.function`."""
    if isinstance(handler, Unknown):
        yield Unresolved(f"the Handler of {processor} cannot be resolved: {handler.reason}")
        return
    if not isinstance(handler, str):
        return  # no Handler: CloudFormation refuses the function before any code runs
    module, export = _split_handler(handler)
    if module != _INLINE_MODULE or not export:
        named = f"the module {module}" if export else "no exported function (index.<function>)"
        yield Violation(
            processor,
            HANDLER_PATH,
            f"Handler {handler} names {named}, but inline code is written to index.js, so Lambda cannot find the handler.",
        )
        return
    exports = code.facts.exports
    if exports is None:
        yield Unresolved(
            f"the inline code of {processor} decides its exports when it runs, so whether it exports {export} cannot be told"
        )
        return
    if export in {spot.what for spot in exports}:
        return
    listed = ", ".join(spot.what + code.where(spot.line, spot.column) for spot in exports)
    yield Violation(
        processor,
        HANDLER_PATH,
        f"Handler {handler} names the export {export}, but the inline code of {processor} "
        f"{f'exports only {listed}' if exports else 'exports nothing'}, so Lambda cannot find the handler.",
    )
