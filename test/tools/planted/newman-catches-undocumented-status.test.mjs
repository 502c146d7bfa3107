/**
 * Planted bug: an undocumented status (418 from every /v1/whatsapp operation)
 * Tool: newman (the generated Postman collection). The server (test/tools/serve.ts) is started with PLANT_BUG=undocumented-status, a test-only
 * middleware in test/tools that rewrites responses; the production code is untouched.
 * Passes only if newman (the generated Postman collection) exits non-zero and its output names the bug.
 */
import { test } from 'node:test';
import { assertCaught, run } from './helpers.mjs';

test('newman (the generated Postman collection) catches an undocumented status (418 from every /v1/whatsapp operation)', async (t) => {
  const result = await run(['node', 'test/tools/newman.mjs'], { plant: 'undocumented-status' });
  assertCaught(
    t,
    result,
    [/AssertionError\s+status 418 is documented for/],
    'newman (the generated Postman collection) with PLANT_BUG=undocumented-status',
  );
});
