/**
 * Planted bug: an undocumented status (418 from every /v1/whatsapp operation)
 * Tool: Prism. The server (test/tools/serve.ts) is started with PLANT_BUG=undocumented-status, a test-only
 * middleware in test/tools that rewrites responses; the production code is untouched.
 * Passes only if Prism exits non-zero and its output names the bug.
 */
import { test } from 'node:test';
import { assertCaught, run } from './helpers.mjs';

test('Prism catches an undocumented status (418 from every /v1/whatsapp operation)', async (t) => {
  const result = await run(['node', 'test/tools/prism.mjs'], { plant: 'undocumented-status' });
  assertCaught(
    t,
    result,
    [/FAIL .*418; Prism reports Warning at response: Unable to match the returned status code/],
    'Prism with PLANT_BUG=undocumented-status',
  );
});
