"""Facts about a Lambda function's inline Node.js handler code (``Code.ZipFile``).

The rules do not judge JavaScript themselves; they ask this package a few questions
about the handler and phrase their messages from the answers:

* ARCH010 -- is there a ``try``/``catch`` in the exported handler (or in code it
  calls), and does each such ``catch`` log the error (or only rethrow it)? (``catches``)
  Need it, or was every error reaching it logged where it was first caught? (``flow``)
* ARCH011 -- does the code return a partial batch response (``batchItemFailures``)? (``batch``)
* REL006 -- can a ``catch`` block reach a DynamoDB write? (``writes``)
* ARCH012 -- can Lambda load the code as CommonJS and find the handler it names, and
  does the code load the AWS SDK v2? (``loading``)

``parse`` turns the code into esprima's tree (imported only then), ``index`` records
its symbols in one walk, ``handler`` finds the exported handler, and ``analyse`` puts
the answers into ``CodeFacts``, whose places are the code's own lines and columns;
``written`` turns them into the file's (``WrittenCode``). The analysis is syntactic and
scope-insensitive, which is precise enough for inline handlers: CloudFormation accepts
inline code up to its template size, but the checks analyse at most ``MAX_ANALYSED_CODE``.
"""

from __future__ import annotations

from checker.model.code.analyse import analyse_node_code
from checker.model.code.facts import (
    FORM_ALL_SETTLED,
    FORM_CATCH_METHOD,
    FORM_THEN_REJECTED,
    FORM_TRY,
    CatchClause,
    CodeFacts,
    Spot,
)
from checker.model.code.handler import DEFAULT_HANDLER
from checker.model.code.parse import MAX_ANALYSED_CODE, CodeParseError
from checker.model.code.writes import DYNAMODB_WRITE_COMMANDS
from checker.model.code.written import WrittenCode

__all__ = [
    "DEFAULT_HANDLER",
    "DYNAMODB_WRITE_COMMANDS",
    "FORM_ALL_SETTLED",
    "FORM_CATCH_METHOD",
    "FORM_THEN_REJECTED",
    "FORM_TRY",
    "MAX_ANALYSED_CODE",
    "CatchClause",
    "CodeFacts",
    "CodeParseError",
    "Spot",
    "WrittenCode",
    "analyse_node_code",
]
