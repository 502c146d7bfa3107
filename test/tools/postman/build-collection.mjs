#!/usr/bin/env node
/**
 * Builds the Postman collection of the Mojeeb Public API from openapi.yaml:
 *
 *   npm run postman        → dist/postman/mojeeb-public-api.postman_collection.json
 *   node test/tools/postman/build-collection.mjs [--spec FILE] [--out FILE]
 *
 * 1. openapi-to-postmanv2 (convertV2) converts the contract, request parameters from the
 *    contract's examples, one folder per tag.
 * 2. This script then
 *    - authenticates every /v1 request with the collection's bearer auth, `{{apiKey}}`
 *      (service endpoints, `security: []`, send no key);
 *    - replaces the examples' agent, numbers and ids by variables — `{{agentId}}`, `{{from}}`,
 *      `{{to}}`, `{{messageId}}`, `{{conversationId}}`, `{{webhookEndpointId}}`, `{{eventId}}`
 *      — and every Idempotency-Key by `{{$guid}}`;
 *    - gives the operations the contract documents no request example for a body that works
 *      (BODIES: an endpoint update, a redelivery to the endpoint the collection created);
 *    - adds one request per further request example of an operation (the converter keeps the
 *      first) and per QUERY_VARIANTS entry (the message list, inbound only and outbound only),
 *      and an "Errors" folder of requests that are wrong on purpose;
 *    - gives EVERY request a test script with `pm.test` assertions generated from the contract
 *      for that operation (test-script.mjs, from contract.mjs): the status is documented, the
 *      Content-Type is a documented one, the required headers are present, and the body matches
 *      the schema documented for that status. Requests that match no operation (unknown path,
 *      wrong method) are checked against `x-unmatched-request-responses`.
 *    - every business request (an operation that needs a key) also asserts that it succeeded
 *      (2xx): documented errors alone do not make a green run;
 *    - the sandbox's inbound message runs first in its folder, so the text send finds its
 *      24-hour window open (and the event log has its `message.received`); creating a webhook
 *      endpoint runs first in its folder, and deleting it runs last, in a "Clean up" folder
 *      after the event log's redelivery to it, so a run leaves no endpoint behind;
 *    - tests store what later requests name (CAPTURES): a send's message `id` and
 *      `conversation_id`, the created endpoint's `id`, the newest event's `id`.
 *
 * Variables (collection defaults; override them in a Postman environment, or with newman's
 * --env-var): baseUrl (the contract's first server), apiKey (empty: paste a key; webhook and
 * event requests need the scope `webhooks:manage`, which npm start's demo key has), agentId, from,
 * to (the contract's examples), messageId, conversationId, webhookEndpointId, eventId.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { HTTP_METHODS, isObject, responseContract } from './contract.mjs';
import { testEvent, testScript } from './test-script.mjs';

const require = createRequire(import.meta.url);
const converter = require('openapi-to-postmanv2');

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

/** Operations whose requests run first in their folder: they prepare the others (the 24-hour window, the endpoint). */
const RUN_FIRST = ['simulateWhatsAppInboundMessage', 'createWebhookEndpoint'];
/** Operations whose requests run after every folder (in "Clean up"): they remove what the others used. */
const RUN_LAST = ['deleteWebhookEndpoint'];

/** The `{id}` of each path, by the path's start. */
const ID_VARIABLES = [
  ['/v1/whatsapp/conversations/', 'conversationId'],
  ['/v1/whatsapp/messages/', 'messageId'],
  ['/v1/webhook_endpoints/', 'webhookEndpointId'],
  ['/v1/events/', 'eventId'],
];

/** Bodies for the operations whose request the contract gives no example of (the converter would fill in schema placeholders). */
const BODIES = {
  updateWebhookEndpoint: {
    enabled_events: ['message.delivered', 'message.failed', 'message.received'],
    description: 'CRM: deliveries, failures and customer messages',
    disabled: false,
  },
  redeliverEvent: { endpoint_id: '{{webhookEndpointId}}' },
};

/** Further requests of an operation with some of its query parameters set: name → parameters. */
const QUERY_VARIANTS = {
  listWhatsAppMessages: { 'inbound only': { direction: 'inbound' }, 'outbound only': { direction: 'outbound' } },
};

