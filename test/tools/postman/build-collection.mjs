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
 *    - replaces the examples' agent, numbers and message id by variables — `{{agentId}}`,
 *      `{{from}}`, `{{to}}`, `{{messageId}}` — and every Idempotency-Key by `{{$guid}}`;
 *    - adds one request per further request example of an operation (the converter keeps the
 *      first), and an "Errors" folder of requests that are wrong on purpose;
 *    - gives EVERY request a test script with `pm.test` assertions generated from the contract
 *      for that operation: the status is documented, the Content-Type is a documented one, the
 *      required headers are present, and the body matches the schema documented for that
 *      status. Schemas are translated to JSON Schema draft-07 for the ajv 6 that Postman's
 *      sandbox ships (3.1's `type: [x, 'null']`, `oneOf` with `type: 'null'`, `examples`,
 *      `propertyNames` all mean the same there; `$ref` siblings are kept through `allOf`).
 *      Requests that match no operation (unknown path, wrong method) are checked against
 *      `x-unmatched-request-responses`.
 *    - every business request (an operation that needs a key) also asserts that it succeeded
 *      (2xx): documented errors alone do not make a green run; webhook and event operations
 *      (scope `webhooks:manage`, which the collection's key lacks) only assert the contract;
 *    - the sandbox's inbound message runs first in its folder, so the text send finds its
 *      24-hour window open;
 *    - a send's test stores the returned message `id` in `{{messageId}}`, which the status
 *      request then reads.
 *
 * Variables (collection defaults; override them in a Postman environment, or with newman's
 * --env-var): baseUrl (the contract's first server), apiKey (empty: paste a key), agentId, from,
 * to (the contract's examples), messageId.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const require = createRequire(import.meta.url);
const converter = require('openapi-to-postmanv2');

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

/** Operations whose requests run first in their folder: they prepare the others (the 24-hour window). */
const RUN_FIRST = ['simulateWhatsAppInboundMessage'];

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

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follows a local `#/…` reference. */
function resolvePointer(document, ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node, key) => (node === undefined ? undefined : node[key]), document);
}

function deref(document, value) {
  let current = value;
  const seen = new Set();
  while (isObject(current) && typeof current.$ref === 'string') {
    if (seen.has(current.$ref)) throw new Error(`reference cycle at ${current.$ref}`);
    seen.add(current.$ref);
    current = resolvePointer(document, current.$ref);
  }
  return current;
}

const ANNOTATIONS = new Set(['description', 'examples', 'example', 'title', '$comment', 'deprecated', 'readOnly', 'writeOnly']);

/**
 * An OpenAPI 3.1 schema as a draft-07 schema for ajv 6: component references point into
 * `definitions`, annotations and `x-` extensions are dropped (they do not validate), and a
 * `$ref` with validating siblings keeps them through `allOf` (draft-07 ignores `$ref` siblings).
 */
function toDraft07(schema, used) {
  if (Array.isArray(schema)) return schema.map((item) => toDraft07(item, used));
  if (!isObject(schema)) return schema;
  const out = {};
  let ref;
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref') {
      const match = /^#\/components\/schemas\/([^/]+)$/.exec(value);
      if (!match) throw new Error(`unsupported schema reference ${value}`);
      used.add(match[1]);
      ref = `#/definitions/${match[1]}`;
    } else if (ANNOTATIONS.has(key) || key.startsWith('x-')) {
      continue;
    } else if (['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'].includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toDraft07(sub, used)]));
    } else if (isObject(value) || Array.isArray(value)) {
      out[key] = key === 'enum' || key === 'const' || key === 'required' || key === 'type' ? value : toDraft07(value, used);
    } else {
      out[key] = value;
    }
  }
  if (ref === undefined) return out;
  return Object.keys(out).length === 0 ? { $ref: ref } : { allOf: [{ $ref: ref }], ...out };
}

/** The definitions a set of used component names needs, transitively. */
function definitionsFor(document, used) {
  const definitions = {};
  const pending = [...used];
  while (pending.length > 0) {
    const name = pending.pop();
    if (definitions[name]) continue;
    const more = new Set();
    definitions[name] = toDraft07(document.components.schemas[name], more);
    for (const next of more) if (!definitions[next]) pending.push(next);
  }
  return definitions;
}

