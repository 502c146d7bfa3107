/**
 * Helpers of the breaking-change gate's planted tests: a patched COPY of today's openapi.yaml
 * in a temporary folder, compared by test/tools/breaking.sh with the released contract. The
 * patches edit the parsed document (not text), and each one checks that what it edits exists,
 * so a later change to openapi.yaml cannot make a planted test pass vacuously.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot, run } from './helpers.mjs';

export const RELEASED = 'test/tools/released/openapi-v1.0.0.yaml';

export function at(document, ...keys) {
  let node = document;
  for (const key of keys) {
    if (node === null || typeof node !== 'object' || !(key in node))
      throw new Error(`the contract has no ${keys.join('.')} (at ${key}); update this planted test`);
    node = node[key];
  }
  return node;
}

/** Runs the gate with a copy of openapi.yaml changed by `patch(document)`. */
export async function gateWith(patch) {
  const document = parse(readFileSync(path.join(repoRoot, 'openapi.yaml'), 'utf8'));
  patch(document);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mojeeb-gate-'));
  try {
    const revision = path.join(dir, 'openapi.yaml');
    writeFileSync(revision, stringify(document, { lineWidth: 0 }));
    return await run(['bash', 'test/tools/breaking.sh', RELEASED, revision], { timeoutSeconds: 60 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
