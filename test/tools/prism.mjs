#!/usr/bin/env node
/**
 * Prism (Stoplight) as a second, independent validator in front of the live server that
 * test/tools/run-tool.mjs started (MOJEEB_* variables):
 *
 *   node test/tools/run-tool.mjs -- node test/tools/prism.mjs      (npm run contract:prism)
 *
 * Two proxies, both `prism proxy SPEC <server>` on 127.0.0.1:
 *
 * - VALIDATING, with `--errors`: the requests a client is meant to send (every request example
 *   of openapi.yaml, every service endpoint, the message returned by a send, a valid request that
 *   a business rule refuses, an unknown key). Prism validates the request and the response; any
 *   violation fails the case — a request violation means our own example is wrong.
 * - OBSERVING, without `--errors`: requests that are wrong on purpose (no key, wrong scheme,
 *   wrong content type, missing/unknown/mistyped fields, a body over 64 KiB, an over-long id).
 *   With `--errors` Prism would answer them itself; without it, it forwards them and reports
 *   violations in the `sl-violations` header. Request violations are expected there; any
 *   RESPONSE violation fails the case.
 *
 * Every case also checks that the answer came from our server (it echoes the X-Correlation-ID
 * sent) and that the status is one the case means to exercise (so a broken key or fixture does
 * not pass silently). A response violation of ANY severity fails: Prism reports an undocumented
 * status only as a warning.
 *
 * What Prism cannot validate is listed (NOTE lines), not hidden: invalid JSON (Prism parses the
 * body itself and answers 400 without forwarding), and unknown paths and methods (forwarded, but
 * the contract describes those answers in our own `x-unmatched-request-responses`, which Prism
 * does not read). Prism's proxy also replaces an upstream 501 with a mocked response, by design:
 * a case that may meet an unimplemented operation lists 501 among its expected statuses and is
 * then reported as a NOTE; no case does today (all operations are implemented), so a 501 fails.
 *
 * SPEC (default openapi.yaml) is the contract Prism validates against. Prism's logs go to
 * .tmp/tools/prism-*.log. Exit 0 when every case passed, 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const specPath = path.resolve(repoRoot, process.env.SPEC ?? 'openapi.yaml');
const prismCli = path.join(repoRoot, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

const upstream = process.env.MOJEEB_BASE_URL;
const apiKey = process.env.MOJEEB_API_KEY;
const fixture = { agentId: process.env.MOJEEB_AGENT_ID, from: process.env.MOJEEB_FROM, to: process.env.MOJEEB_TO };
if (!upstream || !apiKey) {
  console.error('prism.mjs: run me through test/tools/run-tool.mjs (MOJEEB_BASE_URL, MOJEEB_API_KEY)');
  process.exit(2);
}

const document = parseYaml(readFileSync(specPath, 'utf8'));

// ---------------------------------------------------------------------------------------------
// Prism processes

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const logDir = path.join(repoRoot, '.tmp', 'tools');
mkdirSync(logDir, { recursive: true });
const children = [];

async function startPrism(name, extraArgs) {
  const port = await freePort();
  const logFile = path.join(logDir, `prism-${name}-${process.pid}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [prismCli, 'proxy', ...extraArgs, specPath, upstream, '--host', '127.0.0.1', '--port', String(port)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Prism (${name}) did not start within 90 s; see ${logFile}`)), 90_000);
    const onData = (chunk) => {
      seen += chunk.toString().replace(/\x1b\[[0-9;]*m/g, '');
      if (seen.includes('Prism is listening on')) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve();
      }
      if (seen.length > 100_000) seen = seen.slice(-1000);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism (${name}) exited with ${code} before listening; see ${logFile}`));
    });
  });
  return { base: `http://127.0.0.1:${port}`, logFile };
}

function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// ---------------------------------------------------------------------------------------------
// Cases

function requestExamples(operationId) {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item)) {
      if (operation?.operationId !== operationId) continue;
      const examples = operation.requestBody?.content?.['application/json']?.examples ?? {};
      return Object.entries(examples).map(([name, example]) => [name, example.value]);
    }
  }
  return [];
}

let counter = 0;
const correlationId = () => `prism-${process.pid}-${++counter}`;
const idempotencyKey = () => `prism-${randomUUID()}`;
const auth = { Authorization: `Bearer ${apiKey}` };
const json = { 'Content-Type': 'application/json', Accept: 'application/json' };

const messageExample = requestExamples('sendWhatsAppMessage')[0]?.[1];
const templateExample = requestExamples('sendWhatsAppTemplate')[0]?.[1];
if (!messageExample || !templateExample) {
  console.error('prism.mjs: openapi.yaml has no request example for sendWhatsAppMessage or sendWhatsAppTemplate');
  process.exit(2);
}
/** The example, sent from the seeded agent and number to the recipient with an open window. */
const withFixture = (body) => ({
  ...body,
  agent_id: fixture.agentId ?? body.agent_id,
  from: fixture.from ?? body.from,
  to: fixture.to ?? body.to,
});

