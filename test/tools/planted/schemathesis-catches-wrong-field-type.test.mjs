/**
 * Planted bug: a wrong field type in a response (a string field sent as a number)
 * Tool: Schemathesis. The server (test/tools/serve.ts) is started with PLANT_BUG=wrong-field-type, a test-only
 * middleware in test/tools that rewrites responses; the production code is untouched.
 * Passes only if Schemathesis exits non-zero and its output names the bug.
 */
import { test } from 'node:test';
import { assertCaught, run } from './helpers.mjs';

test('Schemathesis catches a wrong field type in a response (a string field sent as a number)', async (t) => {
  const result = await run(['bash', 'test/tools/schemathesis.sh'], {
    plant: 'wrong-field-type',
    env: { ST_PHASES: 'examples,fuzzing', ST_MAX_EXAMPLES: '5' },
  });
  assertCaught(
    t,
    result,
    [/ST108 Response violates schema/, /12345 is not of type "string"/],
    'Schemathesis with PLANT_BUG=wrong-field-type',
  );
});
