#!/usr/bin/env node
/**
 * The part of the breaking-change gate oasdiff does not cover: the open-ended lists of our
 * contract. `x-extensible-enum` lists the known values of an open enum (error codes, error
 * types, message error codes) — new values may appear, none may disappear — and
 * `x-error-catalog` gives each error code its status and type, which may not change.
 *
 *   node test/tools/extensible-enums.mjs BASE REVISION
 *
 * Exit 0: nothing removed or changed; 1: removals/changes (listed); 2: usage or read error.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const [basePath, revisionPath] = process.argv.slice(2);
if (!basePath || !revisionPath) {
  console.error('usage: node test/tools/extensible-enums.mjs BASE REVISION');
  process.exit(2);
}
let base;
let revision;
try {
  base = parse(readFileSync(basePath, 'utf8'));
  revision = parse(readFileSync(revisionPath, 'utf8'));
} catch (error) {
  console.error(`extensible-enums.mjs: ${error.message}`);
  process.exit(2);
}

const problems = [];
const baseSchemas = base.components?.schemas ?? {};
const revisionSchemas = revision.components?.schemas ?? {};
for (const [name, schema] of Object.entries(baseSchemas)) {
  const before = schema?.['x-extensible-enum'];
  if (Array.isArray(before)) {
    const after = revisionSchemas[name]?.['x-extensible-enum'];
    if (!Array.isArray(after)) {
      problems.push(`components.schemas.${name}: x-extensible-enum removed (had ${before.length} values)`);
    } else {
      for (const value of before) if (!after.includes(value)) problems.push(`components.schemas.${name}: x-extensible-enum value '${value}' removed`);
    }
  }
  const catalog = schema?.['x-error-catalog'];
  if (catalog && typeof catalog === 'object') {
    const next = revisionSchemas[name]?.['x-error-catalog'] ?? {};
    for (const [code, entry] of Object.entries(catalog)) {
      const now = next[code];
      if (!now) {
        problems.push(`components.schemas.${name}: x-error-catalog entry '${code}' removed`);
        continue;
      }
      for (const field of ['status', 'type']) {
        if (now[field] !== entry[field]) problems.push(`components.schemas.${name}: error code '${code}' changed ${field} from ${entry[field]} to ${now[field]}`);
      }
      for (const extra of entry.extras ?? []) {
        if (!(now.extras ?? []).includes(extra)) problems.push(`components.schemas.${name}: error code '${code}' no longer carries '${extra}'`);
      }
    }
  }
}
if (problems.length > 0) {
  console.log(`x-extensible-enum / x-error-catalog: ${problems.length} breaking change(s)`);
  for (const problem of problems) console.log(`  error: ${problem}`);
  process.exit(1);
}
console.log('x-extensible-enum / x-error-catalog: nothing removed or changed');
