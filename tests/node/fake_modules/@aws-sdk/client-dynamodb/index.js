'use strict';
// Test stand-in for @aws-sdk/client-dynamodb (AWS SDK v3). Nothing leaves the
// process: every client.send(command) is recorded in the shared __calls list.
// Put an orderId in __failFor to make any command that targets it reject.

const __calls = [];
const __clients = [];
const __failFor = new Set();

const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

// The orderId a command is about: Item.orderId (Put) or Key.orderId (Get, Update, Delete).
const targetOrderId = (input) => {
  const attrs = (input && (input.Item || input.Key)) || {};
  return attrs.orderId && attrs.orderId.S;
};

class DynamoDBClient {
  constructor(config = {}) {
    this.config = config;
    __clients.push(this);
  }

  async send(command) {
    const call = { command: command.constructor.name, input: clone(command.input) };
    __calls.push(call);
    const orderId = targetOrderId(command.input);
    if (orderId !== undefined && __failFor.has(orderId)) {
      call.failed = true;
      const err = new Error(`simulated DynamoDB failure for orderId ${orderId}`);
      err.name = 'InternalServerError';
      throw err;
    }
    return { $metadata: { httpStatusCode: 200 } };
  }

  destroy() {}
}

class Command {
  constructor(input) {
    this.input = input;
  }
}

const commandNames = [
  'PutItemCommand',
  'UpdateItemCommand',
  'GetItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
  'DescribeTableCommand',
];

const commands = {};
for (const name of commandNames) {
  // A named subclass per command, so constructor.name identifies it.
  commands[name] = { [name]: class extends Command {} }[name];
}

module.exports = { DynamoDBClient, ...commands, __calls, __clients, __failFor };
