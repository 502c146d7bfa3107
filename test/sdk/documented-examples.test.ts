/**
 * Every documented example AS PASTED against a freshly started server (the real `npm start`
 * entry point, demo data seeded, its printed key and URL substituted and nothing else): the
 * README's SDK example (extracted from README.md, compiled with tsc --strict and run from an ESM
 * and a CommonJS project on the packed SDK), every file in examples/, every curl of openapi.yaml's
 * guides and README.md, every request example of openapi.yaml's operations, and the Postman
 * collection with its local environment; each must succeed (2xx).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../support/contract.ts';
import { harness } from '../support/harness.ts';
import { createFreshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { spawnServerProcess, type ServerProcess } from '../support/processes.ts';
import { exec, ok } from './commands.ts';

const requireFrom = createRequire(import.meta.url);

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