/** Cases for the validating proxy: requests a client is meant to send. */
function validCases() {
  const cases = [];
  for (const [operationId, path] of [
    ['sendWhatsAppMessage', '/v1/whatsapp/messages'],
    ['sendWhatsAppTemplate', '/v1/whatsapp/templates'],
  ]) {
    for (const [name, body] of requestExamples(operationId)) {
      cases.push({
        name: `${operationId}: request example '${name}'`,
        method: 'POST',
        path,
        headers: { ...auth, ...json, 'Idempotency-Key': idempotencyKey() },
        body: JSON.stringify(body),
        expect: [202],
        keepMessageId: true,
      });
    }
  }
  for (const path of ['/healthz', '/readyz', '/openapi.yaml', '/openapi.json', '/docs']) {
    cases.push({ name: `GET ${path}`, method: 'GET', path, headers: {}, expect: [200] });
  }
  cases.push({
    name: 'getWhatsAppMessageStatus: the message a send returned',
    method: 'GET',
    path: () => (sentMessageId ? `/v1/whatsapp/messages/${sentMessageId}` : undefined),
    headers: { ...auth, Accept: 'application/json' },
    expect: [200],
  });
  cases.push({
    name: 'getWhatsAppMessageStatus: an id nobody sent',
    method: 'GET',
    path: '/v1/whatsapp/messages/00000000-0000-4000-8000-000000000000',
    headers: { ...auth, Accept: 'application/json' },
    expect: [404],
  });
  // Lists, conversations and the window (after the sends above, so the lists are not empty).
  const read = (name, path, expect = [200]) =>
    cases.push({ name, method: 'GET', path, headers: { ...auth, Accept: 'application/json' }, expect });
  read('listWhatsAppMessages: the first page', '/v1/whatsapp/messages?limit=2');
  read(
    'listWhatsAppMessages: with every filter',
    `/v1/whatsapp/messages?limit=5&direction=outbound&status=queued&agent_id=${fixture.agentId}&from=${encodeURIComponent(fixture.from ?? '')}&created%5Bgte%5D=2000-01-01T00:00:00Z`,
  );
  read('listWhatsAppConversations: the first page', '/v1/whatsapp/conversations?limit=2');
  read('getWhatsAppConversation: an id nobody has', '/v1/whatsapp/conversations/00000000-0000-4000-8000-000000000000', [404]);
  read(
    'getWhatsAppWindow: the fixture pair',
    `/v1/whatsapp/window?from=${encodeURIComponent(fixture.from ?? '')}&to=${encodeURIComponent(fixture.to ?? '')}`,
  );
  cases.push({
    name: 'sendWhatsAppMessage: valid request, agent unknown to the key (business rule)',
    method: 'POST',
    path: '/v1/whatsapp/messages',
    headers: { ...auth, ...json },
    body: JSON.stringify({ ...withFixture(messageExample), agent_id: '00000000-0000-4000-8000-000000000000' }),
    expect: [422, 403],
  });
  cases.push({
    name: 'sendWhatsAppTemplate: valid request, template never approved (business rule)',
    method: 'POST',
    path: '/v1/whatsapp/templates',
    headers: { ...auth, ...json },
    body: JSON.stringify({ ...withFixture(templateExample), template: { name: 'no_such_template', language: 'en' } }),
    expect: [422],
  });
  cases.push({
    name: 'sendWhatsAppMessage: a well-formed key the server does not know',
    method: 'POST',
    path: '/v1/whatsapp/messages',
    headers: { Authorization: 'Bearer mk_test_AAAAAAAAAAAAAAAAAAAAAA_0000000000', ...json },
    body: JSON.stringify(withFixture(messageExample)),
    expect: [401],
  });
  return cases;
}

