/**
 * Planted bug: a wrong field type in a response (a string field sent as a number)
 * Tool: newman (the generated Postman collection). The server (test/tools/serve.ts) is started with PLANT_BUG=wrong-field-type, a test-only
 * middleware in test/tools that rewrites responses; the production code is untouched.
 * Passes only if newman (the generated Postman collection) exits non-zero and its output names the bug.
 */
import { test } from 'node:test';
import { assertCaught, run } from './helpers.mjs';

test('newman (the generated Postman collection) catches a wrong field type in a response (a string field sent as a number)', async (t) => {
  const result = await run(['node', 'test/tools/newman.mjs'], { plant: 'wrong-field-type' });
  assertCaught(
    t,
    result,
    [/AssertionError\s+body matches the schema documented for \d{3}/, /should be string/],
    'newman (the generated Postman collection) with PLANT_BUG=wrong-field-type',
  );
});
