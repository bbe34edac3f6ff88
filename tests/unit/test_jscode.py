"""Facts extracted from inline Lambda handler code drive ARCH010, ARCH011 and REL006."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from textwrap import dedent

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.evaluation.options import CheckOptions
from checker.load import Mark, load_text
from checker.model.code import (
    FORM_ALL_SETTLED,
    FORM_CATCH_METHOD,
    FORM_THEN_REJECTED,
    FORM_TRY,
    CatchClause,
    CodeFacts,
    CodeParseError,
    Spot,
    WrittenCode,
    analyse_node_code,
)
from checker.run.files import check_file


def js(text: str) -> str:
    """Dedent a handler so that line 1 is the first line after the opening quotes."""
    return dedent(text).lstrip("\n")


V3_HANDLER = js(
    """
    const { DynamoDBClient, PutItemCommand, UpdateItemCommand } = require("@aws-sdk/client-dynamodb");
    const client = new DynamoDBClient({});

    async function recordFailure(record, err) {
      await client.send(new UpdateItemCommand({
        TableName: process.env.TABLE_NAME,
        Key: { pk: { S: record.messageId } },
        UpdateExpression: "SET #s = :s",
        ExpressionAttributeNames: { "#s": "status" },
        ExpressionAttributeValues: { ":s": { S: "FAILED" } },
      }));
    }

    exports.handler = async (event) => {
      const batchItemFailures = [];
      for (const record of event.Records) {
        try {
          const order = JSON.parse(record.body);
          await client.send(new PutItemCommand({
            TableName: process.env.TABLE_NAME,
            Item: { pk: { S: order.id } },
          }));
        } catch (err) {
          console.error("order failed", record.messageId, err);
          await recordFailure(record, err);
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    };
    """
)


def test_v3_client_with_write_in_try_and_helper_write_in_catch() -> None:
    facts = analyse_node_code(V3_HANDLER)
    assert facts == CodeFacts(
        catches=(CatchClause(line=23, logs_error=True, rethrows=False, writes_dynamodb=True, in_handler=True),),
        returns_batch_item_failures=True,
        batch_item_failures_line=29,
        dynamodb_write_lines=(5, 19),
        handler_found=True,
        handler_line=14,
        batch_item_failures_column=11,
        exports=(Spot("handler", 14, 18),),
        sdk_actions=frozenset({"dynamodb:PutItem", "dynamodb:UpdateItem"}),
    )
    assert facts.has_try_catch
    assert facts.mentions_dynamodb_write


def test_catch_that_only_reports_the_item_neither_logs_nor_writes() -> None:
    code = js(
        """
        const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");
        const client = new DynamoDBClient({});

        exports.handler = async (event) => {
          const failures = [];
          for (const record of event.Records) {
            try {
              await client.send(new PutItemCommand({ TableName: "orders", Item: JSON.parse(record.body) }));
            } catch (e) {
              failures.push({ itemIdentifier: record.messageId });
            }
          }
          return { batchItemFailures: failures };
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (CatchClause(line=9, logs_error=False, rethrows=False, writes_dynamodb=False, in_handler=True),)
    assert facts.returns_batch_item_failures is True
    assert facts.batch_item_failures_line == 13
    assert facts.dynamodb_write_lines == (8,)


def test_catch_that_only_rethrows_is_reported_as_rethrowing_without_logging() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          try {
            await processAll(event.Records);
          } catch (err) {
            throw err;
          }
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (CatchClause(line=4, logs_error=False, rethrows=True, writes_dynamodb=False, in_handler=True),)
    assert facts.returns_batch_item_failures is False
    assert facts.batch_item_failures_line is None
    assert facts.dynamodb_write_lines == ()
    assert not facts.mentions_dynamodb_write


def test_console_error_then_rethrow_counts_as_both() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          try {
            await work(event);
          }
          catch (err) {
            console.error(JSON.stringify({ level: "error", message: err.message }));
            throw new Error("processing failed", { cause: err });
          }
        };
        """
    )
    (clause,) = analyse_node_code(code).catches
    assert clause == CatchClause(line=5, logs_error=True, rethrows=True, writes_dynamodb=False, in_handler=True)


@pytest.mark.parametrize(
    "logging_call",
    ["logger.error('failed', err)", "log.error({ err })", "this.logger.error(err)", "logger?.error(err)"],
)
def test_logger_error_methods_count_as_logging(logging_call: str) -> None:
    code = f"exports.handler = async (event) => {{\n  try {{ await go(); }} catch (err) {{\n    {logging_call};\n  }}\n}};\n"
    (clause,) = analyse_node_code(code).catches
    assert clause.line == 2
    assert clause.logs_error is True


@pytest.mark.parametrize("call", ["console.log(err)", "console.warn('failed', err)", "logger.info(err)"])
def test_log_and_warn_do_not_count_as_error_logging(call: str) -> None:
    code = f"try {{ go(); }} catch (err) {{ {call}; }}"
    (clause,) = analyse_node_code(code).catches
    assert clause.logs_error is False


def test_throw_inside_a_nested_callback_is_not_a_rethrow() -> None:
    code = "try { go(); } catch (err) { setTimeout(() => { throw err; }); }"
    (clause,) = analyse_node_code(code).catches
    assert clause.rethrows is False


def test_document_client_v2_put_promise_in_catch() -> None:
    code = js(
        """
        const AWS = require("aws-sdk");
        const docClient = new AWS.DynamoDB.DocumentClient();

        exports.handler = async (event) => {
          for (const record of event.Records) {
            try {
              await processOrder(JSON.parse(record.body));
            } catch (error) {
              await docClient
                .put({ TableName: process.env.ERRORS_TABLE, Item: { id: record.messageId, error: error.message } })
                .promise();
            }
          }
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (CatchClause(line=8, logs_error=False, rethrows=False, writes_dynamodb=True, in_handler=True),)
    assert facts.dynamodb_write_lines == (10,)


@pytest.mark.parametrize(
    "statement",
    [
        "ddb.putItem(params).promise()",
        "dynamodb.updateItem(params, callback)",
        "client.batchWriteItem({ RequestItems: items })",
        "client.transactWriteItems(params)",
        "db.update(params).promise()",
        "documentClient.batchWrite(params)",
        "this.ddb.transactWrite(params)",
        "store.put({ TableName: 'orders', Item: item })",
        "client.send(new BatchWriteCommand(params))",
        "client.send(new lib.TransactWriteCommand(params))",
        "await ddbDocClient.send(new UpdateCommand(params))",
    ],
)
def test_dynamodb_write_shapes_are_recognised(statement: str) -> None:
    code = f"async function main(params, items, item, callback) {{\n  {statement};\n}}\n"
    assert analyse_node_code(code).dynamodb_write_lines == (2,)


@pytest.mark.parametrize(
    "statement",
    [
        "crypto.createHash('sha256').update(body)",
        "cache.put(key, value)",
        "client.send(new GetItemCommand(params))",
        "sqs.send(new SendMessageCommand(params))",
        "client.send(command)",
        "client.query(params).promise()",
    ],
)
def test_lookalikes_are_not_dynamodb_writes(statement: str) -> None:
    code = f"async function main(params, key, value, body, command) {{\n  {statement};\n}}\n"
    assert analyse_node_code(code).dynamodb_write_lines == ()


def test_document_client_receiver_is_recognised_by_how_it_was_built() -> None:
    code = js(
        """
        const { DynamoDBDocument } = require("@aws-sdk/lib-dynamodb");
        const store = DynamoDBDocument.from(new DynamoDBClient({}));
        async function save(item) {
          await store.put(item);
        }
        """
    )
    assert analyse_node_code(code).dynamodb_write_lines == (4,)


def test_es_module_with_command_built_into_a_variable() -> None:
    code = js(
        """
        import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
        import { Logger } from "@aws-lambda-powertools/logger";

        const client = new DynamoDBClient({});
        const logger = new Logger();

        export const handler = async (event) => {
          try {
            await Promise.all(event.Records.map(processRecord));
          } catch (err) {
            logger.error("batch failed", err);
            const command = new PutItemCommand({
              TableName: process.env.DLQ_TABLE,
              Item: { pk: { S: String(Date.now()) } },
            });
            await client.send(command);
            throw err;
          }
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (CatchClause(line=10, logs_error=True, rethrows=True, writes_dynamodb=True, in_handler=True),)
    assert facts.dynamodb_write_lines == (16,)


def test_module_with_top_level_await_and_shebang() -> None:
    code = js(
        """
        #!/usr/bin/env node
        const config = await loadConfig();
        export async function handler(event) {
          try {
            return await run(event, config);
          } catch (e) {
            console.error(e);
            return { batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] };
          }
        }
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (CatchClause(line=6, logs_error=True, rethrows=False, writes_dynamodb=False, in_handler=True),)
    assert facts.batch_item_failures_line == 8


def test_helper_called_from_catch_that_logs_counts_as_logging() -> None:
    code = js(
        """
        const reportError = function (err, record) {
          console.error("failed", record.messageId, err);
        };

        exports.handler = async (event) => {
          for (const record of event.Records) {
            try {
              await handle(record);
            } catch (err) {
              reportError(err, record);
            }
          }
        };
        """
    )
    (clause,) = analyse_node_code(code).catches
    assert clause == CatchClause(line=9, logs_error=True, rethrows=False, writes_dynamodb=False, in_handler=True)


def test_logging_and_writes_are_followed_transitively_through_helpers_and_methods() -> None:
    code = js(
        """
        const { DynamoDBDocumentClient, PutCommand } = require("@aws-sdk/lib-dynamodb");
        const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
        const audit = {
          async save(entry) {
            await doc.send(new PutCommand({ TableName: "audit", Item: entry }));
          },
        };
        const handleFailure = async (err) => { await audit.save({ error: String(err) }); };
        function onError(err) { return handleFailure(err); }

        exports.handler = async () => {
          try { await go(); } catch (err) { await onError(err); }
        };
        """
    )
    (clause,) = analyse_node_code(code).catches
    assert clause == CatchClause(line=12, logs_error=False, rethrows=False, writes_dynamodb=True, in_handler=True)


def test_local_function_passed_as_a_callback_from_catch_is_followed() -> None:
    code = js(
        """
        function logFailure(record) { log.error("failed", record.messageId); }
        try { run(); } catch (err) { failed.forEach(logFailure); }
        """
    )
    (clause,) = analyse_node_code(code).catches
    assert clause.logs_error is True


def test_recursion_between_helpers_terminates() -> None:
    code = js(
        """
        function retry(err, n) {
          if (n > 3) { return giveUp(err); }
          return backoff(err, n + 1);
        }
        function backoff(err, n) { return retry(err, n); }
        function giveUp(err) { return retry(err, 0); }
        function self(err) { return self(err); }

        exports.handler = async () => {
          try {
            await go();
          } catch (err) {
            self(err);
            return retry(err, 0);
          }
        };
        """
    )
    (clause,) = analyse_node_code(code).catches
    assert clause == CatchClause(line=12, logs_error=False, rethrows=False, writes_dynamodb=False, in_handler=True)


def test_helpers_not_reachable_from_catch_do_not_count() -> None:
    code = js(
        """
        function unused(err) { console.error(err); }
        try { go(); } catch (err) { ignore(err); }
        """
    )
    (clause,) = analyse_node_code(code).catches
    assert clause.logs_error is False


def test_code_without_try() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          for (const record of event.Records) {
            await handle(record);
          }
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts == CodeFacts(
        catches=(),
        returns_batch_item_failures=False,
        batch_item_failures_line=None,
        dynamodb_write_lines=(),
        handler_found=True,
        handler_line=1,
        exports=(Spot("handler", 1, 18),),
    )
    assert not facts.has_try_catch


def test_try_finally_without_catch_has_no_catch_clause() -> None:
    assert analyse_node_code("try { go(); } finally { done(); }").catches == ()


def test_multiple_catches_are_reported_in_source_order() -> None:
    code = "try { a(); } catch (e) { console.error(e); }\ntry { b(); } catch { }\n"
    facts = analyse_node_code(code)
    assert [c.line for c in facts.catches] == [1, 2]
    assert [c.logs_error for c in facts.catches] == [True, False]


# -- the exported handler: which catches protect the processing (ARCH010) -----------

# Line 2: a try/catch run once at module load; it protects no record.
MODULE_LOAD = "let config = {};\ntry { config = JSON.parse(process.env.CONFIG); } catch (err) { console.error(err); }\n"
# A record loop whose try/catch is the one that protects the processing.
LOOP = "for (const r of event.Records) { try { await work(r, config); } catch (err) { console.error(err); } }"


@pytest.mark.parametrize(
    ("handler", "handler_line", "catch_line"),
    [
        pytest.param(f"exports.handler = async (event) => {{\n  {LOOP}\n}};\n", 3, 4, id="exports.handler"),
        pytest.param(f'exports["handler"] = async (event) => {{\n  {LOOP}\n}};\n', 3, 4, id="exports-computed"),
        pytest.param(f"module.exports.handler = async function (event) {{\n  {LOOP}\n}};\n", 3, 4, id="module.exports.handler"),
        pytest.param(
            f"async function handler(event) {{\n  {LOOP}\n}}\nmodule.exports = {{ handler }};\n",
            3,
            4,
            id="module.exports-shorthand",
        ),
        pytest.param(
            f"const main = async (event) => {{\n  {LOOP}\n}};\nmodule.exports = {{ handler: main }};\n",
            3,
            4,
            id="module.exports-property",
        ),
        pytest.param(
            f"module.exports = {{\n  async handler(event) {{\n    {LOOP}\n  }},\n}};\n", 4, 5, id="module.exports-method"
        ),
        pytest.param(
            f"const api = {{ handler: async (event) => {{\n  {LOOP}\n}} }};\nmodule.exports = api;\n",
            3,
            4,
            id="module.exports-variable",
        ),
        pytest.param(
            f"exports = module.exports = {{ handler }};\nasync function handler(event) {{\n  {LOOP}\n}}\n",
            4,
            5,
            id="exports-chain-hoisted",
        ),
        pytest.param(
            f"async function handler(event) {{\n  {LOOP}\n}}\nObject.assign(module.exports, {{ handler }});\n",
            3,
            4,
            id="Object.assign",
        ),
        pytest.param(f"export const handler = async (event) => {{\n  {LOOP}\n}};\n", 3, 4, id="export-const"),
        pytest.param(f"export async function handler(event) {{\n  {LOOP}\n}}\n", 3, 4, id="export-function"),
        pytest.param(f"const handler = async (event) => {{\n  {LOOP}\n}};\nexport {{ handler }};\n", 3, 4, id="export-specifier"),
        pytest.param(f"async function main(event) {{\n  {LOOP}\n}}\nexport {{ main as handler }};\n", 3, 4, id="export-renamed"),
        pytest.param(f"exports.handler = main;\nasync function main(event) {{\n  {LOOP}\n}}\n", 4, 5, id="exports-name-hoisted"),
        pytest.param(
            f"exports.handler = middy(main).use(errorLogger());\nasync function main(event) {{\n  {LOOP}\n}}\n",
            3,
            5,
            id="wrapped-by-middy",
        ),
        pytest.param(f"exports.handler = withTracing(async (event) => {{\n  {LOOP}\n}});\n", 3, 4, id="wrapping-inline-function"),
    ],
)
def test_each_handler_form_is_found_and_only_its_catch_is_in_the_handler(
    handler: str, handler_line: int, catch_line: int
) -> None:
    facts = analyse_node_code(MODULE_LOAD + handler)
    assert facts.handler_found is True
    assert facts.handler_line == handler_line
    assert [(c.line, c.in_handler) for c in facts.catches] == [(2, False), (catch_line, True)]
    assert all(c.logs_error for c in facts.catches)


def test_try_catch_at_module_load_is_not_in_the_handler() -> None:
    code = js(
        """
        let config = {};
        try {
          config = JSON.parse(process.env.CONFIG || '{}');
        } catch (err) {
          console.error('bad CONFIG', err);
        }
        exports.handler = async (event) => {
          for (const record of event.Records) {
            const order = JSON.parse(record.body);
            console.log('processing', order.orderId, config.region);
          }
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (CatchClause(line=4, logs_error=True, rethrows=False, writes_dynamodb=False, in_handler=False),)
    assert facts.handler_found is True
    assert facts.handler_line == 7
    assert facts.has_try_catch  # a catch exists, just not around the processing


def test_helper_called_from_the_handler_has_its_try_catch_counted() -> None:
    code = js(
        """
        async function processRecord(record) {
          try {
            await save(JSON.parse(record.body));
          } catch (err) {
            console.error('failed', record.messageId, err);
          }
        }
        const save = async (order) => {
          try { await put(order); } catch (e) { throw e; }
        };
        function warmUp() {
          try { connect(); } catch (e) { console.error(e); }
        }
        warmUp();
        exports.handler = async (event) => {
          await Promise.all(event.Records.map(processRecord));
        };
        """
    )
    facts = analyse_node_code(code)
    # processRecord is passed as a callback from the handler, save is called from it
    # (transitively); warmUp only runs at module load.
    assert [(c.line, c.in_handler) for c in facts.catches] == [(4, True), (9, True), (12, False)]
    assert facts.handler_line == 15


def test_helpers_reached_through_methods_and_cycles_count_and_terminate() -> None:
    code = js(
        """
        const orders = {
          async process(record) { return retry(record, 0); },
        };
        function retry(record, n) {
          if (n > 3) { return giveUp(record); }
          return retry(record, n + 1);
        }
        function giveUp(record) {
          try { return retry(record, 0); } catch (err) { console.error(err); }
        }
        export const handler = async (event) => {
          for (const record of event.Records) { await orders.process(record); }
        };
        """
    )
    facts = analyse_node_code(code)
    assert [(c.line, c.in_handler) for c in facts.catches] == [(9, True)]
    assert facts.handler_line == 11


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(f"exports.main = async (event) => {{ {LOOP} }};\n", id="other-export-name"),
        pytest.param(f"export async function main(event) {{ {LOOP} }}\n", id="other-es-export-name"),
        pytest.param(f"async function run(event) {{ {LOOP} }}\n", id="no-export"),
        pytest.param(f'export {{ handler }} from "./impl";\nexport async function helper(event) {{ {LOOP} }}\n', id="re-export"),
        pytest.param(
            f'const {{ handler }} = require("./impl");\nexports.handler = handler;\nasync function f(event) {{ {LOOP} }}\n',
            id="imported-handler",
        ),
        pytest.param(f'module.exports = require("./impl");\nasync function f(event) {{ {LOOP} }}\n', id="module.exports-require"),
        pytest.param(f"exports.handler = 42;\nasync function f(event) {{ {LOOP} }}\n", id="not-a-function"),
    ],
)
def test_without_an_identifiable_handler_every_catch_counts_as_in_the_handler(code: str) -> None:
    facts = analyse_node_code(MODULE_LOAD + code)
    assert facts.handler_found is False
    assert facts.handler_line is None
    assert len(facts.catches) == 2
    assert all(c.in_handler for c in facts.catches)


def test_handler_without_try_catch_and_no_catch_anywhere() -> None:
    facts = analyse_node_code("export const handler = async (event) => event.Records.length;\n")
    assert facts.handler_found is True
    assert facts.handler_line == 1
    assert facts.catches == ()


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("exports.handler = async (event) => {\n  const batchItemFailures = [];\n  return { batchItemFailures };\n};\n", 3),
        ("exports.handler = async (event) => {\n  return {\n    batchItemFailures: failures,\n  };\n};\n", 3),
        ("exports.handler = async (e) => ({ batchItemFailures: [] });\n", 1),
        ("exports.handler = async (e) => {\n  return { 'batchItemFailures': [] };\n};\n", 2),
        (
            "exports.handler = async (e) => {\n  const response = { batchItemFailures: [] };\n"
            "  await go(response);\n  return response;\n};\n",
            2,
        ),
        ("exports.handler = async (e) => {\n  const r = {};\n  r.batchItemFailures = f;\n  return r;\n};\n", 3),
        ("exports.handler = async (e) => {\n  return ok ? { batchItemFailures: [] } : await x();\n};\n", 2),
        ("exports.handler = (event, context, callback) => {\n  callback(null, { batchItemFailures: f });\n};\n", 2),
        ("function respond(f) {\n  return Promise.resolve({ batchItemFailures: f });\n}\n", 2),
    ],
)
def test_partial_batch_response_shapes(code: str, line: int) -> None:
    facts = analyse_node_code(code)
    assert facts.returns_batch_item_failures is True
    assert facts.batch_item_failures_line == line


@pytest.mark.parametrize(
    "code",
    [
        "exports.handler = async (e) => {\n  const unused = { batchItemFailures: [] };\n  return {};\n};\n",
        "exports.handler = async (e) => {\n  console.log({ batchItemFailures: [] });\n};\n",
        "exports.handler = async (e) => ({ statusCode: 200 });\n",
    ],
)
def test_batch_item_failures_object_that_is_not_returned_does_not_count(code: str) -> None:
    facts = analyse_node_code(code)
    assert facts.returns_batch_item_failures is False
    assert facts.batch_item_failures_line is None


# -- promise rejection handlers and Promise.allSettled are catch clauses too ------------


def clause(line: int, form: str, *, logs: bool, rethrows: bool = False, writes: bool = False, inside: bool = True):
    return CatchClause(line=line, logs_error=logs, rethrows=rethrows, writes_dynamodb=writes, in_handler=inside, form=form)


def test_catch_method_inside_promise_all_over_the_records() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          await Promise.all(
            event.Records.map((record) =>
              processOrder(JSON.parse(record.body))
                .catch((err) => {
                  console.error('order failed', record.messageId, err);
                })
            )
          );
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (clause(5, FORM_CATCH_METHOD, logs=True),)
    assert facts.has_try_catch


@pytest.mark.parametrize(
    "handler",
    [
        "() => {}",
        "function () {}",
        "(err) => null",
        "(err) => err",
        "(e) => failures.push(e)",
        "async () => { console.log('x'); }",
    ],
)
def test_catch_method_that_swallows_the_error_does_not_log(handler: str) -> None:
    code = (
        f"exports.handler = async (event) => {{\n  await Promise.all(event.Records.map((r) => work(r).catch({handler})));\n}};\n"
    )
    assert analyse_node_code(code).catches == (clause(2, FORM_CATCH_METHOD, logs=False),)


def test_catch_method_with_a_local_function_judges_its_body_and_what_it_calls() -> None:
    code = js(
        """
        const { DynamoDBClient, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
        const ddb = new DynamoDBClient({});
        const markFailed = (id) => ddb.send(new UpdateItemCommand({ TableName: process.env.TABLE_NAME, Key: { id: { S: id } } }));
        async function handleError(err) {
          console.error(JSON.stringify({ level: 'ERROR', message: err.message }));
          await markFailed(err.orderId);
          throw err;
        }
        exports.handler = async (event) => {
          await processBatch(event.Records).catch(handleError);
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (clause(10, FORM_CATCH_METHOD, logs=True, rethrows=True, writes=True),)
    assert facts.dynamodb_write_lines == (3,)


def test_then_rejection_handler_is_the_second_argument_on_its_own_line() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          return processBatch(event.Records).then(
            (results) => ({ batchItemFailures: results.failed }),
            (err) => {
              logger.error('batch failed', err);
              return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
            },
          );
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (clause(4, FORM_THEN_REJECTED, logs=True),)
    assert facts.returns_batch_item_failures is True
    assert facts.batch_item_failures_line == 3


def test_callback_style_handler_forwarding_the_error_rethrows_without_logging() -> None:
    code = js(
        """
        exports.handler = (event, context, callback) => {
          processBatch(event.Records)
            .then((result) => callback(null, result))
            .catch(callback);
        };
        """
    )
    assert analyse_node_code(code).catches == (clause(4, FORM_CATCH_METHOD, logs=False, rethrows=True),)


@pytest.mark.parametrize(
    ("handler", "logs", "rethrows"),
    [
        ("console.error", True, False),
        ("logger.error", True, False),
        ("this.logger.error", True, False),
        ("console.log", False, False),
        ("handlers.onError", True, False),  # a method defined in this code that logs
        ("(err) => Promise.reject(err)", False, True),
        ("(err) => { throw new Error('failed', { cause: err }); }", False, True),
        ("(err) => { setTimeout(() => { throw err; }); }", False, False),
        ("reject", False, True),  # the executor's reject: the rejection propagates
        ("report(record)", True, False),  # a factory whose returned handler logs
        ("importedHandler", False, False),  # not defined here: like `catch (e) { importedHandler(e) }`
    ],
)
def test_rejection_handler_shapes(handler: str, logs: bool, rethrows: bool) -> None:
    code = js(
        f"""
        const handlers = {{ onError(err) {{ console.error(err); }} }};
        const report = (record) => (err) => console.error(record.messageId, err);
        exports.handler = (event) => new Promise((resolve, reject) => {{
          const record = event.Records[0];
          work(record).then(resolve).catch({handler});
        }});
        """
    )
    assert analyse_node_code(code).catches == (clause(5, FORM_CATCH_METHOD, logs=logs, rethrows=rethrows),)


@pytest.mark.parametrize(
    "call",
    [
        "work().catch()",
        "work().catch(undefined)",
        "work().catch(null)",
        "work().then(ok)",
        "work().then(ok, undefined)",
        "work().then(ok, null)",
        "work().catch('x')",
    ],
)
def test_calls_that_handle_no_rejection_are_no_catch_clause(call: str) -> None:
    assert analyse_node_code(f"exports.handler = async () => {{ await {call}; }};\n").catches == ()


def test_promise_handlers_use_the_same_handler_reachability_as_try_catch() -> None:
    code = js(
        """
        const ready = loadConfig().catch((err) => console.error('no config', err));
        function processRecord(record) {
          return save(record).catch(() => {});
        }
        function unused(record) {
          return save(record).catch((err) => { console.error(err); });
        }
        exports.handler = async (event) => {
          await ready;
          await Promise.all(event.Records.map(processRecord));
        };
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (
        clause(1, FORM_CATCH_METHOD, logs=True, inside=False),  # module load
        clause(3, FORM_CATCH_METHOD, logs=False, inside=True),  # processRecord runs per record
        clause(6, FORM_CATCH_METHOD, logs=True, inside=False),  # never called from the handler
    )


def test_try_catch_and_promise_catch_on_one_line_keep_source_order() -> None:
    code = "exports.handler = async (e) => { try { await a().catch(() => {}); } catch (err) { console.error(err); } };\n"
    facts = analyse_node_code(code)
    assert facts.catches == (clause(1, FORM_CATCH_METHOD, logs=False), clause(1, FORM_TRY, logs=True))


def test_try_catch_forwarding_to_the_lambda_callback_or_promise_reject_rethrows() -> None:
    code = js(
        """
        exports.handler = (event, context, callback) => {
          try { run(event); } catch (err) { callback(err); }
          try { run(event); } catch (err) { callback(null, { batchItemFailures: [] }); }
          try { run(event); } catch (err) { return Promise.reject(err); }
        };
        """
    )
    assert [(c.line, c.rethrows) for c in analyse_node_code(code).catches] == [(2, True), (3, False), (4, True)]


@pytest.mark.parametrize(
    "loop",
    [
        "await Promise.all(event.Records.map(async (r) => { try { await work(r); } catch (err) { console.error(err); } }));",
        "event.Records.forEach(function (r) { try { work(r); } catch (err) { console.error(err); } });",
        "for await (const r of stream(event.Records)) { try { await work(r); } catch (err) { console.error(err); } }",
        "await Promise.allSettled(event.Records.map(async (r) => { try { await work(r); } catch (err) { console.error(err); } }));",
    ],
)
def test_try_catch_in_a_callback_or_for_await_inside_the_handler_is_in_the_handler(loop: str) -> None:
    facts = analyse_node_code(MODULE_LOAD + f"exports.handler = async (event) => {{\n  {loop}\n}};\n")
    assert [(c.line, c.form, c.in_handler, c.logs_error) for c in facts.catches] == [
        (2, FORM_TRY, False, True),
        (4, FORM_TRY, True, True),
    ]


SETTLED_HANDLER = js(
    """
    const { DynamoDBClient, PutItemCommand, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
    const ddb = new DynamoDBClient({});
    const processRecord = async (record) => {
      const order = JSON.parse(record.body);
      await ddb.send(new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { id: { S: order.id } } }));
    };
    exports.handler = async (event) => {
      const results = await Promise.allSettled(event.Records.map(processRecord));
      const batchItemFailures = [];
      results.forEach((result, i) => {
        if (result.status === 'rejected') {
          console.error('order failed', event.Records[i].messageId, result.reason);
          batchItemFailures.push({ itemIdentifier: event.Records[i].messageId });
        } else {
          ddb.send(new UpdateItemCommand({ TableName: process.env.TABLE_NAME, Key: { id: { S: 'x' } } }));
        }
      });
      return { batchItemFailures };
    };
    """
)


def test_all_settled_with_a_rejected_check_is_a_catch_clause_over_the_code_after_it() -> None:
    facts = analyse_node_code(SETTLED_HANDLER)
    # The write of the settled promises (line 5) and the write in the fulfilled
    # branch (line 15) are not failure handling.
    assert facts.catches == (clause(8, FORM_ALL_SETTLED, logs=True, writes=False),)
    assert facts.dynamodb_write_lines == (5, 15)
    assert facts.returns_batch_item_failures is True


def test_all_settled_recording_failures_in_the_rejected_branch_writes() -> None:
    # The UpdateItemCommand moves from the else branch into the rejected branch.
    code = SETTLED_HANDLER.replace("} else {\n      ddb.send(", "  ddb.send(")
    assert "else" not in code
    facts = analyse_node_code(code)
    assert facts.catches == (clause(8, FORM_ALL_SETTLED, logs=True, writes=True),)


@pytest.mark.parametrize(
    "inspection",
    [
        "results.filter((r) => r.status === 'rejected').forEach((r) => console.error(r.reason));",
        "for (const r of results) { if (r.status !== 'fulfilled') { console.error(r.reason); } }",
        "for (const { status, reason } of results) { if (status === 'rejected') logger.error(reason); }",
        "for (const r of results) { switch (r.status) { case 'rejected': console.error(r.reason); break; default: } }",
        "logFailures(results);",  # a local function inspects them
    ],
)
def test_all_settled_inspection_shapes(inspection: str) -> None:
    code = js(
        f"""
        function logFailures(results) {{
          results.forEach((r) => r.status === 'rejected' && console.error(r.reason));
        }}
        exports.handler = async (event) => {{
          const results = await Promise.allSettled(event.Records.map(work));
          {inspection}
        }};
        """
    )
    assert analyse_node_code(code).catches == (clause(5, FORM_ALL_SETTLED, logs=True),)


@pytest.mark.parametrize(
    "after",
    [
        "",
        "return results;",
        "const ok = results.filter((r) => r.status === 'fulfilled'); console.log(ok.length);",
    ],
)
def test_all_settled_whose_rejections_are_never_inspected_is_no_catch_clause(after: str) -> None:
    code = f"exports.handler = async (event) => {{\n  const results = await Promise.allSettled(event.Records.map(work));\n  {after}\n}};\n"
    assert analyse_node_code(code).catches == ()


def test_all_settled_rejected_check_before_the_call_does_not_count() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          const before = previous.filter((r) => r.status === 'rejected');
          await Promise.allSettled(event.Records.map((r) => work(r).then(() => console.error(r.reason))));
        };
        """
    )
    assert analyse_node_code(code).catches == ()


@pytest.mark.parametrize(
    ("inspection", "logs", "rethrows"),
    [
        ("if (results.some((r) => r.status === 'rejected')) { throw new Error('batch failed'); }", False, True),
        (
            "results.forEach((r) => { if (r.status === 'fulfilled') { console.error(r.value); } else { failed.push(r.reason); } });",
            False,
            False,
        ),
        ("results.forEach((r) => (r.status === 'fulfilled' ? console.error(r.value) : failed.push(r.reason)));", False, False),
        ("results.forEach((r) => r.status === 'fulfilled' && console.error(r.value) || failed.push(r.reason));", False, False),
        (
            "results.forEach((r) => { if (!(r.status === 'rejected')) { console.error(r); } failed.push(r.reason); });",
            False,
            False,
        ),
        ("results.forEach((r) => r.status === 'rejected' || console.error(r.value));", False, False),
        ("results.forEach((r) => { if (r.status !== 'rejected') return; console.error(r.reason); });", True, False),
    ],
)
def test_all_settled_branches_for_fulfilled_results_are_not_failure_handling(inspection: str, logs: bool, rethrows: bool) -> None:
    code = (
        "exports.handler = async (event) => {\n  const failed = [];\n"
        f"  const results = await Promise.allSettled(event.Records.map(work));\n  {inspection}\n}};\n"
    )
    assert analyse_node_code(code).catches == (clause(3, FORM_ALL_SETTLED, logs=logs, rethrows=rethrows),)


def test_all_settled_then_callback_and_module_load_use_the_handler_reachability() -> None:
    code = js(
        """
        const warm = Promise.allSettled([a(), b()]).then((rs) => rs.forEach((r) => r.reason && console.error(r.reason)));
        exports.handler = (event) =>
          Promise.allSettled(event.Records.map(work)).then((results) => ({
            batchItemFailures: results
              .map((r, i) => (r.status === 'rejected' ? { itemIdentifier: event.Records[i].messageId } : null))
              .filter(Boolean),
          }));
        """
    )
    facts = analyse_node_code(code)
    assert facts.catches == (
        clause(1, FORM_ALL_SETTLED, logs=True, inside=False),
        clause(3, FORM_ALL_SETTLED, logs=False, inside=True),
    )
    assert facts.batch_item_failures_line == 4


def test_lines_count_newlines_even_with_other_javascript_line_terminators() -> None:
    code = "const s = 'a';\r\nconst t = 'x\u2028y';\ntry { go(); }\r\ncatch (e) { console.error(e); }\n"
    (clause,) = analyse_node_code(code).catches
    assert clause.line == 4


def test_syntax_error_raises_code_parse_error_with_line() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          try {
            await go(;
          } catch (e) {}
        };
        """
    )
    with pytest.raises(CodeParseError, match=r"line 3") as excinfo:
        analyse_node_code(code)
    assert excinfo.value.line == 3
    assert excinfo.value.column is not None


def test_module_syntax_error_reports_the_module_error() -> None:
    code = 'import { a } from "a";\n\nexport const handler = async () => { return ) };\n'
    with pytest.raises(CodeParseError) as excinfo:
        analyse_node_code(code)
    assert excinfo.value.line == 3


def test_deep_nesting_raises_code_parse_error_or_parses() -> None:
    depth = sys.getrecursionlimit() * 2
    for code in ("(" * depth + "1" + ")" * depth, "[" * depth + "]" * depth, "{" * depth + "}" * depth):
        try:
            facts = analyse_node_code(code)
        except CodeParseError:
            continue
        assert facts.catches == ()


def test_non_string_input_raises_code_parse_error() -> None:
    with pytest.raises(CodeParseError):
        analyse_node_code(b"exports.handler = 1;")  # type: ignore[arg-type]


def test_facts_are_frozen() -> None:
    facts = analyse_node_code("1;")
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.catches = ()  # type: ignore[misc]


def test_importing_the_module_does_not_import_the_parser() -> None:
    import os
    import subprocess
    from pathlib import Path

    import checker.model.code

    root = str(Path(checker.model.code.__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    probe = "import sys, checker.model.code; print('esprima' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.strip() == "False"


def _assert_total(code: str) -> None:
    try:
        facts = analyse_node_code(code)
    except CodeParseError:
        return
    assert isinstance(facts, CodeFacts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text_only_ever_raises_code_parse_error(code: str) -> None:
    _assert_total(code)


_JS_PIECES = st.sampled_from(
    [
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ";",
        ",",
        ".",
        "=>",
        "`",
        "${",
        "'",
        '"',
        "/",
        "*",
        "\\",
        "try",
        "catch",
        "throw",
        "await",
        "async",
        "function",
        "return",
        "new",
        "import",
        "export",
        "\n",
        "\r",
        "\u2028",
        "#!",
        "//",
        "/*",
        "?.",
        "\x00",
        "\ud800",
        "😀",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_handlers_only_ever_raise_code_parse_error(data: st.DataObject) -> None:
    _assert_total(_mutate(data, V3_HANDLER))


PROMISE_HANDLER = js(
    """
    exports.handler = (event, context, callback) => new Promise((resolve, reject) => {
      Promise.allSettled(event.Records.map((r) => work(r).catch(() => {})))
        .then((rs) => rs.forEach((r) => (r.status === 'rejected' ? console.error(r.reason) : save(r.value))))
        .then(resolve, (err) => { logger.error(err); reject(err); })
        .catch(callback);
    });
    """
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_promise_handlers_only_ever_raise_code_parse_error(data: st.DataObject) -> None:
    _assert_total(_mutate(data, PROMISE_HANDLER))


def test_promise_handler_used_for_mutation_has_each_form() -> None:
    forms = [(c.line, c.form, c.logs_error, c.rethrows) for c in analyse_node_code(PROMISE_HANDLER).catches]
    assert forms == [
        (2, FORM_ALL_SETTLED, True, True),  # `reject(err)` on line 4 comes after the call
        (2, FORM_CATCH_METHOD, False, False),
        (4, FORM_THEN_REJECTED, True, True),
        (5, FORM_CATCH_METHOD, False, True),
    ]


def _mutate(data: st.DataObject, code: str) -> str:
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        start = data.draw(st.integers(min_value=0, max_value=len(code)))
        end = data.draw(st.integers(min_value=start, max_value=min(len(code), start + 20)))
        insert = data.draw(st.one_of(_JS_PIECES, st.text(max_size=5)))
        code = code[:start] + insert + code[end:]
    return code


# -- an error logged where it was first caught, then rethrown, is logged --------------------

LOGGING_PROCESSOR = js(
    """
    const { DynamoDBClient, PutItemCommand, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
    const ddb = new DynamoDBClient({});
    async function processRecord(record) {
      try {
        const order = JSON.parse(record.body);
        await ddb.send(new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { id: { S: order.id } } }));
      } catch (err) {
        console.error(JSON.stringify({ level: 'ERROR', messageId: record.messageId, error: err.message }));
        await ddb.send(new UpdateItemCommand({ TableName: process.env.TABLE_NAME, Key: { id: { S: record.messageId } } }));
        throw err;
      }
    }
    """
)


def _silent(code: str) -> list[tuple[int, str, bool]]:
    """(line, form, logged_upstream) of the clauses that do not log themselves."""
    return [(c.line, c.form, c.logged_upstream) for c in analyse_node_code(code).catches if not c.logs_error]


@pytest.mark.parametrize(
    "settled",
    [
        "event.Records.map(processRecord)",
        "event.Records.map((record) => processRecord(record))",
        "event.Records.map(async (record) => { await processRecord(record); })",
        "promises",
    ],
)
def test_all_settled_over_a_helper_that_logs_and_rethrows_need_not_log_again(settled: str) -> None:
    code = LOGGING_PROCESSOR + js(
        f"""
        exports.handler = async (event) => {{
          const promises = event.Records.map(processRecord);
          const results = await Promise.allSettled({settled});
          const batchItemFailures = results
            .map((r, i) => (r.status === 'rejected' ? {{ itemIdentifier: event.Records[i].messageId }} : null))
            .filter(Boolean);
          return {{ batchItemFailures }};
        }};
        """
    )
    facts = analyse_node_code(code)
    assert [(c.line, c.logs_error, c.rethrows) for c in facts.catches] == [(7, True, True), (15, False, False)]
    assert _silent(code) == [(15, FORM_ALL_SETTLED, True)]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            ("async function processRecord(record) {\n", "async function processRecord(record) {\n  JSON.parse(record.body);\n"),
            "outside",
        ),
        (("console.error(JSON.stringify(", "console.log(JSON.stringify("), "console.log"),
        (("    throw err;\n", "    return null;\n  }\n  finally {\n    await audit(record);\n"), "finally"),
        (("const order = JSON.parse", "const order = await other(record); JSON.parse"), "inside"),
    ],
)
def test_all_settled_over_a_helper_with_an_unlogged_path_must_log(change: tuple[str, str], why: str) -> None:
    """JSON.parse outside the helper's try, a console.log that is not error logging, a call in its finally block."""
    helper = LOGGING_PROCESSOR.replace(*change)
    assert helper != LOGGING_PROCESSOR, why
    settled_after = "  const results = await Promise.allSettled(event.Records.map(processRecord));\n"
    code = helper + "exports.handler = async (event) => {\n" + settled_after
    code += "  return results.filter((r) => r.status === 'rejected').length;\n};\n"
    settled = [clause for clause in analyse_node_code(code).catches if clause.form == FORM_ALL_SETTLED]
    assert [(c.logs_error, c.logged_upstream) for c in settled] == [(False, why == "inside")]


def test_all_settled_over_code_it_cannot_see_must_log() -> None:
    code = "exports.handler = async (event) => {\n  const results = await Promise.allSettled(event.Records.map(work));\n"
    code += "  return results.filter((r) => r.status === 'rejected').length;\n};\n"
    assert _silent(code) == [(2, FORM_ALL_SETTLED, False)]


COLLECTOR = js(
    """
    exports.handler = async (event) => {
      const batchItemFailures = [];
      for (const record of event.Records) {
        try {
          await processRecord(record);
        } catch (err) {
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    };
    """
)


def test_an_outer_catch_that_only_collects_after_an_inner_catch_logged_need_not_log() -> None:
    code = LOGGING_PROCESSOR + COLLECTOR
    assert _silent(code) == [(18, FORM_TRY, True)]


@pytest.mark.parametrize(
    "inner",
    [
        "try { await ddb.send(record); } catch (err) { logger.error({ err }); throw err; }",
        "await ddb.send(record).catch((err) => { console.error(err); throw err; });",
        "try { try { await ddb.send(record); } catch (err) { console.error(err); throw err; } } catch (again) { throw again; }",
        "await Promise.all([ddb.send(record)]).then(undefined, (err) => { console.error(err); return Promise.reject(err); });",
    ],
)
def test_inner_shapes_that_log_and_rethrow_excuse_the_collecting_catch(inner: str) -> None:
    code = f"const processRecord = async (record) => {{\n  {inner}\n}};\n" + COLLECTOR
    silent = _silent(code)
    assert silent[-1] == (9, FORM_TRY, True)
    assert all(upstream for _, _, upstream in silent)


@pytest.mark.parametrize(
    "try_block",
    [
        "await processRecord(record); JSON.parse(record.body);",  # a call it cannot see, beside the logged one
        "await processRecord(record); throw new Error('again');",  # a new error, never logged
        "await processRecord(JSON.parse(record.body));",
        "await other(record);",
        "const x = record.messageId;",  # nothing logged reaches it: not excused
    ],
)
def test_a_collecting_catch_that_can_receive_an_unlogged_error_must_log(try_block: str) -> None:
    code = LOGGING_PROCESSOR + COLLECTOR.replace("await processRecord(record);", try_block)
    assert _silent(code) == [(18, FORM_TRY, False)]


def test_a_rethrow_from_a_catch_that_did_not_log_collected_by_one_that_does_not_log_fails_both() -> None:
    code = LOGGING_PROCESSOR.replace("console.error(", "String(") + COLLECTOR
    assert _silent(code) == [(7, FORM_TRY, False), (18, FORM_TRY, False)]


WRAPPING_PROCESSOR = js(
    """
    const processRecord = async (record) => {
      try {
        try { await send(record); } catch (err) { console.error(err); throw err; }
      } catch (err) {
        throw new Error('order failed', { cause: err });
      }
    };
    """
)


def test_a_rethrow_from_a_catch_that_did_not_log_passes_on_what_reached_it() -> None:
    """The middle catch neither logs nor needs to: the only error reaching it was logged first."""
    code = WRAPPING_PROCESSOR + COLLECTOR
    assert _silent(code) == [(4, FORM_TRY, True), (13, FORM_TRY, True)]


CHAIN = js(
    """
    exports.handler = async (event) => {
      const batchItemFailures = [];
      await Promise.all(event.Records.map((record) =>
        processRecord(record)
          .catch((err) => { console.error('order failed', record.messageId, err); throw err; })
          .catch(() => { batchItemFailures.push({ itemIdentifier: record.messageId }); })
      ));
      return { batchItemFailures };
    };
    """
)


def test_a_catch_chained_after_a_handler_that_logged_and_rethrew_need_not_log() -> None:
    assert _silent(CHAIN) == [(6, FORM_CATCH_METHOD, True)]


@pytest.mark.parametrize(
    ("change", "lines"),
    [
        (("console.error('order failed', record.messageId, err); ", ""), [(5, False), (6, False)]),
        ((".catch(() =>", ".then((x) => { if (!x) throw new Error('empty'); }).catch(() =>"), [(6, False)]),
        (("throw err; })", "throw err; }).then(() => JSON.parse(record.body))"), [(6, False)]),
    ],
)
def test_a_chained_catch_that_can_receive_an_unlogged_error_must_log(change: tuple[str, str], lines: list) -> None:
    code = CHAIN.replace(*change)
    assert code != CHAIN
    assert [(line, upstream) for line, _, upstream in _silent(code)] == lines


def test_a_catch_that_logs_is_never_said_to_be_excused() -> None:
    facts = analyse_node_code(
        LOGGING_PROCESSOR + COLLECTOR.replace("batchItemFailures.push(", "console.error(err); batchItemFailures.push(")
    )
    assert [(c.logs_error, c.logged_upstream) for c in facts.catches] == [(True, False), (True, False)]


# -- positions: each fact knows its column; the file's line and column come from where the code is written --


def test_clauses_and_the_batch_response_know_their_column() -> None:
    code = js(
        """
        exports.handler = async (event) => {
          const results = await Promise.allSettled(event.Records.map(work));
          try { await other(); } catch (err) { console.error(err); }
          await a().catch(log).then(ok, (err) => console.error(err));
          return { batchItemFailures: results.filter((r) => r.status === 'rejected') };
        };
        """
    )
    facts = analyse_node_code(code)
    assert [(c.line, c.column, c.form) for c in facts.catches] == [
        (2, 32, FORM_ALL_SETTLED),
        (3, 25, FORM_TRY),
        (4, 32, FORM_THEN_REJECTED),  # one chain: the outer call first, as in the source
        (4, 12, FORM_CATCH_METHOD),
    ]
    assert (facts.batch_item_failures_line, facts.batch_item_failures_column) == (5, 11)


def test_columns_count_from_the_start_of_the_text_line_whatever_the_javascript_line_terminators() -> None:
    code = "const t = 'x\u2028y'; try { go(); } catch (e) { console.error(e); }\n"
    (clause,) = analyse_node_code(code).catches
    assert (clause.line, clause.column) == (1, code.index("catch"))


def test_a_syntax_error_gives_its_reason_and_its_place_apart() -> None:
    code = "exports.handler = async () => {\r\n  await go(;\n};\n"
    with pytest.raises(CodeParseError) as excinfo:
        analyse_node_code(code)
    error = excinfo.value
    assert (error.line, error.column, error.reason) == (2, 11, "Unexpected token ;")
    assert str(error) == "cannot parse JavaScript at line 2, column 12: Unexpected token ;"


PLACED_CODE = js(
    """
    exports.handler = async (event) => {
      try { await go(event); } catch (err) { failures.push(err); }
      return { batchItemFailures: [] };
    };
    """
)
CATCH_AT = (2, PLACED_CODE.splitlines()[1].index("catch"))


def _placed(text: str, at: tuple[int, int] = CATCH_AT, code: str = PLACED_CODE, name: str = "t.yaml") -> Mark | None:
    template = load_text(text, name)
    return WrittenCode.of(template, ("Resources", "Fn", "Properties", "Code", "ZipFile"), code).place(*at)


def _yaml_with(zipfile: str) -> str:
    return "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: " + zipfile


def test_a_literal_block_puts_code_line_k_on_the_files_line_after_its_header() -> None:
    block = "|\n" + "".join("          " + line + "\n" for line in PLACED_CODE.splitlines())
    assert _placed(_yaml_with(block)) == Mark(8, 10 + CATCH_AT[1] + 1)
    assert _placed(_yaml_with(block), at=(3, 2)) == Mark(9, 13)  # `return`


def test_a_sub_block_is_placed_through_its_substitutions() -> None:
    code = "const r = '${AWS::Region}';\n" + PLACED_CODE.replace("go(event)", "go(event, '${Table}')")
    block = "!Sub |\n" + "".join("          " + line + "\n" for line in code.splitlines())
    analysed = code.replace("${AWS::Region}", "__AWS_Region__").replace("${Table}", "__Table__")  # as the check analyses it
    line = code.splitlines()[2]
    placed = _placed(_yaml_with(block), at=(3, analysed.splitlines()[2].index("catch")), code=analysed)
    assert placed == Mark(9, 10 + line.index("catch") + 1)


def test_the_list_form_of_sub_is_placed_in_its_template_string() -> None:
    block = "\n          Fn::Sub:\n            - |\n" + "".join(
        "              " + line + "\n" for line in PLACED_CODE.splitlines()
    )
    block += "            - { Unused: x }\n"
    assert _placed(_yaml_with(block)) == Mark(10, 14 + CATCH_AT[1] + 1)


def test_a_json_string_puts_every_code_line_on_its_own_line_at_the_written_column() -> None:
    text = '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function",\n  "Properties": {"Code": {"ZipFile": ' + json.dumps(
        PLACED_CODE
    )
    text += "}}}}}\n"
    written = text.splitlines()[1]
    assert _placed(text, name="t.json") == Mark(2, written.index("catch") + 1)


def test_code_joined_from_json_strings_is_placed_on_the_string_that_holds_it() -> None:
    lines = [json.dumps(line) for line in PLACED_CODE.splitlines()]
    text = '{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"ZipFile":\n'
    text += '  {"Fn::Join": ["\\n", [\n' + ",\n".join("    " + line for line in lines) + "\n  ]]}}}}}}\n"
    written = text.splitlines()[3]
    assert _placed(text, name="t.json") == Mark(4, written.index("catch") + 1)


def test_a_markdown_answers_code_is_placed_on_the_answers_own_lines() -> None:
    block = "|\n" + "".join("          " + line + "\n" for line in PLACED_CODE.splitlines())
    answer = "# Answer\n\nHere it is:\n\n```yaml\n" + _yaml_with(block) + "```\n"
    assert _placed(answer, name="answer.md") == Mark(5 + 8, 10 + CATCH_AT[1] + 1)


def test_a_position_the_written_value_cannot_show_falls_back_to_the_value() -> None:
    """A substitution that adds lines: the code's lines are not the file's, and the token is not written."""
    code = "const a = 1;\nconst b = 2;\n" + PLACED_CODE
    block = "!Sub |\n          ${Preamble}\n" + "".join("          " + line + "\n" for line in PLACED_CODE.splitlines())
    assert _placed(_yaml_with(block), at=(2, 6), code=code) == Mark(6, 18)


BROKEN_YAML = """\
Parameters:
  RoleArn: {Type: String}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: !Ref RoleArn
      Code:
        ZipFile: |
          exports.handler = async (event) => {
            await go(;
          };
"""


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("broken.yaml", BROKEN_YAML, "line 13, column 22"),
        ("broken.json", json.dumps(yaml.safe_load(BROKEN_YAML.replace("!Ref RoleArn", "x")), indent=1), "line 15, column 67"),
    ],
)
def test_a_syntax_error_is_reported_at_the_files_line_and_column(tmp_path: Path, name: str, text: str, where: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    options = CheckOptions(cfn_lint=False, only_rules=frozenset({"ARCH010"}), compare_reference=False)
    (result,) = [result for result in check_file(str(path), options).results if result.rule_id == "ARCH010"]
    assert result.status == "unknown"
    assert result.message == f"the inline code of Fn cannot be parsed: cannot parse JavaScript at {where}: Unexpected token ;"


# -- ARCH012: what stops Lambda from loading the code -----------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("const a = 1;\nexport const handler = async () => a;\n", Spot("export", 2, 0)),
        ("// v3\n  import { S3Client } from '@aws-sdk/client-s3';\nexports.handler = 1;\n", Spot("import", 2, 2)),
        ("const x = await load();\nmodule.exports.handler = async () => x;\n", Spot("top-level await", 1, 10)),
        ("for await (const x of xs) {}\nexports.handler = 1;\n", Spot("top-level await", 1, 0)),
        ("exports.handler = async () => { await go(); const m = await import('./m.mjs'); };\n", None),
    ],
)
def test_module_syntax_that_commonjs_cannot_load_is_found_where_it_is_first_written(code: str, expected: Spot | None) -> None:
    assert analyse_node_code(code).module_syntax == expected


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("exports.handler = async () => {};\nexports['other'] = 1;\n", {"handler": 1, "other": 2}),
        ("module.exports.handler = async () => {};\n", {"handler": 1}),
        ("const main = async () => {};\nmodule.exports = {\n  main,\n  helper: () => 1,\n};\n", {"main": 3, "helper": 4}),
        ("Object.assign(module.exports, { main: async () => {} });\n", {"main": 1}),
        (
            'Object.defineProperty(exports, "__esModule", { value: true });\nexports.handler = h;\n',
            {"__esModule": 1, "handler": 2},
        ),
        (
            "export const handler = 1;\nexport default function () {}\nexport { a as b } from './x.mjs';\n",
            {"handler": 1, "default": 2, "b": 3},
        ),
        ("const handler = async () => {};\n", {}),
    ],
)
def test_exported_names_are_known_with_their_lines(code: str, names: dict[str, int]) -> None:
    exports = analyse_node_code(code).exports
    assert exports is not None
    assert {spot.what: spot.line for spot in exports} == names


