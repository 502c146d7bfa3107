#!/usr/bin/env node
// Generates every file derived from openapi.yaml:
//
//   server/src/generated/routes.ts         openapi-generator (jar) + generator-config/koa-stubs templates
//   server/src/generated/handlers.ts       openapi-generator (jar) + generator-config/koa-stubs templates
//   server/src/generated/openapi-types.ts  openapi-typescript (same content as the SDK's openapi.ts)
//   server/src/generated/error-catalog.ts  this script, from ErrorCode's x-error-catalog
//   sdk/src/generated/openapi.ts           openapi-typescript
//   sdk/src/generated/error-codes.ts       this script, from the x-extensible-enum lists
//
//   npm run generate          write the files (only those whose content changed)
//   npm run generate:check    generate into a temporary folder and compare byte-for-byte with the
//                             files in the work tree; exit 1 on any difference, missing or extra
//                             file in the generated folders, 2 when the check could not run fully
//                             (java/mvn missing), 0 with a one-line OK otherwise
//
// Output is reproducible: no timestamps; the banner names the spec's sha256 and the generators.
// Before rendering, the spec is checked for what the templates rely on (scripts/generate/spec.mjs);
// that the rendered route table says what the document says (an operation silently losing its
// authentication, say) is checked by test/unit/generated-routes.test.ts.
//
//   scripts/generate/spec.mjs     loading and checking the document
//   scripts/generate/catalog.mjs  the banner, the OpenAPI types, the error catalog and known values
//   scripts/generate/routes.mjs   routes.ts and handlers.ts through openapi-generator (the jar)
//   scripts/generate/diff.mjs     the short diff generate:check prints

import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { MissingToolError, ROOT } from './fetch-generator.mjs';
import { BANNER_FIRST_LINE, banner, renderErrorCatalog, renderErrorCodes, renderOpenApiTypes } from './generate/catalog.mjs';
import { shortDiff } from './generate/diff.mjs';
import { JAR_OUTPUTS, missingToolsMessage, renderWithOpenApiGenerator, verifyJarOutputs } from './generate/routes.mjs';
import { SPEC_FILE, SpecProblems, analyseErrors, checkOperations, loadSpec } from './generate/spec.mjs';

const GENERATED_DIRS = ['server/src/generated', 'sdk/src/generated'];

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function listGeneratedFiles() {
  const found = [];
  const walk = (dir) => {
    if (!existsSync(join(ROOT, dir))) return;
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else found.push(rel);
    }
  };
  GENERATED_DIRS.forEach(walk);
  return found.sort();
}

