import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

// The layer rules of biome.json (docs/architecture-rules.md), each proved by a planted file:
// the violating import fails with the rule's name, and the same import from a layer that may
// make it passes, so neither half can pass by accident.

const ROOT = resolve(import.meta.dirname, '../..');
const BIOME = join(ROOT, 'node_modules/.bin/biome');
const run = promisify(execFile);

async function lint(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mojeeb-lint-'));
  try {
    copyFileSync(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    try {
      const { stdout, stderr } = await run(BIOME, ['lint', '--vcs-enabled=false', '--colors=off', ...Object.keys(files)], {
        cwd: dir,
        timeout: 20_000,
      });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CASES: ReadonlyArray<{ rule: string; violating: string; allowed: string; source: string }> = [
  {
    rule: 'sdk-no-server',
    violating: 'sdk/src/planted.ts',
    allowed: 'test/planted.ts',
    source: "import { createApp } from '../../server/src/app.ts';\nexport const x = createApp;\n",
  },
  {
    rule: 'operations-no-db',
    violating: 'server/src/operations/planted.ts',
    allowed: 'server/src/domain/planted.ts',
    source: "import { preparedQuery } from '../db/prepared.ts';\nexport const x = preparedQuery;\n",
  },
  {
    rule: 'operations-no-db',
    violating: 'server/src/operations/planted.ts',
    allowed: 'server/src/domain/planted.ts',
    source: "import type { Knex } from 'knex';\nexport type X = Knex;\n",
  },
  {
    rule: 'operations-no-http',
    violating: 'server/src/operations/planted.ts',
    allowed: 'server/src/app.ts',
    source: "import { routing } from '../http/router.ts';\nexport const x = routing;\n",
  },
  {
    rule: 'domain-no-http',
    violating: 'server/src/domain/api-keys/planted.ts',
    allowed: 'server/src/http/support/planted.ts',
    source: "import { bearerKey } from '../../http/auth.ts';\nexport const x = bearerKey;\n",
  },
  {
    rule: 'core-neutral',
    violating: 'server/src/core/planted.ts',
    allowed: 'server/src/operations/planted.ts',
    source: "import type { Messaging } from '../domain/messages.ts';\nexport type X = Messaging;\n",
  },
];

describe('lint: layer boundaries (biome.json)', function () {
  this.timeout(60_000);

  for (const c of CASES) {
    it(`${c.rule}: fails for ${c.violating}, passes for ${c.allowed}`, async () => {
      const bad = await lint({ [c.violating]: c.source });
      expect(bad.code, bad.output).to.not.equal(0);
      expect(bad.output).to.include('lint/style/noRestrictedImports');
      expect(bad.output).to.include(`(layer rule: ${c.rule})`);

      const good = await lint({ [c.allowed]: c.source });
      expect(good.code, good.output).to.equal(0);
    });
  }

  it('fails for an unused import and an unused variable', async () => {
    const result = await lint({
      'server/src/domain/planted.ts': "import { readFileSync } from 'node:fs';\nconst unused = 1;\nexport const x = 2;\n",
    });
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include('lint/correctness/noUnusedImports');
    expect(result.output).to.include('lint/correctness/noUnusedVariables');
  });
});