@pytest.mark.parametrize(
    "code",
    [
        "module.exports = require('./impl');\n",
        "module.exports = makeHandlers();\n",
        "for (const name of names) exports[name] = make(name);\n",
        "module.exports[name] = 1;\n",
        "module.exports = { ...handlers };\n",
        "__exportStar(require('./impl'), exports);\n",
        "export * from './impl.mjs';\n",
    ],
)
def test_exports_the_code_decides_at_run_time_are_not_known(code: str) -> None:
    assert analyse_node_code(code).exports is None


@pytest.mark.parametrize(
    ("code", "loads"),
    [
        ("const AWS = require('aws-sdk');\n", [Spot("aws-sdk", 1, 12)]),
        ('const ddb = new (require("aws-sdk/clients/dynamodb"))();\n', [Spot("aws-sdk/clients/dynamodb", 1, 17)]),
        ("import AWS from 'aws-sdk';\n", [Spot("aws-sdk", 1, 0)]),
        ("const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');\n", []),
        ("let AWS;\ntry { AWS = require('aws-sdk'); } catch (e) { AWS = null; }\n", []),  # a fallback: loading cannot fail
        ("const name = 'aws-sdk';\nconst AWS = require(name);\n", []),
        ("exports.handler = async () => {\n  const AWS = require('aws-sdk');\n};\n", [Spot("aws-sdk", 2, 14)]),
    ],
)
def test_loads_of_the_v2_sdk_are_found(code: str, loads: list[Spot]) -> None:
    assert list(analyse_node_code(code).sdk_v2_loads) == loads


