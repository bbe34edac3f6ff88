'use strict';
// Runs an extracted Lambda handler file against an event, offline.
//
//   node run_handler.js HANDLER_FILE [--fail-for ID[,ID...]] [--repeat N] < event.json
//
// NODE_PATH must point at tests/node/fake_modules so the handler's
// require('@aws-sdk/client-dynamodb') gets the in-memory fake. TABLE_NAME
// defaults to "test-order-status".
//
// The console is replaced the way the Lambda Node.js runtime does it when the
// function's LoggingConfig.LogFormat is JSON: each console call becomes one
// line {timestamp, level, requestId, message}, where message is the single
// argument itself (an object stays an object) or, for several arguments, their
// util.format() text. ERROR and FATAL lines go to stderr, the rest to stdout,
// so the two streams can be told apart. Each invocation gets its own request
// id (passed as context.awsRequestId too).
//
// Everything written to stdout and stderr is captured, and a single JSON
// document is printed to stdout:
//   {result, results, request_ids, calls, clients, stdout_lines, stderr_lines, error}
// Exit status is 1 when the handler threw (error is then set), else 0.

const fs = require('fs');
const path = require('path');
const util = require('util');

const usage = () => {
  process.stderr.write('usage: node run_handler.js HANDLER_FILE [--fail-for ID[,ID...]] [--repeat N] < event.json\n');
  process.exit(2);
};

const args = process.argv.slice(2);
let handlerFile;
let failFor = [];
let repeat = 1;
for (let i = 0; i < args.length; i += 1) {
  if (args[i] === '--fail-for') failFor = (args[++i] || '').split(',').filter(Boolean);
  else if (args[i] === '--repeat') repeat = Number(args[++i]);
  else if (!handlerFile) handlerFile = args[i];
  else usage();
}
if (!handlerFile || !Number.isInteger(repeat) || repeat < 1) usage();

const event = JSON.parse(fs.readFileSync(0, 'utf8'));
process.env.TABLE_NAME = process.env.TABLE_NAME || 'test-order-status';

// Same resolution as the handler's require, hence the same module instance.
const sdk = require('@aws-sdk/client-dynamodb');
if (!sdk.__calls) {
  process.stderr.write('run_handler.js: @aws-sdk/client-dynamodb is not the fake; set NODE_PATH\n');
  process.exit(2);
}
failFor.forEach((id) => sdk.__failFor.add(id));

const captured = { stdout: '', stderr: '' };
const realWrite = { stdout: process.stdout.write, stderr: process.stderr.write };
const capture = (name) => {
  process[name].write = (chunk, encoding, callback) => {
    captured[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') cb();
    return true;
  };
};
const restore = () => {
  process.stdout.write = realWrite.stdout;
  process.stderr.write = realWrite.stderr;
};
const lines = (text) => text.split('\n').filter((line) => line !== '');

// --- Lambda's JSON log format ---------------------------------------------------

let currentRequestId;

// An Error logged on its own is written as {errorType, errorMessage, stackTrace, ...}.
const errorAsJson = (_key, value) => {
  if (!(value instanceof Error)) return value;
  return {
    errorType: (value.constructor && value.constructor.name) || 'UnknownError',
    errorMessage: value.message,
    stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    ...value,
  };
};

const jsonLogLine = (level, args) => {
  const entry = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length === 1) {
    entry.message = args[0];
    try {
      return JSON.stringify(entry, errorAsJson);
    } catch (_) {
      entry.message = util.format(args[0]); // e.g. a circular object
      return JSON.stringify(entry);
    }
  }
  entry.message = util.format(...args);
  const err = args.find((arg) => arg instanceof Error);
  if (err) {
    entry.errorType = (err.constructor && err.constructor.name) || 'UnknownError';
    entry.errorMessage = err.message;
    entry.stackTrace = typeof err.stack === 'string' ? err.stack.split('\n') : [];
  }
  return JSON.stringify(entry);
};

// The runtime also adds console.fatal.
const consoleLevels = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', log: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL' };
const realConsole = {};
const patchConsole = () => {
  for (const [method, level] of Object.entries(consoleLevels)) {
    realConsole[method] = console[method];
    const stream = level === 'ERROR' || level === 'FATAL' ? 'stderr' : 'stdout';
    // Like the runtime, a multi-line record stays on one line (\n becomes \r).
    console[method] = (...args) => process[stream].write(`${jsonLogLine(level, args).replace(/\n/g, '\r')}\n`);
  }
};
const restoreConsole = () => {
  for (const [method, original] of Object.entries(realConsole)) {
    if (original === undefined) delete console[method];
    else console[method] = original;
  }
};
const serialiseError = (err) => ({ name: err && err.name, message: err && err.message, stack: err && err.stack });

(async () => {
  const results = [];
  const requestIds = [];
  let error = null;
  capture('stdout');
  capture('stderr');
  patchConsole();
  try {
    const { handler } = require(path.resolve(handlerFile));
    for (let i = 0; i < repeat; i += 1) {
      currentRequestId = `test-request-${i + 1}`;
      requestIds.push(currentRequestId);
      results.push(await handler(event, { awsRequestId: currentRequestId }));
    }
  } catch (err) {
    error = serialiseError(err);
  } finally {
    restoreConsole();
    restore();
  }
  const report = {
    result: results.length ? results[results.length - 1] ?? null : null,
    results,
    request_ids: requestIds,
    calls: sdk.__calls,
    clients: sdk.__clients.length,
    stdout_lines: lines(captured.stdout),
    stderr_lines: lines(captured.stderr),
    error,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = error ? 1 : 0;
})();
