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
 *   of openapi.yaml, every service endpoint, the message returned by a send, a webhook endpoint
 *   created, read, updated, rotated and deleted, the seeded event listed, read and redelivered,
 *   the message and conversation lists, the seeded conversation, the window, a valid request that
 *   a business rule refuses, an unknown key). Prism validates the request and the response; any
 *   violation fails the case — a request violation means our own example is wrong.
 * - OBSERVING, without `--errors`: requests that are wrong on purpose (no key, wrong scheme,
 *   wrong content type, missing/unknown/mistyped fields, a body over 64 KiB, an over-long id,
 *   endpoint URLs that do not resolve or are private).
 *
 * The cases are in prism/cases.mjs; the ids they need come from the fixture (MOJEEB_EVENT_ID,
 * MOJEEB_CONVERSATION_ID, MOJEEB_WEBHOOK_URL) and from earlier answers.
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
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { buildCases } from './prism/cases.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const specPath = path.resolve(repoRoot, process.env.SPEC ?? 'openapi.yaml');
const prismCli = path.join(repoRoot, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');

const upstream = process.env.MOJEEB_BASE_URL;
const apiKey = process.env.MOJEEB_API_KEY;
const fixture = {
  agentId: process.env.MOJEEB_AGENT_ID,
  from: process.env.MOJEEB_FROM,
  to: process.env.MOJEEB_TO,
  eventId: process.env.MOJEEB_EVENT_ID,
  conversationId: process.env.MOJEEB_CONVERSATION_ID,
  webhookUrl: process.env.MOJEEB_WEBHOOK_URL,
};
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
// Cases (test/tools/prism/cases.mjs)

let counter = 0;
const correlationId = () => `prism-${process.pid}-${++counter}`;
let cases;
try {
  cases = buildCases({ document, apiKey, fixture });
} catch (error) {
  console.error(`prism.mjs: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Running

/** Values earlier answers gave (a case's `capture`), which later cases' paths and bodies use. */
const state = {};

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
  const target = typeof testCase.path === 'function' ? testCase.path(state) : testCase.path;
  if (!target) return { skipped: 'an id it needs is missing (an earlier case failed, or the fixture lacks it)' };
  const response = await fetch(`${base}${target}`, {
    method: testCase.method,
    headers: { ...testCase.headers, 'X-Correlation-ID': id },
    body: typeof testCase.body === 'function' ? testCase.body(state) : testCase.body,
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
  for (const testCase of cases.validCases()) {
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
      for (const [name, pick] of Object.entries(testCase.capture ?? {})) {
        if (state[name] !== undefined || status < 200 || status > 299) continue;
        try {
          state[name] = pick(JSON.parse(text));
        } catch {
          /* the body was validated by Prism; an unreadable one would have been reported */
        }
      }
      record('--errors', testCase, 'pass', `${status}`);
    }
  }
}

async function runObserving(base) {
  for (const testCase of cases.invalidCases()) {
    const outcome = await send(base, testCase);
    if (outcome.skipped) {
      record('observe', testCase, 'info', `not run: ${outcome.skipped}`);
      continue;
    }
    const { response, text, fromServer } = outcome;
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
  for (const testCase of cases.unvalidatableCases()) {
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
