"""The entry point: parse the code once, index it once, then ask each question of the index."""

from __future__ import annotations

from checker.model.code.batch import batch_responses
from checker.model.code.catches import catch_clauses
from checker.model.code.facts import CodeFacts
from checker.model.code.handler import DEFAULT_HANDLER, find_handler
from checker.model.code.index import CodeIndex
from checker.model.code.loading import exported_names, module_syntax, sdk_v2_loads
from checker.model.code.parse import CodeParseError, LineMap, parse
from checker.model.code.sdk_calls import sdk_actions
from checker.model.code.writes import dynamodb_writes


def analyse_node_code(source: str, handler_name: str = DEFAULT_HANDLER) -> CodeFacts:
    """Parse ``source`` as a CommonJS script or an ES module and gather its facts.

    Each answer's semantics is documented with the question: ``catches`` (ARCH010's
    catch clauses, logging, rethrowing), ``writes`` (REL006's DynamoDB writes),
    ``handler`` (the exported handler and ``CatchClause.in_handler``) and ``batch``
    (ARCH011's partial batch responses), all in ``checker.model.code``.

    Raises ``CodeParseError`` -- and nothing else -- for any input that cannot be
    parsed or analysed.
    """
    if not isinstance(source, str):
        raise CodeParseError(f"code must be a string, not {type(source).__name__}")
    lines = LineMap(source)
    program = parse(source, lines)
    try:
        return _facts(CodeIndex(program, lines), handler_name)
    except RecursionError as exc:
        raise CodeParseError("code is nested too deeply to analyse") from exc
    except Exception as exc:  # never let an odd tree escape as another exception type
        raise CodeParseError(f"cannot analyse code: {type(exc).__name__}: {exc}") from exc


def _facts(index: CodeIndex, handler_name: str) -> CodeFacts:
    write_calls = dynamodb_writes(index)
    handler = find_handler(index, handler_name)
    catches = catch_clauses(index, write_calls, handler.holds if handler is not None else lambda _node: True)
    batch = min(batch_responses(index), default=None)
    return CodeFacts(
        catches=catches,
        returns_batch_item_failures=batch is not None,
        batch_item_failures_line=batch[0] if batch is not None else None,
        dynamodb_write_lines=tuple(sorted(set(write_calls.values()))),
        handler_found=handler is not None,
        handler_line=min(map(index.line, handler.roots)) if handler is not None else None,
        batch_item_failures_column=batch[1] if batch is not None else None,
        module_syntax=module_syntax(index),
        exports=exported_names(index),
        sdk_v2_loads=sdk_v2_loads(index),
        sdk_actions=sdk_actions(index),
    )