function readIfExists(rel) {
  const file = join(ROOT, rel);
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`usage: node scripts/generate.mjs [--check]   (unknown argument: ${unknown.join(' ')})`);
    return 64;
  }
  const check = args.includes('--check');

  const spec = loadSpec();
  checkOperations(spec.doc);
  const errors = analyseErrors(spec.doc);

  const workDir = mkdtempSync(join(tmpdir(), 'mojeeb-generate-'));
  // openapi-generator (a JVM, a few seconds) runs while the rest is rendered in-process.
  const jarJob = renderWithOpenApiGenerator(spec, workDir).then(
    (files) => ({ files }),
    (error) => ({ error }),
  );
  try {
    const openapiTypes = await renderOpenApiTypes(spec);
    /** @type {Record<string, string>} */
    const outputs = {
      'server/src/generated/openapi-types.ts': openapiTypes,
      'sdk/src/generated/openapi.ts': openapiTypes,
      'server/src/generated/error-catalog.ts': renderErrorCatalog(spec, errors),
      'sdk/src/generated/error-codes.ts': renderErrorCodes(spec, errors),
    };
    const jar = await jarJob;
    let toolsMissing;
    if (jar.error instanceof MissingToolError) {
      toolsMissing = jar.error;
    } else if (jar.error) {
      throw jar.error;
    } else {
      verifyJarOutputs(jar.files, banner(spec, 'openapi-generator'));
      Object.assign(outputs, jar.files);
    }
    // Without the jar, the committed route table and handler interface are kept as they are.
    const kept = toolsMissing ? Object.values(JAR_OUTPUTS) : [];
    const expectedFiles = new Set([...Object.keys(outputs), ...kept]);

    if (check) {
      // Generate into a temporary folder, then compare byte-for-byte with the work tree.
      const staged = join(workDir, 'generated');
      for (const [rel, content] of Object.entries(outputs)) {
        mkdirSync(dirname(join(staged, rel)), { recursive: true });
        writeFileSync(join(staged, rel), content);
      }
      const differing = [];
      for (const rel of Object.keys(outputs).sort()) {
        const committed = readIfExists(rel);
        const generated = readFileSync(join(staged, rel), 'utf8');
        if (committed === undefined) differing.push({ rel, reason: 'missing' });
        else if (committed !== generated) differing.push({ rel, reason: 'differs', diff: shortDiff(rel, committed, generated) });
      }
      for (const rel of kept)
        if (readIfExists(rel) === undefined) differing.push({ rel, reason: 'missing (and cannot be generated here)' });
      for (const rel of listGeneratedFiles())
        if (!expectedFiles.has(rel)) differing.push({ rel, reason: 'extra file (not generated from the spec)' });

      if (differing.length) {
        console.error(
          `generate:check FAILED: the generated folders do not match ${SPEC_FILE} (sha256 ${spec.sha256.slice(0, 12)}…), ${differing.length} file(s):`,
        );
        for (const { rel, reason, diff } of differing) {
          console.error(`  ${rel}: ${reason}`);
          if (diff) console.error(diff);
        }
        console.error('Run `npm run generate` and commit the result.');
      }
      if (toolsMissing) {
        console.error(`generate:check INCOMPLETE: ${missingToolsMessage(toolsMissing)}`);
        console.error(
          `  (the other ${Object.keys(outputs).length} files were ${differing.length ? 'checked, see above' : 'checked and match'}; a check that could not check everything does not pass)`,
        );
        return 2;
      }
      if (differing.length) return 1;
      console.log(
        `generate:check OK: ${Object.keys(outputs).length} generated files match ${SPEC_FILE} (sha256 ${spec.sha256.slice(0, 12)}…) [${elapsed()}]`,
      );
      return 0;
    }

    const changed = [];
    for (const [rel, content] of Object.entries(outputs)) {
      if (readIfExists(rel) === content) continue;
      mkdirSync(dirname(join(ROOT, rel)), { recursive: true });
      writeFileSync(join(ROOT, rel), content);
      changed.push(rel);
    }
    const removed = [];
    for (const rel of listGeneratedFiles()) {
      if (expectedFiles.has(rel)) continue;
      const content = readIfExists(rel) ?? '';
      if (content.startsWith(BANNER_FIRST_LINE)) {
        rmSync(join(ROOT, rel));
        removed.push(rel);
      } else {
        console.warn(`warning: ${rel} is in a generated folder but was not generated; move it elsewhere (generate:check reports it).`);
      }
    }
    for (const rel of changed) console.log(`  wrote   ${rel}`);
    for (const rel of removed) console.log(`  removed ${rel} (no longer generated)`);
    const total = Object.keys(outputs).length;
    console.log(
      `generate: ${changed.length} of ${total} files changed${removed.length ? `, ${removed.length} removed` : ''} (${SPEC_FILE} sha256 ${spec.sha256.slice(0, 12)}…) [${elapsed()}]`,
    );
    if (toolsMissing) {
      for (const rel of kept)
        if (readIfExists(rel) === undefined)
          console.error(`error: ${rel} does not exist and cannot be generated without openapi-generator.`);
      console.error(`WARNING: ${missingToolsMessage(toolsMissing)}`);
      return kept.every((rel) => readIfExists(rel) !== undefined) ? 0 : 1;
    }
    return 0;
  } finally {
    await jarJob; // never rejects; do not pull the folder from under a running generator
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const label = process.argv.includes('--check') ? 'generate:check' : 'generate';
    console.error(`${label} FAILED: ${error instanceof SpecProblems ? error.message : (error.stack ?? error)}`);
    process.exit(1);
  },
);
