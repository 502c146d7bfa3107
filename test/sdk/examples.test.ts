/**
 * Every example in examples/ runs against the live server, as a developer would run it
 * (`npx tsx examples/<name>.ts` with the MOJEEB_* variables), and says what it should. They are
 * type-checked by the root `tsc --noEmit`; quickstart.mjs (the README's example) runs from the
 * packed package in test/sdk/package.test.ts.
 *
 * The second part runs every documented example AS PASTED against a freshly started server
 * (the real `npm start` entry point, demo data seeded, its printed key and URL substituted and
 * nothing else): the README's SDK example (extracted from README.md, compiled with tsc --strict
 * and run from an ESM and a CommonJS project on the packed SDK), every file in examples/, every
 * curl of openapi.yaml's guides and README.md, every request example of openapi.yaml's
 * operations, and the Postman collection with its local environment; each must succeed (2xx).
 *
 * poll-status: whether statuses move past `queued` in this run depends on delivery (the sandbox
 * simulator and the worker, which arrive separately), so the test accepts every ending that is
 * correct with or without it: a final status (delivered, read, or failed with a code), or giving
 * up at its short timeout while the status is still `queued` (or `sent`). It asserts which one
 * happened, not that delivery works.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { createMojeebClient } from '@mojeeb/sdk';
import { describeError } from '../../examples/describe-error.ts';
import { repoRoot } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { createFreshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { spawnServerProcess, type ServerProcess } from '../support/processes.ts';
import { sdkTenant, templateTo, validatingFetch } from './support.ts';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runExample(file: string, env: Record<string, string> = {}, args: string[] = []): Promise<Run> {
  const f = harness.fixture;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'examples', file), ...args],
      {
        cwd: repoRoot,
        timeout: 30_000,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          MOJEEB_API_KEY: f.apiKey,
          MOJEEB_BASE_URL: harness.server.baseUrl,
          MOJEEB_AGENT_ID: f.agentId,
          MOJEEB_FROM: f.from,
          MOJEEB_TO: f.to,
          ...env,
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

function lines(run: Run): string[] {
  return run.stdout.trim().split('\n');
}

describe('SDK: the examples run against the live server', function () {
  this.timeout(40_000);

  it('send-template.ts: sends, and a second run with the same order is a replay of the first', async () => {
    const order = randomUUID();
    const first = await runExample('send-template.ts', { ORDER_ID: order });
    expect(first.code, first.stderr).to.equal(0);
    const [sent, details] = lines(first);
    expect(sent).to.match(/^template message [0-9a-f-]{36}: queued$/);
    expect(details).to.match(/^correlation id req_\w+, replayed false, attempts 1$/);
    const again = await runExample('send-template.ts', { ORDER_ID: order });
    expect(lines(again)[0]).to.equal(sent);
    expect(lines(again)[1]).to.match(/replayed true/);
  });

  it('send-text.ts: sends inside the window, and says to send a template outside it', async () => {
    const inside = await runExample('send-text.ts', { MOJEEB_TO: '+15550000011' }, ['Your order has shipped.']);
    expect(inside.code, inside.stderr).to.equal(0);
    expect(lines(inside)[0]).to.match(/^sandbox: \+15550000011 wrote to \+\d+; the window is open until \d{4}-\d\d-\d\dT[\d:]{8}Z$/);
    expect(lines(inside)[1]).to.match(/^text message [0-9a-f-]{36}: queued \(idempotency key [0-9a-f-]{36}\)$/);
    const outside = await runExample('send-text.ts', { MOJEEB_TO: '+15550000001', MOJEEB_SIMULATE_INBOUND: 'false' });
    expect(outside.code).to.equal(3);
    expect(lines(outside)[0]).to.equal('window closed (last customer message never): send a template instead');
  });

  it('poll-status.ts: polls until a final status or its timeout, and says which', async () => {
    const result = await runExample('poll-status.ts', { POLL_TIMEOUT_MS: '1500', POLL_INTERVAL_MS: '250' });
    const out = lines(result);
    expect(out[0]).to.match(/^sent [0-9a-f-]{36}: queued$/);
    const last = out.at(-1)!;
    if (result.code === 0) expect(last).to.be.oneOf(['delivered', 'read']);
    else if (result.code === 1) expect(last).to.match(/^failed \w+: /);
    else {
      expect(result.code, result.stderr).to.equal(2);
      expect(last).to.match(/^gave up after \d+ ms, status (queued|sent)$/);
    }
  });

  it('handle-errors.ts: each case lands in its branch', async () => {
    const result = await runExample('handle-errors.ts');
    expect(result.code, result.stderr).to.equal(0);
    const out = lines(result);
    expect(out).to.have.length(5);
    expect(out[0]).to.match(
      /^bad key: fix-the-key MojeebAuthenticationError 401 authentication_error\/invalid_api_key: .* \(correlation id req_\w+\)$/,
    );
    expect(out[1]).to.match(
      /^unknown template: fix-the-request MojeebValidationError 422 validation_error\/template_not_found param=template.name: /,
    );
    expect(out[2]).to.match(/^window closed: send-a-template MojeebValidationError 422 validation_error\/customer_service_window_closed: /);
    expect(out[3]).to.match(/^unknown message: fix-the-request MojeebNotFoundError 404 not_found_error\/message_not_found: /);
    expect(out[4]).to.match(/^nobody listening: retry-later MojeebConnectionError: .*ECONNREFUSED.*; retry later$/);
  });

  it('describe-error.ts: the other error types, produced by the live server, take their branches', async () => {
    const client = (apiKey: string) =>
      createMojeebClient({ apiKey, baseUrl: harness.server.baseUrl, fetch: validatingFetch, maxRetries: 0 });
    const caught = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        return describeError(error);
      }
      throw new Error('expected an error');
    };

    const readOnly = await sdkTenant({ scopes: ['whatsapp:read'] });
    expect(await caught(() => client(readOnly.apiKey).whatsapp.sendTemplate(readOnly.template()))).to.deep.include({
      kind: 'MojeebPermissionError',
      decision: 'fix-the-key',
    });

    const noQuota = await sdkTenant({ environment: 'live', quota: 0 });
    const quota = await caught(() => client(noQuota.apiKey).whatsapp.sendTemplate(noQuota.template()));
    expect(quota).to.deep.include({ kind: 'MojeebQuotaError', decision: 'give-up' });
    expect(quota.line).to.include('monthly quota of 0');

    const limited = await sdkTenant({ rateLimitPerMinute: 1 });
    await client(limited.apiKey)
      .whatsapp.getMessage(randomUUID())
      .catch(() => undefined);
    const limit = await caught(() => client(limited.apiKey).whatsapp.getMessage(randomUUID()));
    // Two requests in one window: the second is refused (unless a new minute began in between).
    if (limit.kind !== 'MojeebNotFoundError') expect(limit).to.deep.include({ kind: 'MojeebRateLimitError', decision: 'retry-later' });

    const key = randomUUID();
    await client(harness.fixture.apiKey).whatsapp.sendTemplate(templateTo(), { idempotencyKey: key });
    expect(await caught(() => client(harness.fixture.apiKey).whatsapp.sendTemplate(templateTo(), { idempotencyKey: key }))).to.deep.include(
      {
        kind: 'MojeebIdempotencyError',
        decision: 'fix-the-request',
      },
    );

    expect(describeError(new Error('boom'))).to.deep.include({ kind: 'unknown', decision: 'report' });
  });
});

const requireFrom = createRequire(import.meta.url);

interface Exec {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function exec(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout: number }): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

function ok(result: Exec, what: string): Exec {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The fenced blocks of a markdown text in the given languages. */
function fenced(markdown: string, languages: readonly string[]): string[] {
  return [...markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```/gm)]
    .filter((m) => languages.includes(m[2]!))
    .map((m) =>
      m[3]!
        .split('\n')
        .map((line) => line.slice(m[1]!.length))
        .join('\n'),
    );
}

/** The curl commands of some shell blocks: each starts at `curl` and runs to its last continuation. */
function curls(blocks: readonly string[]): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    for (const command of block.split(/\n\s*\n/)) if (command.trimStart().startsWith('curl ')) out.push(command.trim());
  }
  return out;
}

/** openapi.yaml's markdown: info.description, then each operation's description, in document order. */
function specMarkdown(document: any): string[] {
  const texts = [String(document.info.description)];
  for (const item of Object.values<any>(document.paths))
    for (const op of Object.values<any>(item)) if (op?.description) texts.push(String(op.description));
  return texts;
}

const PUBLIC_BASES = ['https://api.mojeeb.app', 'http://localhost:3000', 'http://127.0.0.1:3000'];

describe('SDK: every documented example, as pasted, against a fresh npm start', function () {
  this.timeout(300_000);
  let database: FreshDatabase;
  let server: ServerProcess;
  let baseUrl: string;
  let apiKey: string;
  const document = parseYaml(readFileSync(path.join(repoRoot, 'openapi.yaml'), 'utf8'));
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const local = (text: string) => PUBLIC_BASES.reduce((t, base) => t.split(base).join(baseUrl), text);
  /** Only what a user substitutes: the printed key and URL. */
  const userEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MOJEEB_API_KEY: apiKey,
    MOJEEB_BASE_URL: baseUrl,
  });

  before(async function () {
    this.timeout(120_000);
    database = await createFreshDatabase(harness.postgres.adminUrl, 'examples');
    server = spawnServerProcess({
      DATABASE_URL: database.connectionString,
      SEED_DEMO: 'true',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      WORKER: 'true',
      SANDBOX_STEP_MS: '200',
    });
    const [, key] = await server.waitFor(/test API key\s+(mk_test_[0-9A-Za-z]{22}_[0-9a-f]{10})/, 90_000, 'stderr');
    apiKey = key!;
    baseUrl = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.stderr())![1]!;
  });

  after(async () => {
    if (server) expect(await server.stop()).to.equal(0);
    await database?.drop();
  });

  async function runCurl(command: string): Promise<{ status: number; body: string }> {
    const result = await exec('bash', ['-c', `${local(command)} -sS -w '\\n%{http_code}'`], {
      cwd: repoRoot,
      env: userEnv(),
      timeout: 20_000,
    });
    const lines = result.stdout.trimEnd().split('\n');
    return { status: Number(lines.at(-1)), body: lines.slice(0, -1).join('\n') };
  }

  it('every curl of openapi.yaml (the rendered docs) and of README.md answers 2xx, in document order', async () => {
    const commands = [
      ...curls(specMarkdown(document).flatMap((text) => fenced(text, ['bash', 'sh', 'shell']))),
      ...curls(fenced(readme, ['bash', 'sh', 'shell'])),
    ];
    expect(commands.length, 'curls found').to.be.at.least(5);
    for (const command of commands) {
      const { status, body } = await runCurl(command);
      expect(status, `${command}\n→ ${body}`).to.be.within(200, 299);
    }
  });

  it("every request example of openapi.yaml's operations answers 2xx (the sandbox's first)", async () => {
    const requests: Array<{ method: string; path: string; name: string; value: unknown; first: boolean }> = [];
    for (const [apiPath, item] of Object.entries<any>(document.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        for (const [name, example] of Object.entries<any>(op?.requestBody?.content?.['application/json']?.examples ?? {})) {
          requests.push({ method: method.toUpperCase(), path: apiPath, name, value: example.value, first: apiPath.includes('/sandbox/') });
        }
      }
    }
    expect(requests.length).to.be.at.least(4);
    requests.sort((a, b) => Number(b.first) - Number(a.first));
    for (const request of requests) {
      const res = await fetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
        body: JSON.stringify(request.value),
      });
      expect(res.status, `${request.method} ${request.path} example '${request.name}': ${await res.clone().text()}`).to.be.within(200, 299);
    }
  });

  it('every file in examples/ runs with nothing but the printed key and URL, and succeeds', async () => {
    const files = readdirSync(path.join(repoRoot, 'examples'))
      .filter((f) => /\.(ts|mjs|js)$/.test(f))
      .sort();
    expect(files).to.include.members(['quickstart.mjs', 'send-template.ts', 'send-text.ts', 'poll-status.ts', 'handle-errors.ts']);
    for (const file of files) {
      const result = await exec(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'examples', file)], {
        cwd: repoRoot,
        env: userEnv(),
        timeout: 60_000,
      });
      ok(result, `examples/${file}`);
      if (file === 'send-text.ts') expect(result.stdout).to.match(/\ntext message [0-9a-f-]{36}: queued/);
      if (file === 'poll-status.ts') expect(result.stdout.trim().split('\n').at(-1)).to.be.oneOf(['delivered', 'read']);
      if (file === 'send-template.ts') expect(result.stdout).to.match(/^template message [0-9a-f-]{36}: queued\n/);
      if (file === 'quickstart.mjs') expect(result.stdout.trim()).to.match(/^[0-9a-f-]{36} queued$/);
    }
  });

  describe("the README's SDK example, compiled with tsc --strict, from ESM and from CommonJS on the packed SDK", () => {
    let workDir: string;
    let tarball: string;
    const tsc = requireFrom.resolve('typescript/bin/tsc');
    const example = () => {
      const blocks = fenced(readme, ['ts', 'typescript', 'js', 'javascript']).filter((b) => b.includes("from '@mojeeb/sdk'"));
      expect(blocks, "README.md's SDK example").to.have.length(1);
      return blocks[0]!;
    };

    before(async function () {
      this.timeout(240_000);
      workDir = mkdtempSync(path.join(os.tmpdir(), 'mojeeb-readme-'));
      const build = ok(
        await exec(process.execPath, [path.join(repoRoot, 'sdk/scripts/build.mjs'), '--pack', workDir], {
          cwd: repoRoot,
          timeout: 180_000,
        }),
        'sdk build and pack',
      );
      tarball = build.stdout.trim().split('\n').at(-1)!;
    });
    after(() => {
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('examples/quickstart.mjs is that example verbatim', () => {
      expect(readFileSync(path.join(repoRoot, 'examples/quickstart.mjs'), 'utf8').trim()).to.equal(example().trim());
    });

    for (const kind of ['module', 'commonjs'] as const) {
      it(`a "type": "${kind}" project: compiles under --strict as written and sends (2xx)`, async () => {
        const project = path.join(workDir, kind);
        mkdirSync(project);
        writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: `readme-${kind}`, private: true, type: kind }));
        const install = async (mode: string) =>
          exec('npm', ['install', mode, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball], {
            cwd: project,
            timeout: 120_000,
          });
        let installed = await install('--offline');
        if (installed.code !== 0) installed = await install('--prefer-offline');
        ok(installed, 'npm install of the tarball');
        writeFileSync(path.join(project, 'index.ts'), example());
        const tsconfig = {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            types: ['node'],
            typeRoots: [path.join(repoRoot, 'node_modules/@types')],
            skipLibCheck: true,
            outDir: 'out',
          },
          files: ['index.ts'],
        };
        writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
        ok(await exec(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, timeout: 120_000 }), `tsc --strict (${kind})`);
        const emitted = readFileSync(path.join(project, 'out/index.js'), 'utf8');
        expect(emitted).to.include(kind === 'commonjs' ? 'require("@mojeeb/sdk")' : "from '@mojeeb/sdk'");
        const result = ok(
          await exec(process.execPath, ['out/index.js'], { cwd: project, env: userEnv(), timeout: 30_000 }),
          `the README example (${kind})`,
        );
        expect(result.stdout.trim()).to.match(/^[0-9a-f-]{36} queued$/);
      });
    }
  });

  it('the Postman collection with its local environment: every business call succeeds', async () => {
    const { buildCollection, buildLocalEnvironment } = await import('../tools/postman/build-collection.mjs' as string);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mojeeb-postman-'));
    try {
      const collection = await buildCollection(path.join(repoRoot, 'openapi.yaml'));
      writeFileSync(path.join(dir, 'collection.json'), JSON.stringify(collection));
      const environment = buildLocalEnvironment();
      expect(environment.values.find((v: { key: string }) => v.key === 'baseUrl').value).to.equal('http://127.0.0.1:3000');
      writeFileSync(path.join(dir, 'environment.json'), JSON.stringify(environment));
      const newman = path.join(repoRoot, 'node_modules/newman/bin/newman.js');
      const args = [
        newman,
        'run',
        'collection.json',
        '-e',
        'environment.json',
        '--env-var',
        `apiKey=${apiKey}`,
        '--env-var',
        `baseUrl=${baseUrl}`,
      ];
      const result = await exec(
        process.execPath,
        [...args, '--reporters', 'cli,json', '--reporter-json-export', 'report.json', '--color', 'off', '--timeout-request', '15000'],
        { cwd: dir, timeout: 120_000 },
      );
      ok(result, 'newman');
      const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'));
      const business = report.run.executions.filter((e: any) =>
        (e.assertions ?? []).some((a: any) => / succeeded \(2xx\)$/.test(a.assertion)),
      );
      expect(business.map((e: any) => e.item.name)).to.have.length.of.at.least(5);
      for (const execution of business) expect(execution.response.code, execution.item.name).to.be.within(200, 299);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