/** What a successful answer of an operation gives the requests after it. */
const CAPTURES = {
  sendWhatsAppMessage: [
    { status: 202, variable: 'messageId', value: 'body.id' },
    { status: 202, variable: 'conversationId', value: 'body.conversation_id' },
  ],
  sendWhatsAppTemplate: [
    { status: 202, variable: 'messageId', value: 'body.id' },
    { status: 202, variable: 'conversationId', value: 'body.conversation_id' },
  ],
  createWebhookEndpoint: [{ status: 201, variable: 'webhookEndpointId', value: 'body.id' }],
  listEvents: [{ status: 200, variable: 'eventId', value: 'body.data.length > 0 ? body.data[0].id : undefined' }],
};

/** The local environment shipped next to the collection: `npm start`'s address, the key to paste. */
export const LOCAL_ENVIRONMENT_FILE = 'mojeeb-public-api.local.postman_environment.json';
export function buildLocalEnvironment() {
  return {
    name: 'Mojeeb Public API — local (npm start)',
    values: [
      { key: 'baseUrl', value: 'http://127.0.0.1:3000', type: 'default', enabled: true },
      { key: 'apiKey', value: '', type: 'secret', enabled: true },
    ],
    _postman_variable_scope: 'environment',
  };
}

function convert(specText) {
  return new Promise((resolve, reject) => {
    converter.convertV2(
      { type: 'string', data: specText },
      { parametersResolution: 'Example', folderStrategy: 'Tags', requestNameSource: 'Fallback', includeAuthInfoInExample: false },
      (error, result) => {
        if (error) return reject(error);
        if (!result.result) return reject(new Error(`openapi-to-postmanv2: ${result.reason}`));
        resolve(result.output[0].data);
      },
    );
  });
}

