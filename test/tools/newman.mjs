#!/usr/bin/env node
/**
 * newman runs the Postman collection generated from openapi.yaml (test/tools/postman/
 * build-collection.mjs, the same one `npm run postman` writes for users) against the live
 * server that test/tools/run-tool.mjs started (MOJEEB_* variables):
 *
 *   node test/tools/run-tool.mjs -- node test/tools/newman.mjs      (npm run contract:newman)
 *
 * Every request carries pm.test assertions generated from the contract (status documented,
 * Content-Type, required headers, body schema), and every business request (an operation with
 * a key: the sends, the status lookup, the sandbox's inbound message, the lists and the window,
 * a webhook endpoint created, read, updated, rotated and deleted, an event listed, read and
 * redelivered) one that it succeeded (2xx), so a run where the calls are refused fails; newman
 * exits non-zero on any failed one. The key is the fixture's, with `webhooks:manage`.
 * The collection is built fresh from SPEC (default openapi.yaml) into .tmp/tools/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCollection } from './postman/build-collection.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const { MOJEEB_BASE_URL, MOJEEB_API_KEY, MOJEEB_AGENT_ID, MOJEEB_FROM, MOJEEB_TO } = process.env;
if (!MOJEEB_BASE_URL || !MOJEEB_API_KEY) {
  console.error('newman.mjs: run me through test/tools/run-tool.mjs (MOJEEB_BASE_URL, MOJEEB_API_KEY)');
  process.exit(2);
}

const specPath = path.resolve(repoRoot, process.env.SPEC ?? 'openapi.yaml');
const collection = await buildCollection(specPath);
const dir = path.join(repoRoot, '.tmp', 'tools');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `postman-collection-${process.pid}.json`);
writeFileSync(file, JSON.stringify(collection));

const vars = { baseUrl: MOJEEB_BASE_URL, apiKey: MOJEEB_API_KEY, agentId: MOJEEB_AGENT_ID, from: MOJEEB_FROM, to: MOJEEB_TO };
const args = [
  path.join(repoRoot, 'node_modules', 'newman', 'bin', 'newman.js'),
  'run',
  file,
  ...Object.entries(vars)
    .filter(([, value]) => value)
    .flatMap(([key, value]) => ['--env-var', `${key}=${value}`]),
  '--timeout-request',
  '15000',
  '--timeout',
  '300000',
  '--color',
  'off',
  '--reporters',
  'cli',
  '--reporter-cli-no-banner',
];
const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
