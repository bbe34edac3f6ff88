"""The answers the Lambda code rules get: plain frozen values, independent of the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# ``CatchClause.form``: how the error is caught.
FORM_TRY = "try"  # try { ... } catch (err) { ... }
FORM_CATCH_METHOD = ".catch"  # promise.catch(onRejected)
FORM_THEN_REJECTED = ".then"  # promise.then(onFulfilled, onRejected)
FORM_ALL_SETTLED = "Promise.allSettled"  # results inspected for status 'rejected'


class Spot(NamedTuple):
    """Something written in the code, and where: line from 1 and column from 0, as the code's text counts them."""

    what: str
    line: int
    column: int


@dataclass(frozen=True)
class CatchClause:
    """One place that catches errors and what it does with the error it caught.

    ``form`` says which: a ``try``/``catch`` (``FORM_TRY``), a promise rejection
    handler (``FORM_CATCH_METHOD``, ``FORM_THEN_REJECTED``) or the inspection of
    ``Promise.allSettled`` results (``FORM_ALL_SETTLED``); ``checker.model.code.catches``
    says how each is found and judged.
    """

    # 1-based line in the code string: of the `catch` keyword, the `.catch` method
    # name, the `.then` rejection handler (its second argument) or `allSettled`.
    line: int
    logs_error: bool
    rethrows: bool  # the error propagates: `throw`, `Promise.reject(...)`, `callback(err)`
    writes_dynamodb: bool  # a DynamoDB write is reachable from this catch
    # Inside the exported handler or a local function reachable from it by calls.
    # True for every catch when no handler could be identified (see checker.model.code.handler).
    in_handler: bool
    form: str = FORM_TRY
    # Every error that can reach it was logged by the catch that first caught it and rethrew it, so this one
    # need not log again (``checker.model.code.flow``). Asked only of catches that do not log: False for those that do.
    logged_upstream: bool = False
    # Where on its line (from 0), to place it in the file; a clause is told apart by its line, so not compared.
    column: int = field(default=0, compare=False)


@dataclass(frozen=True)
class CodeFacts:
    """Everything the Lambda code rules need to know about one handler."""

    catches: tuple[CatchClause, ...]
    returns_batch_item_failures: bool
    batch_item_failures_line: int | None  # where the batchItemFailures object is returned/built
    dynamodb_write_lines: tuple[int, ...]  # lines of all DynamoDB writes anywhere in the code
    handler_found: bool  # the exported ``handler`` resolves to code in this string
    handler_line: int | None  # first line of the handler's code (function or wrapper call)
    batch_item_failures_column: int | None = None  # from 0, on batch_item_failures_line
    # What stops Lambda from loading the code (``checker.model.code.loading``): the first ES module syntax
    # (`import`, `export`, top-level await), the names the code exports (None: decided at run time),
    # and where it loads the AWS SDK v2 (`require('aws-sdk')`).
    module_syntax: Spot | None = None
    exports: tuple[Spot, ...] | None = ()
    sdk_v2_loads: tuple[Spot, ...] = ()
    sdk_actions: frozenset[str] = frozenset()  # IAM actions of the AWS SDK operations it calls (checker.model.code.sdk_calls)

    @property
    def has_try_catch(self) -> bool:
        """Whether anything catches errors (``try``/``finally`` alone does not count)."""
        return bool(self.catches)

    @property
    def mentions_dynamodb_write(self) -> bool:
        """Whether the code writes to DynamoDB anywhere, so messages can say so."""
        return bool(self.dynamodb_write_lines)