export async function buildCollection(specPath) {
  const specText = readFileSync(specPath, 'utf8');
  const document = parseYaml(specText);
  const collection = await convert(specText);

  // Operations by "METHOD /path/{param}".
  const operations = new Map();
  for (const [apiPath, item] of Object.entries(document.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      if (item[method]) operations.set(`${method.toUpperCase()} ${apiPath}`, { apiPath, method, operation: item[method] });
    }
  }
  const unmatched = responseContract(document, 'a request that matches no operation', document['x-unmatched-request-responses']?.responses);

  const examples = { agentId: undefined, from: undefined, to: undefined, messageId: undefined };
  const firstSendExample = Object.values(
    document.paths['/v1/whatsapp/messages']?.post?.requestBody?.content?.['application/json']?.examples ?? {},
  )[0]?.value;
  if (firstSendExample)
    Object.assign(examples, { agentId: firstSendExample.agent_id, from: firstSendExample.from, to: firstSendExample.to });
  const idParameter = document.paths['/v1/whatsapp/messages/{id}']?.get?.parameters?.find((p) => p.name === 'id');
  examples.messageId = idParameter?.example;

  const withVariables = (body) => {
    const copy = { ...body };
    if ('agent_id' in copy) copy.agent_id = '{{agentId}}';
    if ('from' in copy) copy.from = '{{from}}';
    if ('to' in copy) copy.to = '{{to}}';
    return JSON.stringify(copy, null, 2);
  };

  const seen = new Set();
  const operationOf = new Map();
  const fixRequest = (entry) => {
    const request = entry.request;
    const template = `/${request.url.path.map((segment) => segment.replace(/^:(.+)$/, '{$1}')).join('/')}`;
    const key = `${request.method} ${template}`;
    const found = operations.get(key);
    if (!found) throw new Error(`the converted collection has a request the contract does not: ${key}`);
    seen.add(key);
    const { operation } = found;
    const publicOperation = Array.isArray(operation.security) && operation.security.length === 0;
    if (publicOperation) request.auth = { type: 'noauth' };
    else delete request.auth; // inherit the collection's bearer {{apiKey}}
    for (const header of request.header ?? []) {
      if (header.key.toLowerCase() === 'idempotency-key') {
        header.value = '{{$guid}}';
        header.disabled = false;
      }
      if (header.key.toLowerCase() === 'x-correlation-id') header.disabled = true; // the server makes one
    }
    for (const variable of request.url.variable ?? []) {
      const name = ID_VARIABLES.find(([prefix]) => template.startsWith(prefix))?.[1];
      if (variable.key === 'id' && name) variable.value = `{{${name}}}`;
    }
    // Query parameters: the fixture's numbers for the required ones (the window lookup); the
    // optional filters and the cursor are left unticked, so a list answers its first page.
    const requiredQuery = new Set(
      [...(operation.parameters ?? [])]
        .map((p) => (p.$ref ? document.components.parameters[p.$ref.split('/').pop()] : p))
        .filter((p) => p.in === 'query' && p.required)
        .map((p) => p.name),
    );
    for (const param of request.url.query ?? []) {
      if (requiredQuery.has(param.key)) {
        param.disabled = false;
        if (param.key === 'from' || param.key === 'to') param.value = `{{${param.key}}}`;
      } else {
        param.disabled = true;
      }
    }
    const requestExamples = Object.entries(operation.requestBody?.content?.['application/json']?.examples ?? {});
    if (request.body?.mode === 'raw' && requestExamples.length > 0) request.body.raw = withVariables(requestExamples[0][1].value);
    else if (request.body?.mode === 'raw' && BODIES[operation.operationId])
      request.body.raw = JSON.stringify(BODIES[operation.operationId], null, 2);
    const contract = responseContract(document, operation.operationId, operation.responses);
    const captures = CAPTURES[operation.operationId] ?? [];
    entry.event = [testEvent(testScript(contract, { captures, requireSuccess: !publicOperation }))];
    operationOf.set(entry, operation.operationId);
    const copyOf = (name) => {
      const copy = structuredClone(entry);
      delete copy.id;
      copy.name = name;
      copy.response = [];
      operationOf.set(copy, operation.operationId);
      return copy;
    };
    // One more request per further request example, and per filter worth showing (QUERY_VARIANTS).
    const more = requestExamples.slice(1).map(([name, example]) => {
      const copy = copyOf(`${entry.name} — example '${name}'`);
      copy.request.body.raw = withVariables(example.value);
      return copy;
    });
    for (const [name, query] of Object.entries(QUERY_VARIANTS[operation.operationId] ?? {})) {
      const copy = copyOf(`${entry.name} — ${name}`);
      for (const param of copy.request.url.query ?? []) {
        if (param.key in query) Object.assign(param, { value: query[param.key], disabled: false });
      }
      more.push(copy);
    }
    return more;
  };

  const last = [];
  const walk = (items) => {
    const out = [];
    for (const entry of items) {
      if (Array.isArray(entry.item)) {
        entry.item = walk(entry.item);
        out.push(entry);
      } else {
        out.push(entry, ...fixRequest(entry));
      }
    }
    // The sandbox's customer writes first, so the text send that follows finds its window open.
    const first = out.filter((entry) => RUN_FIRST.includes(operationOf.get(entry)));
    last.push(...out.filter((entry) => RUN_LAST.includes(operationOf.get(entry))));
    return [...first, ...out.filter((entry) => !first.includes(entry) && !last.includes(entry))];
  };
  collection.item = walk(collection.item);
  if (last.length > 0) {
    collection.item.push({
      name: 'Clean up',
      description: 'Deletes the webhook endpoint the Webhooks folder created, once the Events folder has redelivered an event to it.',
      item: last,
    });
  }
  const missing = [...operations.keys()].filter((key) => !seen.has(key));
  if (missing.length > 0) throw new Error(`the converted collection lacks operations: ${missing.join(', ')}`);

  // Requests that are wrong on purpose: the error answers are part of the contract too.
  const sendOperation = operations.get('POST /v1/whatsapp/messages')?.operation;
  const sendContract = responseContract(document, sendOperation.operationId, sendOperation.responses);
  const validBody = withVariables(firstSendExample);
  const errorRequest = (name, { method = 'POST', urlPath, headers = [], body, noauth = false, contract }) => ({
    name,
    request: {
      method,
      header: headers,
      ...(noauth ? { auth: { type: 'noauth' } } : {}),
      ...(body !== undefined ? { body: { mode: 'raw', raw: body, options: { raw: { language: 'json' } } } } : {}),
      url: { raw: `{{baseUrl}}/${urlPath.join('/')}`, host: ['{{baseUrl}}'], path: urlPath },
    },
    event: [testEvent(testScript(contract))],
  });
  const json = [
    { key: 'Content-Type', value: 'application/json' },
    { key: 'Accept', value: 'application/json' },
  ];
  collection.item.push({
    name: 'Errors',
    description: 'Requests that are wrong on purpose, to show (and check) the error answers of the contract.',
    item: [
      errorRequest('No API key → 401 invalid_api_key', {
        urlPath: ['v1', 'whatsapp', 'messages'],
        headers: json,
        body: validBody,
        noauth: true,
        contract: sendContract,
      }),
      errorRequest('Body not JSON → 400 invalid_json', {
        urlPath: ['v1', 'whatsapp', 'messages'],
        headers: json,
        body: '{"agent_id":',
        contract: sendContract,
      }),
      errorRequest('Body sent as text/plain → 415 unsupported_media_type', {
        urlPath: ['v1', 'whatsapp', 'messages'],
        headers: [{ key: 'Content-Type', value: 'text/plain' }],
        body: 'hello',
        contract: sendContract,
      }),
      errorRequest('A field of the wrong type → 422 invalid_field_value', {
        urlPath: ['v1', 'whatsapp', 'messages'],
        headers: json,
        body: JSON.stringify({ ...JSON.parse(validBody), text: 'hello' }, null, 2),
        contract: sendContract,
      }),
      errorRequest('Unknown path → 404 endpoint_not_found', {
        method: 'GET',
        urlPath: ['v1', 'whatsapp', 'nothing-here'],
        headers: json,
        contract: unmatched,
      }),
      errorRequest('Wrong method → 405 method_not_allowed', {
        method: 'DELETE',
        urlPath: ['v1', 'whatsapp', 'messages'],
        headers: json,
        contract: unmatched,
      }),
    ],
  });

  collection.auth = { type: 'bearer', bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }] };
  collection.variable = [
    { key: 'baseUrl', value: document.servers?.[0]?.url ?? 'http://127.0.0.1:3000', type: 'string' },
    { key: 'apiKey', value: '', type: 'string' },
    { key: 'agentId', value: examples.agentId ?? '', type: 'string' },
    { key: 'from', value: examples.from ?? '', type: 'string' },
    { key: 'to', value: examples.to ?? '', type: 'string' },
    { key: 'messageId', value: examples.messageId ?? '', type: 'string' },
    { key: 'conversationId', value: '', type: 'string' },
    { key: 'webhookEndpointId', value: '', type: 'string' },
    { key: 'eventId', value: '', type: 'string' },
  ];
  const note =
    `Generated from openapi.yaml (${document.info?.title} ${document.info?.version}) by test/tools/postman/build-collection.mjs. ` +
    `Set apiKey (and baseUrl) in an environment: ${LOCAL_ENVIRONMENT_FILE}, written next to this file, is the one for npm start. ` +
    'Every request checks its response against the contract in its Tests tab, and every business request that it succeeded (2xx).';
  if (isObject(collection.info.description))
    collection.info.description.content = `${note}\n\n${collection.info.description.content ?? ''}`;
  else collection.info.description = `${note}\n\n${collection.info.description ?? ''}`;
  return collection;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : fallback;
  };
  const specPath = path.resolve(repoRoot, option('--spec', process.env.SPEC ?? 'openapi.yaml'));
  const out = path.resolve(repoRoot, option('--out', 'dist/postman/mojeeb-public-api.postman_collection.json'));
  const collection = await buildCollection(specPath);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(collection, null, 2)}\n`);
  let requests = 0;
  const count = (items) => items.forEach((entry) => (entry.item ? count(entry.item) : requests++));
  count(collection.item);
  console.log(`wrote ${path.relative(repoRoot, out)} (${requests} requests, each with contract assertions)`);
  const environment = path.join(path.dirname(out), LOCAL_ENVIRONMENT_FILE);
  writeFileSync(environment, `${JSON.stringify(buildLocalEnvironment(), null, 2)}\n`);
  console.log(`wrote ${path.relative(repoRoot, environment)} (baseUrl http://127.0.0.1:3000; paste the key npm start printed into apiKey)`);
}