@pytest.mark.parametrize("call", ["await sql`select ${record.body}`;", "await import('./impl.js');"])
def test_calls_the_flow_cannot_follow_start_unlogged_errors(call: str) -> None:
    code = LOGGING_PROCESSOR + COLLECTOR.replace("await processRecord(record);", f"await processRecord(record); {call}")
    assert _silent(code) == [(18, FORM_TRY, False)]


def test_a_write_command_built_by_a_local_helper_is_a_write() -> None:
    code = """
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
const statusPut = (orderId, status) => new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: orderId } } });
function statusUpdate(orderId) {
  const inner = () => 1;
  return new PutItemCommand({ TableName: 't', Item: { id: { S: orderId } } });
}
exports.handler = async (event) => {
  try {
    await work(event);
  } catch (err) {
    console.error(err);
    await ddb.send(statusPut(event.id, 'FAILED'));
  }
  try {
    await work(event);
  } catch (err) {
    console.error(err);
    await ddb.send(statusUpdate(event.id));
  }
};
"""
    facts = analyse_node_code(code)
    assert [catch.writes_dynamodb for catch in facts.catches] == [True, True]
    assert facts.dynamodb_write_lines == (14, 20)


def test_sdk_calls_are_read_from_the_code_not_its_comments() -> None:
    code = """
// Scan the table? No: new DeleteItemCommand is never sent; sqs.sendMessage neither.
const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocument } = require('@aws-sdk/lib-dynamodb');
const client = new DynamoDBClient({});
const docs = DynamoDBDocument.from(client);
exports.handler = async (event) => {
  await client.send(new GetItemCommand({ TableName: 't', Key: { id: { S: '1' } } }));
  await docs.update({ TableName: 't', Key: { id: '1' } });
  return { batchItemFailures: [] };
};
"""
    assert analyse_node_code(code).sdk_actions == {"dynamodb:GetItem", "dynamodb:UpdateItem"}


def test_document_client_method_names_count_only_with_a_document_client() -> None:
    code = """
const { SQSClient } = require('@aws-sdk/client-sqs');
const crypto = require('crypto');
exports.handler = async (event) => { crypto.createHash('sha256').update('x'); return {}; };
"""
    assert analyse_node_code(code).sdk_actions == frozenset()