/** Cases for the observing proxy: requests that are wrong on purpose. */
function invalidCases() {
  const valid = withFixture(messageExample);
  const post = (name, body, headers, expect) => ({
    name: `sendWhatsAppMessage: ${name}`,
    method: 'POST',
    path: '/v1/whatsapp/messages',
    headers,
    body,
    expect,
  });
  return [
    post('no Authorization header', JSON.stringify(valid), { ...json }, [401]),
    post('Authorization with another scheme', JSON.stringify(valid), { Authorization: 'Basic Zm9vOmJhcg==', ...json }, [401]),
    post('Content-Type text/plain', 'hello', { ...auth, 'Content-Type': 'text/plain', Accept: 'application/json' }, [415]),
    post('missing field text', JSON.stringify({ ...valid, text: undefined }), { ...auth, ...json }, [422]),
    post('unknown field priority', JSON.stringify({ ...valid, priority: 'high' }), { ...auth, ...json }, [422]),
    post('text of the wrong type', JSON.stringify({ ...valid, text: 'hello' }), { ...auth, ...json }, [422]),
    post('agent_id not a UUID', JSON.stringify({ ...valid, agent_id: 'agent-7' }), { ...auth, ...json }, [422]),
    post('to not E.164', JSON.stringify({ ...valid, to: '0015551234567' }), { ...auth, ...json }, [422]),
    post('Idempotency-Key over 255 characters', JSON.stringify(valid), { ...auth, ...json, 'Idempotency-Key': 'k'.repeat(256) }, [422]),
    post('a body over 64 KiB', JSON.stringify({ ...valid, text: { body: 'x'.repeat(70_000) } }), { ...auth, ...json }, [413]),
    {
      name: 'sendWhatsAppTemplate: buttons[0].type outside the enum',
      method: 'POST',
      path: '/v1/whatsapp/templates',
      headers: { ...auth, ...json },
      body: JSON.stringify({
        ...withFixture(templateExample),
        template: { name: 'order_shipped', language: 'en', buttons: [{ type: 'call', index: 0, value: 'x' }] },
      }),
      expect: [422],
    },
    {
      name: 'getWhatsAppMessageStatus: an id over 64 characters',
      method: 'GET',
      path: `/v1/whatsapp/messages/${'a'.repeat(65)}`,
      headers: { ...auth, Accept: 'application/json' },
      expect: [404],
    },
    {
      name: 'listWhatsAppMessages: limit over 100',
      method: 'GET',
      path: '/v1/whatsapp/messages?limit=101',
      headers: { ...auth, Accept: 'application/json' },
      expect: [422],
    },
    {
      name: 'listWhatsAppMessages: a cursor the list never gave',
      method: 'GET',
      path: '/v1/whatsapp/messages?cursor=bm90LWEtY3Vyc29y',
      headers: { ...auth, Accept: 'application/json' },
      expect: [400],
    },
    {
      name: 'getWhatsAppWindow: from missing',
      method: 'GET',
      path: '/v1/whatsapp/window?to=%2B15551234567',
      headers: { ...auth, Accept: 'application/json' },
      expect: [422],
    },
    {
      name: 'getWhatsAppMessageStatus: no key',
      method: 'GET',
      path: '/v1/whatsapp/messages/00000000-0000-4000-8000-000000000000',
      headers: { Accept: 'application/json' },
      expect: [401],
    },
  ];
}

