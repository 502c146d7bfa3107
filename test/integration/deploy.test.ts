/**
 * Deploying: the container's health-check script against live servers (ready, not ready,
 * absent, hanging), and the Dockerfile and compose.yaml read as text — images cannot be pulled
 * or built where the tests run, so what can be checked is checked on the files: exec-form node
 * as the entry point, a non-root user, the health check running the script, multi-stage with
 * npm ci, and compose's services with their environment. The image's CMD and HEALTHCHECK
 * command, taken from the Dockerfile, are also run as they are against a real database.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { repoRoot } from '../support/contract.ts';
import { harness, startServer, unreachableDatabase } from '../support/harness.ts';
import { createFreshDatabase, freePort } from '../support/postgres.ts';

const SCRIPT = path.join(repoRoot, 'scripts/healthcheck.mjs');

function healthcheck(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, _stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 99) : 0;
        resolve({ code, stderr: String(stderr), ms: Date.now() - started });
      },
    );
  });
}

describe('deploying: the health-check script', function () {
  this.timeout(30_000);

  it('exits 0 when /readyz answers 200 (URL argument, or PORT and HOST as the container sets them)', async () => {
    expect((await healthcheck([`${harness.server.baseUrl}/readyz`])).code).to.equal(0);
    const port = new URL(harness.server.baseUrl).port;
    expect((await healthcheck([], { PORT: port, HOST: '0.0.0.0' })).code).to.equal(0);
    expect((await healthcheck([], { PORT: port, HOST: '127.0.0.1' })).code).to.equal(0);
    expect((await healthcheck([], { HEALTHCHECK_URL: `${harness.server.baseUrl}/healthz` })).code).to.equal(0);
  });

  it('exits 1 when the server is up but not ready (database unreachable: /readyz 503)', async () => {
    const server = await startServer({ db: unreachableDatabase(await freePort()), readinessTimeoutMs: 500 });
    try {
      const result = await healthcheck([`${server.baseUrl}/readyz`]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include('answered 503');
      // Liveness still holds: only readiness fails.
      expect((await healthcheck([`${server.baseUrl}/healthz`])).code).to.equal(0);
    } finally {
      await server.close();
    }
  });

  it('exits 1 when nothing listens, and when the server does not answer in time', async () => {
    const refused = await healthcheck([], { PORT: String(await freePort()) });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(/healthcheck: http:\/\/127\.0\.0\.1:\d+\/readyz: /);

    const hanging: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const port = (hanging.address() as AddressInfo).port;
      const result = await healthcheck([`http://127.0.0.1:${port}/readyz`], { HEALTHCHECK_TIMEOUT_MS: '500' });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include('no answer within 500 ms');
      expect(result.ms).to.be.below(5_000);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly stage: number;
}

/** The Dockerfile's instructions (comments dropped, continuation lines joined), with their stage. */
function dockerfile(): Instruction[] {
  const text = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const instructions: Instruction[] = [];
  let stage = -1;
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    if (keyword === 'FROM') stage++;
    instructions.push({ keyword, args: match[2]!.trim(), stage });
  }
  return instructions;
}

function execForm(args: string): string[] {
  expect(args.startsWith('['), `exec form (a JSON array), got: ${args}`).to.equal(true);
  return JSON.parse(args) as string[];
}

describe('deploying: the Dockerfile', () => {
  const instructions = dockerfile();
  const last = Math.max(...instructions.map((i) => i.stage));
  const final = instructions.filter((i) => i.stage === last);

  it('is multi-stage: dependencies with npm ci, then a slim runtime', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM');
    expect(froms.length).to.be.at.least(2);
    const deps = instructions.filter((i) => i.stage < last && i.keyword === 'RUN').map((i) => i.args);
    expect(
      deps.some((run) => /\bnpm ci\b/.test(run) && /--omit=dev/.test(run)),
      deps.join('\n'),
    ).to.equal(true);
    expect(
      final
        .filter((i) => i.keyword === 'RUN')
        .map((i) => i.args)
        .join('\n'),
    ).not.to.match(/\bnpm (ci|install)\b/);
    const args = Object.fromEntries(instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=')));
    const base = froms
      .at(-1)!
      .args.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? '')
      .split(/\s+/)[0]!;
    expect(base).to.match(/^node:20[.\d]*-.*slim$/);
    expect(final.some((i) => i.keyword === 'COPY' && i.args.startsWith('--from=') && i.args.includes('node_modules'))).to.equal(true);
  });

  it('runs node itself as PID 1, exec form: no npm, no shell', () => {
    const cmds = final.filter((i) => i.keyword === 'CMD');
    expect(cmds).to.have.length(1);
    expect(execForm(cmds[0]!.args)).to.deep.equal(['node', '--import', 'tsx', 'server/src/main.ts']);
    expect(final.filter((i) => i.keyword === 'ENTRYPOINT')).to.deep.equal([]);
    // The entry point is what `npm start` runs (exec node), and exists.
    const start = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts.start as string;
    expect(start).to.equal('exec node --import tsx server/src/main.ts');
    expect(existsSync(path.join(repoRoot, 'server/src/main.ts'))).to.equal(true);
  });

  it('runs as a non-root user', () => {
    const users = final.filter((i) => i.keyword === 'USER');
    expect(users.length).to.be.at.least(1);
    const user = users.at(-1)!.args.split(':')[0]!;
    expect(user).not.to.be.oneOf(['root', '0', '']);
    const cmdIndex = final.findIndex((i) => i.keyword === 'CMD');
    expect(final.indexOf(users.at(-1)!)).to.be.below(cmdIndex);
  });

  it('has a HEALTHCHECK that runs scripts/healthcheck.mjs with node (no curl), and copies that script', () => {
    const checks = final.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(checks).to.have.length(1);
    const [, command] = /\bCMD\s+(\[.*\])$/.exec(checks[0]!.args) ?? [];
    expect(execForm(command!)).to.deep.equal(['node', 'scripts/healthcheck.mjs']);
    expect(final.some((i) => i.keyword === 'COPY' && i.args.includes('scripts/healthcheck.mjs'))).to.equal(true);
  });

  it('copies only files that exist and are not excluded by .dockerignore, and tsx is a production dependency', () => {
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const copy of instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))) {
      const sources = copy.args
        .split(/\s+/)
        .filter((a) => !a.startsWith('--'))
        .slice(0, -1);
      for (const source of sources) {
        expect(existsSync(path.join(repoRoot, source)), source).to.equal(true);
        expect(
          ignored.some((pattern) => pattern.replace(/^\*\*\//, '') === source || source.startsWith(`${pattern}/`)),
          `${source} is in .dockerignore`,
        ).to.equal(false);
      }
    }
    for (const pattern of ['.git', '**/node_modules', '.data', 'test']) expect(ignored).to.include(pattern);
    // `npm ci --omit=dev` must still install what the entry point needs.
    const server = JSON.parse(readFileSync(path.join(repoRoot, 'server/package.json'), 'utf8'));
    expect(server.dependencies).to.have.property('tsx');
    expect(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).devDependencies).not.to.have.property('tsx');
  });
});