/** What the contract says about the responses of one operation (or of unmatched requests). */
function responseContract(document, label, responses) {
  const used = new Set();
  const statuses = {};
  for (const [status, raw] of Object.entries(responses ?? {})) {
    const response = deref(document, raw);
    const requiredHeaders = Object.entries(response.headers ?? {})
      .filter(([, header]) => deref(document, header).required === true)
      .map(([name]) => name.toLowerCase());
    const content = response.content ?? {};
    const mediaTypes = Object.keys(content);
    const first = mediaTypes[0];
    const schema = first && content[first].schema ? toDraft07(content[first].schema, used) : undefined;
    statuses[status] = { mediaTypes, requiredHeaders, ...(schema ? { schema } : {}) };
  }
  return { operation: label, statuses, definitions: definitionsFor(document, used) };
}

/** The pm.test script for one request; `requireSuccess` for business calls, which must answer 2xx. */
function testScript(contract, { captureMessageId = false, requireSuccess = false } = {}) {
  const lines = [
    '// Generated from openapi.yaml by test/tools/postman/build-collection.mjs: checks this response',
    '// against the contract (status documented, Content-Type, required headers, body schema).',
    `const contract = ${JSON.stringify(contract)};`,
    'const status = String(pm.response.code);',
    'const documented = contract.statuses[status];',
    ...(requireSuccess
      ? [
          '// A business call: documented is not enough, it must have succeeded (a wrong key, agent,',
          '// number or template fails the run).',
          'pm.test(`${contract.operation} succeeded (2xx)`, () => {',
          '  pm.expect(pm.response.code, pm.response.text()).to.be.within(200, 299);',
          '});',
        ]
      : []),
    'pm.test(`status ${status} is documented for ${contract.operation}`, () => {',
    '  pm.expect(Object.keys(contract.statuses), `documented: ${Object.keys(contract.statuses).join(", ")}`).to.include(status);',
    '});',
    'if (documented) {',
    "  const contentType = (pm.response.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();",
    '  if (documented.mediaTypes.length > 0) {',
    "    pm.test(`Content-Type ${contentType || '(none)'} is documented for ${status}`, () => {",
    '      pm.expect(documented.mediaTypes).to.include(contentType);',
    '    });',
    '  }',
    '  for (const header of documented.requiredHeaders) {',
    '    pm.test(`required header ${header} is present`, () => {',
    '      pm.expect(pm.response.headers.has(header), header).to.be.true;',
    '    });',
    '  }',
    '  if (documented.schema) {',
    '    pm.test(`body matches the schema documented for ${status}`, () => {',
    "      const Ajv = require('ajv');",
    '      const ajv = new Ajv({ allErrors: true });',
    '      const validate = ajv.compile({ definitions: contract.definitions, allOf: [documented.schema] });',
    "      const isJson = contentType === 'application/json' || contentType.endsWith('+json');",
    '      const body = isJson ? pm.response.json() : pm.response.text();',
    '      const valid = validate(body);',
    "      pm.expect(valid, valid ? '' : ajv.errorsText(validate.errors, { dataVar: 'body' })).to.be.true;",
    '    });',
    '  }',
    '}',
  ];
  if (captureMessageId) {
    lines.push(
      '// Follow the message: the status request reads {{messageId}}.',
      "if (pm.response.code === 202) pm.collectionVariables.set('messageId', pm.response.json().id);",
      "if (pm.response.code === 202) pm.collectionVariables.set('conversationId', pm.response.json().conversation_id);",
    );
  }
  return lines;
}

function testEvent(exec) {
  return { listen: 'test', script: { type: 'text/javascript', exec } };
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
      // A conversation's id is the one of the last message sent (captured with messageId).
      if (variable.key === 'id')
        variable.value = template.startsWith('/v1/whatsapp/conversations/') ? '{{conversationId}}' : '{{messageId}}';
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
    const contract = responseContract(document, operation.operationId, operation.responses);
    // Webhook endpoints and the event log need `webhooks:manage`, which the collection's key (the
    // demo key: whatsapp:send) does not carry: they are checked against the contract (a documented
    // 403 passes) but not required to succeed, and their 202 (a redelivery) is not a send.
    const managesWebhooks = (operation['x-required-scopes'] ?? []).includes('webhooks:manage');
    const isSend = request.method === 'POST' && Object.keys(operation.responses ?? {}).includes('202') && !managesWebhooks;
    entry.event = [testEvent(testScript(contract, { captureMessageId: isSend, requireSuccess: !publicOperation && !managesWebhooks }))];
    operationOf.set(entry, operation.operationId);
    // One more request per further request example.
    return requestExamples.slice(1).map(([name, example]) => {
      const copy = structuredClone(entry);
      delete copy.id;
      copy.name = `${entry.name} — example '${name}'`;
      copy.request.body.raw = withVariables(example.value);
      copy.response = [];
      operationOf.set(copy, operation.operationId);
      return copy;
    });
  };

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
    return [...first, ...out.filter((entry) => !first.includes(entry))];
  };
  collection.item = walk(collection.item);
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
