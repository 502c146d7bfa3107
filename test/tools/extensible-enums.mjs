#!/usr/bin/env node
/**
 * The part of the breaking-change gate oasdiff does not cover: the open-ended lists of our
 * contract. `x-extensible-enum` lists the known values of an open enum (error codes, error
 * types, message error codes, message statuses and types, …) — new values may appear, none may
 * disappear, including the values of a released closed `enum` that became open — and
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

/** The values a schema lists, closed (`enum`) or open (`x-extensible-enum`); null when it lists none. */
const knownValues = (schema) => {
  const lists = [schema?.enum, schema?.['x-extensible-enum']].filter(Array.isArray);
  return lists.length === 0 ? null : lists.flat();
};

/**
 * Every value listed in the base must still be listed in the revision, open or closed. A closed
 * response `enum` of the released contract that became `x-extensible-enum` (so that clients
 * generated from it accept values added later) keeps every value it had: oasdiff only reports
 * "became not enum" there (a reviewed exception, see breaking.sh), so this is what still
 * catches a status removed afterwards. Walks components.schemas and their nested schemas.
 */
const SUBSCHEMAS = ['items', 'additionalProperties', 'not'];
const SCHEMA_LISTS = ['oneOf', 'anyOf', 'allOf'];
function compareValues(where, before, after) {
  if (!before || typeof before !== 'object') return;
  const known = knownValues(before);
  if (known !== null && after && typeof after === 'object') {
    const now = knownValues(after);
    const open = Array.isArray(before['x-extensible-enum']);
    if (now === null) {
      problems.push(`${where}: ${open ? 'x-extensible-enum' : 'enum'} removed (had ${known.length} values)`);
    } else {
      for (const value of known) {
        if (now.includes(value)) continue;
        // oasdiff reports values removed from a closed enum that stayed closed; say it anyway when
        // the list became open, where oasdiff no longer looks.
        if (!open && Array.isArray(after.enum) && !Array.isArray(after['x-extensible-enum'])) continue;
        problems.push(`${where}: ${open ? 'x-extensible-enum' : 'known'} value '${value}' removed`);
      }
    }
  }
  if (!after || typeof after !== 'object') return;
  for (const [name, property] of Object.entries(before.properties ?? {}))
    compareValues(`${where}.properties.${name}`, property, after.properties?.[name]);
  for (const key of SUBSCHEMAS) compareValues(`${where}.${key}`, before[key], after[key]);
  for (const key of SCHEMA_LISTS)
    (before[key] ?? []).forEach((schema, i) => compareValues(`${where}.${key}[${i}]`, schema, after[key]?.[i]));
}

for (const [name, schema] of Object.entries(baseSchemas)) {
  if (revisionSchemas[name] === undefined) continue; // a removed schema: oasdiff's api-schema-removed
  compareValues(`components.schemas.${name}`, schema, revisionSchemas[name]);
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
        if (now[field] !== entry[field])
          problems.push(`components.schemas.${name}: error code '${code}' changed ${field} from ${entry[field]} to ${now[field]}`);
      }
      for (const extra of entry.extras ?? []) {
        if (!(now.extras ?? []).includes(extra))
          problems.push(`components.schemas.${name}: error code '${code}' no longer carries '${extra}'`);
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
