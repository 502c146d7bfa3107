/**
 * The packed SDK in an empty project (stripe-node style test projects): `npm run sdk:build`'s
 * tarball installs with nothing but its openapi-fetch dependency, works from `import` and from
 * `require` against the live server, its .d.ts type-check a consumer (ESM and CJS resolution,
 * strictNullChecks on and off), and the README's ≤ 10-line example runs as written.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { repoRoot } from '../support/contract.ts';
import { consumerEnv, exec, ok } from './commands.ts';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ESM_SMOKE = `import { createMojeebClient, MojeebAuthenticationError, SDK_VERSION } from '@mojeeb/sdk';
const { MOJEEB_API_KEY, MOJEEB_BASE_URL, MOJEEB_AGENT_ID, MOJEEB_FROM, MOJEEB_TO } = process.env;
const mojeeb = createMojeebClient({ apiKey: MOJEEB_API_KEY, baseUrl: MOJEEB_BASE_URL });
const sent = await mojeeb.whatsapp.sendTemplate({
  agent_id: MOJEEB_AGENT_ID, from: MOJEEB_FROM, to: MOJEEB_TO,
  template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/1' } },
});
const read = await mojeeb.whatsapp.getMessage(sent.id);
let errorCode = null;
try {
  await createMojeebClient({ apiKey: 'mk_test_thisIsNotARealKey0000_0000000000', baseUrl: MOJEEB_BASE_URL }).whatsapp.getMessage(sent.id);
} catch (error) {
  errorCode = error instanceof MojeebAuthenticationError ? error.code : 'not a MojeebAuthenticationError: ' + error;
}
console.log(JSON.stringify({ resolved: import.meta.resolve('@mojeeb/sdk'), id: sent.id, status: read.status, attempts: sent.lastResponse.attempts, errorCode, version: SDK_VERSION }));
`;

const CJS_SMOKE = `const { createMojeebClient, MojeebAuthenticationError, SDK_VERSION } = require('@mojeeb/sdk');
const { MOJEEB_API_KEY, MOJEEB_BASE_URL, MOJEEB_AGENT_ID, MOJEEB_FROM, MOJEEB_TO } = process.env;
(async () => {
  const mojeeb = createMojeebClient({ apiKey: MOJEEB_API_KEY, baseUrl: MOJEEB_BASE_URL });
  const sent = await mojeeb.whatsapp.sendTemplate({
    agent_id: MOJEEB_AGENT_ID, from: MOJEEB_FROM, to: MOJEEB_TO,
    template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/2' } },
  });
  const read = await mojeeb.whatsapp.getMessage(sent.id);
  let errorCode = null;
  try {
    await createMojeebClient({ apiKey: 'mk_test_thisIsNotARealKey0000_0000000000', baseUrl: MOJEEB_BASE_URL }).whatsapp.getMessage(sent.id);
  } catch (error) {
    errorCode = error instanceof MojeebAuthenticationError ? error.code : 'not a MojeebAuthenticationError: ' + error;
  }
  console.log(JSON.stringify({ resolved: require.resolve('@mojeeb/sdk'), id: sent.id, status: read.status, attempts: sent.lastResponse.attempts, errorCode, version: SDK_VERSION }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** A CommonJS TypeScript consumer: `import = require` resolves the package's require condition. */
const CJS_TYPES = `import sdk = require('@mojeeb/sdk');
const client: sdk.MojeebClient = sdk.createMojeebClient({ apiKey: 'mk_test_x' });
export async function send(): Promise<sdk.MessageStatus> {
  const message = await client.whatsapp.sendTemplate({ agent_id: 'a', from: '+1', to: '+2', template: { name: 'n', language: 'en' } });
  // @ts-expect-error agentId is not a field
  await client.whatsapp.sendTemplate({ agentId: 'a', from: '+1', to: '+2', template: { name: 'n', language: 'en' } });
  return message.status;
}
export function code(error: unknown): string | null {
  return error instanceof sdk.MojeebApiError ? error.code : null;
}
`;

