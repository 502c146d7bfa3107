/**
 * Planted bug: a wrong field type in a response (a string field sent as a number)
 * Tool: Prism. The server (test/tools/serve.ts) is started with PLANT_BUG=wrong-field-type, a test-only
 * middleware in test/tools that rewrites responses; the production code is untouched.
 * Passes only if Prism exits non-zero and its output names the bug.
 */
import { test } from 'node:test';
import { assertCaught, run } from './helpers.mjs';

test('Prism catches a wrong field type in a response (a string field sent as a number)', async (t) => {
  const result = await run(['node', 'test/tools/prism.mjs'], { plant: 'wrong-field-type' });
  assertCaught(
    t,
    result,
    [/FAIL .*Prism reports Error at response\.body\.\S+: Response body property \S+ must be string/],
    'Prism with PLANT_BUG=wrong-field-type',
  );
});
