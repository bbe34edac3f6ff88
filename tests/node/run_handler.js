'use strict';
// Runs an extracted Lambda handler file against an event, offline.
//
//   node run_handler.js HANDLER_FILE [--fail-for ID[,ID...]] [--repeat N] < event.json
//
// NODE_PATH must point at tests/node/fake_modules so the handler's
// require('@aws-sdk/client-dynamodb') gets the in-memory fake. TABLE_NAME
// defaults to "test-order-status". Everything the handler writes to stdout and
// stderr is captured, and a single JSON document is printed to stdout:
//   {result, results, calls, clients, stdout_lines, stderr_lines, error}
// Exit status is 1 when the handler threw (error is then set), else 0.

const fs = require('fs');
const path = require('path');

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
const serialiseError = (err) => ({ name: err && err.name, message: err && err.message, stack: err && err.stack });

(async () => {
  const results = [];
  let error = null;
  capture('stdout');
  capture('stderr');
  try {
    const { handler } = require(path.resolve(handlerFile));
    for (let i = 0; i < repeat; i += 1) results.push(await handler(event));
  } catch (err) {
    error = serialiseError(err);
  } finally {
    restore();
  }
  const report = {
    result: results.length ? results[results.length - 1] ?? null : null,
    results,
    calls: sdk.__calls,
    clients: sdk.__clients.length,
    stdout_lines: lines(captured.stdout),
    stderr_lines: lines(captured.stderr),
    error,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = error ? 1 : 0;
})();
