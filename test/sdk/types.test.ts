/**
 * The SDK's type tests (test/sdk/types/client.types.ts) with strictNullChecks OFF: wrong field
 * names, wrong types and missing required fields must still fail to compile (each
 * `@ts-expect-error` must be used) and correct calls must compile. The root `tsc --noEmit` covers
 * strict mode; test/sdk/package.test.ts covers the packed .d.ts.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { repoRoot } from '../support/contract.ts';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('SDK: type tests', function () {
  this.timeout(120_000);

  it('fail where they should and compile elsewhere, with strictNullChecks off', async () => {
    const config = path.join(repoRoot, 'test/sdk/types/tsconfig.no-strict-null-checks.json');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', config], { cwd: repoRoot, timeout: 110_000 }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: error.code ?? 1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      }),
    );
    expect(result.output, 'tsc output').to.equal('');
    expect(result.code).to.equal(0);
  });
});