/** Requests whose answers Prism cannot validate (see the header comment); run for the record. */
function unvalidatableCases() {
  return [
    {
      name: 'invalid JSON body',
      reason: 'Prism parses JSON bodies itself and answers 400 without forwarding',
      method: 'POST',
      path: '/v1/whatsapp/messages',
      headers: { ...auth, ...json },
      body: '{"agent_id":',
    },
    {
      name: 'unknown path under /v1',
      reason: 'no operation in the contract (the answer is in x-unmatched-request-responses, which Prism does not read)',
      method: 'GET',
      path: '/v1/whatsapp/nothing-here',
      headers: { ...auth, Accept: 'application/json' },
    },
    {
      name: 'known path, method not allowed (405)',
      reason: 'no operation in the contract (the answer is in x-unmatched-request-responses, which Prism does not read)',
      method: 'DELETE',
      path: '/v1/whatsapp/messages',
      headers: { ...auth, Accept: 'application/json' },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Running

let sentMessageId;

function violationsOf(response) {
  const header = response.headers.get('sl-violations');
  if (!header) return [];
  try {
    const parsed = JSON.parse(header);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [{ location: ['response'], severity: 'Error', message: `unreadable sl-violations header: ${header}` }];
  }
}

const describe = (v) => `${v.severity ?? '?'} at ${(v.location ?? []).join('.') || '?'}: ${v.message}`;

async function send(base, testCase) {
  const id = correlationId();
  const target = typeof testCase.path === 'function' ? testCase.path() : testCase.path;
  if (target === undefined) return { skipped: 'no message id (no send was accepted)' };
  const response = await fetch(`${base}${target}`, {
    method: testCase.method,
    headers: { ...testCase.headers, 'X-Correlation-ID': id },
    body: testCase.body,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { response, text, fromServer: response.headers.get('x-correlation-id') === id };
}

const results = [];
function record(mode, testCase, verdict, detail) {
  results.push({ mode, name: testCase.name, verdict, detail });
  const mark = { pass: 'PASS', fail: 'FAIL', info: 'NOTE' }[verdict];
  console.log(`  ${mark}  [${mode}] ${testCase.name}${detail ? ` — ${detail}` : ''}`);
}

async function runValidating(base) {
  for (const testCase of validCases()) {
    const outcome = await send(base, testCase);
    if (outcome.skipped) {
      record('--errors', testCase, 'info', `not run: ${outcome.skipped}`);
      continue;
    }
    const { response, text, fromServer } = outcome;
    const violations = violationsOf(response);
    const status = response.status;
    if (violations.length > 0) {
      record('--errors', testCase, 'fail', `${status}; Prism reports ${violations.map(describe).join('; ')}`);
    } else if (!fromServer && testCase.expect.includes(501)) {
      // Prism's proxy answers an upstream 501 with a mock: nothing of ours to validate.
      record(
        '--errors',
        testCase,
        'info',
        `${status} from Prism's mock: upstream answered 501 (not implemented), which Prism re-mocks; not validated`,
      );
    } else if (!fromServer) {
      record('--errors', testCase, 'fail', `${status} answered by Prism, not by the server: ${text.slice(0, 300)}`);
    } else if (!testCase.expect.includes(status)) {
      record('--errors', testCase, 'fail', `status ${status}, expected one of ${testCase.expect.join(', ')}: ${text.slice(0, 300)}`);
    } else {
      if (testCase.keepMessageId && status === 202 && !sentMessageId) {
        try {
          sentMessageId = JSON.parse(text).id;
        } catch {
          /* the body was validated by Prism; an unreadable one would have been reported */
        }
      }
      record('--errors', testCase, 'pass', `${status}`);
    }
  }
}

async function runObserving(base) {
  for (const testCase of invalidCases()) {
    const { response, text, fromServer } = await send(base, testCase);
    const status = response.status;
    const onResponse = violationsOf(response).filter((v) => v.location?.[0] === 'response');
    if (onResponse.length > 0) {
      record('observe', testCase, 'fail', `${status}; Prism reports ${onResponse.map(describe).join('; ')}`);
    } else if (!fromServer && testCase.expect.includes(501)) {
      record(
        'observe',
        testCase,
        'info',
        `${status} from Prism's mock: upstream answered 501 (not implemented), which Prism re-mocks; not validated`,
      );
    } else if (!fromServer) {
      record('observe', testCase, 'fail', `${status} answered by Prism, not forwarded: ${text.slice(0, 300)}`);
    } else if (!testCase.expect.includes(status)) {
      record('observe', testCase, 'fail', `status ${status}, expected one of ${testCase.expect.join(', ')}: ${text.slice(0, 300)}`);
    } else {
      record('observe', testCase, 'pass', `${status}`);
    }
  }
  for (const testCase of unvalidatableCases()) {
    const { response, fromServer } = await send(base, testCase);
    record(
      'observe',
      testCase,
      'info',
      `${response.status} ${fromServer ? 'from the server' : 'from Prism'}; not validated by Prism: ${testCase.reason}`,
    );
  }
}

try {
  const [validating, observing] = await Promise.all([startPrism('validating', ['--errors']), startPrism('observing', [])]);
  console.log(
    `Prism ${JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/@stoplight/prism-cli/package.json'), 'utf8')).version} proxies for ${upstream} against ${path.relative(repoRoot, specPath)}`,
  );
  console.log(`  validating (--errors): ${validating.base}    observing: ${observing.base}`);
  console.log(`  logs: ${path.relative(repoRoot, validating.logFile)}, ${path.relative(repoRoot, observing.logFile)}`);
  await runValidating(validating.base);
  await runObserving(observing.base);
} catch (error) {
  console.error(`prism.mjs: ${error instanceof Error ? error.message : String(error)}`);
  stopAll();
  process.exit(1);
}

const passed = results.filter((r) => r.verdict === 'pass').length;
const failed = results.filter((r) => r.verdict === 'fail').length;
const notes = results.filter((r) => r.verdict === 'info').length;
console.log(`\nPrism: ${passed} passed, ${failed} failed, ${notes} not validated (see NOTE lines)`);
stopAll();
process.exit(failed > 0 ? 1 : 0);
