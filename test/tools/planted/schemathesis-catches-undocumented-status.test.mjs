/**
 * Planted bug: an undocumented status (418 from every /v1/whatsapp operation)
 * Tool: Schemathesis. The server (test/tools/serve.ts) is started with PLANT_BUG=undocumented-status, a test-only
 * middleware in test/tools that rewrites responses; the production code is untouched.
 * Passes only if Schemathesis exits non-zero and its output names the bug.
 */
import { test } from 'node:test';
import { assertCaught, run } from './helpers.mjs';

test('Schemathesis catches an undocumented status (418 from every /v1/whatsapp operation)', async (t) => {
  const result = await run(['bash', 'test/tools/schemathesis.sh'], {
    plant: 'undocumented-status',
    env: { ST_PHASES: 'examples,fuzzing', ST_MAX_EXAMPLES: '5' },
  });
  assertCaught(t, result, [/ST103 Undocumented status code/, /Received: 418/], 'Schemathesis with PLANT_BUG=undocumented-status');
});