describe('SDK: the packed package in an empty project', function () {
  this.timeout(240_000);
  let workDir: string;
  let project: string;
  let tarball: string;
  const timings: string[] = [];

  before(async function () {
    this.timeout(240_000);
    workDir = mkdtempSync(path.join(os.tmpdir(), 'mojeeb-sdk-pack-'));
    project = path.join(workDir, 'consumer');
    let started = Date.now();
    const build = await exec(process.execPath, [path.join(repoRoot, 'sdk/scripts/build.mjs'), '--pack', workDir], {
      cwd: repoRoot,
      timeout: 180_000,
    });
    ok(build, 'sdk build and pack');
    tarball = build.stdout.trim().split('\n').at(-1)!;
    timings.push(`build+pack ${Date.now() - started} ms`);

    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
    started = Date.now();
    // Offline first (the npm cache usually has openapi-fetch after `npm ci`); if the cache lacks
    // its metadata, let npm fill the gap from the registry.
    const install = (mode: string) =>
      exec('npm', ['install', mode, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball], {
        cwd: project,
        timeout: 120_000,
      });
    let installed = await install('--offline');
    let mode = 'offline';
    if (installed.code !== 0) {
      installed = await install('--prefer-offline');
      mode = 'prefer-offline';
    }
    ok(installed, 'npm install of the tarball');
    timings.push(`npm install (${mode}) ${Date.now() - started} ms`);

    writeFileSync(path.join(project, 'esm.js'), ESM_SMOKE);
    writeFileSync(path.join(project, 'cjs.cjs'), CJS_SMOKE);
    writeFileSync(path.join(project, 'cjs-types.cts'), CJS_TYPES);
    copyFileSync(path.join(repoRoot, 'examples/quickstart.mjs'), path.join(project, 'quickstart.mjs'));
    copyFileSync(path.join(repoRoot, 'test/sdk/types/client.types.ts'), path.join(project, 'client.types.ts'));
  });

  after(() => {
    if (timings.length) console.log(`      (${timings.join(', ')})`);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('holds the built package only, with openapi-fetch as its one dependency', () => {
    const installed = JSON.parse(readFileSync(path.join(project, 'node_modules/@mojeeb/sdk/package.json'), 'utf8'));
    expect(installed.dependencies).to.deep.equal({ 'openapi-fetch': '0.17.0' });
    expect(installed.exports['.'].import).to.deep.equal({ types: './esm/index.d.ts', default: './esm/index.js' });
    expect(installed.exports['.'].require).to.deep.equal({ types: './cjs/index.d.ts', default: './cjs/index.js' });
    const lock = JSON.parse(readFileSync(path.join(project, 'package-lock.json'), 'utf8'));
    expect(Object.keys(lock.packages).filter(Boolean).sort()).to.deep.equal([
      'node_modules/@mojeeb/sdk',
      'node_modules/openapi-fetch',
      'node_modules/openapi-typescript-helpers',
    ]);
    const version = JSON.parse(readFileSync(path.join(project, 'node_modules/openapi-fetch/package.json'), 'utf8')).version;
    expect(version).to.equal('0.17.0');
  });

  it('names its repository, homepage and issue tracker, and ships source maps with the sources inlined', () => {
    const root = path.join(project, 'node_modules/@mojeeb/sdk');
    const installed = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(installed.repository).to.deep.include({ type: 'git', directory: 'sdk' });
    expect(installed.repository.url).to.match(/^git\+https:\/\/.+\.git$/);
    expect(installed.homepage).to.match(/^https:\/\//);
    expect(installed.bugs.url).to.match(/^https:\/\//);
    for (const flavour of ['esm', 'cjs']) {
      const js = readFileSync(path.join(root, flavour, 'client.js'), 'utf8');
      expect(js.trimEnd().split('\n').at(-1)).to.equal('//# sourceMappingURL=client.js.map');
      const map = JSON.parse(readFileSync(path.join(root, flavour, 'client.js.map'), 'utf8'));
      expect(map).to.include({ version: 3, file: 'client.js' });
      expect(map.sources).to.deep.equal(['../../src/client.ts']);
      expect(map.sourcesContent[0]).to.equal(readFileSync(path.join(repoRoot, 'sdk/src/client.ts'), 'utf8'));
      expect(map.mappings.length).to.be.above(100);
    }
  });

  for (const [file, what, entry] of [
    ['esm.js', 'import', 'esm/index.js'],
    ['cjs.cjs', 'require', 'cjs/index.js'],
  ] as const) {
    it(`works from ${what}: sends a template, reads it, gets a typed error for a bad key`, async () => {
      const result = await exec(process.execPath, [file], { cwd: project, env: consumerEnv(), timeout: 30_000 });
      ok(result, file);
      const output = JSON.parse(result.stdout.trim());
      expect(output.resolved).to.include(`node_modules/@mojeeb/sdk/${entry}`);
      expect(output.id).to.match(UUID);
      expect(output).to.include({ attempts: 1, errorCode: 'invalid_api_key', version: '1.0.0' });
      expect(output.status).to.be.oneOf(['queued', 'sent', 'delivered', 'read', 'failed']); // read back: delivery may have moved it
    });
  }

  it('runs the README example (examples/quickstart.mjs, ≤ 10 lines) as written', async () => {
    const source = readFileSync(path.join(repoRoot, 'examples/quickstart.mjs'), 'utf8');
    expect(source.trimEnd().split('\n').length).to.be.at.most(10);
    const result = await exec(process.execPath, ['quickstart.mjs'], { cwd: project, env: consumerEnv(), timeout: 30_000 });
    ok(result, 'quickstart.mjs');
    expect(result.stdout.trim()).to.match(/^[0-9a-f-]{36} queued$/);
  });

  it('README.md shows that example verbatim', function () {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```(?:js|javascript|ts|typescript)\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const sdkBlock = blocks.find((b) => b.includes("from '@mojeeb/sdk'"));
    if (!sdkBlock) this.skip(); // until the README gets its SDK section
    expect(sdkBlock!.trim()).to.equal(readFileSync(path.join(repoRoot, 'examples/quickstart.mjs'), 'utf8').trim());
  });

  // The second check also type-checks the package's own .d.ts (skipLibCheck off; the standard
  // library's files are skipped to save time), the first skips them (checking @types/node costs
  // more than everything else together).
  const typeChecks = [
    { name: 'strict, Node.js types, no DOM', strictNullChecks: true, lib: ['ES2022'], types: ['node'], skipLibCheck: true },
    {
      name: 'strictNullChecks off, DOM types, no Node.js types, .d.ts checked',
      strictNullChecks: false,
      lib: ['ES2022', 'DOM'],
      types: [],
      skipLibCheck: false,
    },
  ];
  for (const check of typeChecks) {
    it(`its .d.ts type-check consumers through import and require (${check.name})`, async () => {
      const config = {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: check.lib,
          types: check.types,
          typeRoots: [path.join(repoRoot, 'node_modules/@types')],
          strict: true,
          strictNullChecks: check.strictNullChecks,
          noEmit: true,
          skipLibCheck: check.skipLibCheck,
          skipDefaultLibCheck: true,
        },
        files: ['client.types.ts', 'cjs-types.cts'],
      };
      const tsconfig = `tsconfig.${check.strictNullChecks ? 'strict' : 'loose'}.json`;
      writeFileSync(path.join(project, tsconfig), JSON.stringify(config, null, 2));
      const result = await exec(process.execPath, [tsc, '-p', tsconfig, '--listFiles'], { cwd: project, timeout: 120_000 });
      const errors = result.stdout.split('\n').filter((line) => line.includes('error TS'));
      expect(errors, 'tsc errors').to.deep.equal([]);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.include('node_modules/@mojeeb/sdk/esm/index.d.ts');
      expect(result.stdout).to.include('node_modules/@mojeeb/sdk/cjs/index.d.ts');
    });
  }
});