describe('deploying: the image’s entry point and health check, run as the Dockerfile says', function () {
  this.timeout(90_000);

  it('CMD starts the API (HOST=0.0.0.0 as in the image), the HEALTHCHECK command passes, SIGTERM stops it with 0', async () => {
    const final = dockerfile().filter((i, _, all) => i.stage === Math.max(...all.map((x) => x.stage)));
    const cmd = execForm(final.find((i) => i.keyword === 'CMD')!.args);
    const health = execForm(final.find((i) => i.keyword === 'HEALTHCHECK')!.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
    const database = await createFreshDatabase(harness.postgres.adminUrl, 'entrypoint');
    const port = String(await freePort());
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: database.connectionString,
      HOST: '0.0.0.0',
      PORT: port,
      WORKER: 'false',
    };
    const child = spawn(cmd[0] === 'node' ? process.execPath : cmd[0]!, cmd.slice(1), {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const until = Date.now() + 60_000;
      while (!out.includes('"msg":"listening"') && Date.now() < until && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      expect(out, 'the entry point listens').to.include('"msg":"listening"');
      const probe = await new Promise<number>((resolve) =>
        execFile(
          health[0] === 'node' ? process.execPath : health[0]!,
          health.slice(1),
          { cwd: repoRoot, env: { PATH: env.PATH, HOST: env.HOST, PORT: port }, timeout: 20_000 },
          (error) => resolve(error ? (typeof error.code === 'number' ? error.code : 99) : 0),
        ),
      );
      expect(probe, 'the HEALTHCHECK command').to.equal(0);
      child.kill('SIGTERM');
      expect(await exited, 'exit code after SIGTERM').to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await database.drop();
    }
  });
});

describe('deploying: compose.yaml', () => {
  const compose = parse(readFileSync(path.join(repoRoot, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<
      string,
      {
        image?: string;
        build?: unknown;
        command?: string[];
        environment?: Record<string, string>;
        depends_on?: Record<string, unknown>;
        healthcheck?: { disable?: boolean };
      }
    >;
  };

  it('has PostgreSQL 15, the API and a separate worker', () => {
    expect(Object.keys(compose.services).sort()).to.deep.equal(['api', 'postgres', 'worker']);
    expect(compose.services.postgres!.image).to.match(/^postgres:15(\b|$)/);
  });

  it('runs the API without the in-process worker, on every interface, with the database and the encryption key', () => {
    const api = compose.services.api!;
    expect(api.build).to.not.equal(undefined);
    expect(api.command).to.equal(undefined); // the image's CMD: node --import tsx server/src/main.ts
    expect(api.environment).to.include({ WORKER: 'false', HOST: '0.0.0.0' });
    expect(api.environment!.DATABASE_URL).to.match(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(api.environment!.ENCRYPTION_KEY).to.match(/^\$\{ENCRYPTION_KEY:\?/); // required: compose refuses to start without it
    expect(api.depends_on).to.have.property('postgres');
  });

  it('runs the worker with node directly (worker-main.ts), the same database and key, no HTTP health check', () => {
    const worker = compose.services.worker!;
    expect(worker.image).to.equal(compose.services.api!.image);
    expect(worker.command).to.deep.equal(['node', '--import', 'tsx', 'server/src/worker-main.ts']);
    expect(existsSync(path.join(repoRoot, 'server/src/worker-main.ts'))).to.equal(true);
    expect(worker.environment!.DATABASE_URL).to.equal(compose.services.api!.environment!.DATABASE_URL);
    expect(worker.environment!.ENCRYPTION_KEY).to.equal(compose.services.api!.environment!.ENCRYPTION_KEY);
    expect(worker.healthcheck).to.deep.equal({ disable: true });
  });
});
