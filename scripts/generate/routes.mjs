// routes.ts and handlers.ts, rendered by openapi-generator (a JVM) with the koa-stubs templates.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';

import { ROOT, ensureGeneratorJar, generatorSettings } from '../fetch-generator.mjs';
import { SPEC_FILE, SpecProblems } from './spec.mjs';

const require = createRequire(import.meta.url);

const GENERATOR_CONFIG = 'generator-config/koa-stubs.yaml';
const TEMPLATE_FOLDER = 'generator-config/koa-stubs';
/** Files rendered by openapi-generator: output name in its folder → destination in the repo. */
export const JAR_OUTPUTS = {
  'routes.ts': 'server/src/generated/routes.ts',
  'handlers.ts': 'server/src/generated/handlers.ts',
};

const shellSafe = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

/**
 * Renders routes.ts and handlers.ts with openapi-generator through the pinned npm wrapper
 * (@openapitools/openapi-generator-cli), which runs offline because ensureGeneratorJar() put the
 * jar where openapitools.json's storageDir says. Throws MissingToolError without java/mvn.
 */
export async function renderWithOpenApiGenerator(spec, workDir) {
  ensureGeneratorJar({ log: (line) => console.log(line) });
  const outDir = join(workDir, 'openapi-generator');
  const wrapper = require.resolve('@openapitools/openapi-generator-cli/main.js');
  const baseGenerator = parseYaml(readFileSync(join(ROOT, GENERATOR_CONFIG), 'utf8'))?.generatorName;
  const args = [
    '--openapitools',
    relative(ROOT, generatorSettings().configFile),
    'generate',
    '--config',
    GENERATOR_CONFIG,
    '--input-spec',
    SPEC_FILE,
    '--output',
    outDir,
    `--additional-properties=specSha256=${spec.sha256},templateFolder=${TEMPLATE_FOLDER},baseGenerator=${baseGenerator}`,
  ].map(shellSafe); // the wrapper joins its arguments into one shell command line
  const { code, output } = await new Promise((resolve, reject) => {
    // The wrapper resolves openapitools.json and storageDir against $PWD, not process.cwd().
    const child = spawn(process.execPath, [wrapper, ...args], {
      cwd: ROOT,
      env: { ...process.env, PWD: ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `signal ${signal}` : status, output: text });
    });
  });
  if (code !== 0) {
    throw new Error(`openapi-generator failed (${code}):\n${output.trim().split('\n').slice(-40).join('\n')}`);
  }
  const files = {};
  for (const [name, destination] of Object.entries(JAR_OUTPUTS)) {
    const file = join(outDir, name);
    if (!existsSync(file))
      throw new Error(`openapi-generator did not write ${name}; its output:\n${output.trim().split('\n').slice(-20).join('\n')}`);
    files[destination] = readFileSync(file, 'utf8');
  }
  return files;
}

/**
 * Checks the files rendered by openapi-generator: their banners, and the route table, which is
 * loaded and compared with the facts computed from the document.

/** Checks the banners of the files rendered by openapi-generator. */
export function verifyJarOutputs(files, expectedBanner) {
  const problems = [];
  const bannerLines = (text) => text.split('\n').slice(0, 4);
  for (const [rel, text] of Object.entries(files)) {
    const [want, got] = [bannerLines(expectedBanner), bannerLines(text)];
    for (const i of [0, 1, 3])
      if (want[i] !== got[i])
        problems.push(`${rel} banner line ${i + 1}: expected ${JSON.stringify(want[i])}, got ${JSON.stringify(got[i])}`);
  }
  if (problems.length) {
    throw new SpecProblems(
      `the files rendered by openapi-generator with ${TEMPLATE_FOLDER}/ have the wrong banner (fix the templates or the generator config)`,
      problems,
    );
  }
}

export function missingToolsMessage(error) {
  return [
    `openapi-generator could not run: ${error.message}`,
    `  ${Object.values(JAR_OUTPUTS).join(' and ')} were NOT regenerated from ${SPEC_FILE}.`,
    '  Install the missing tool(s), then run `npm run generate` (or `npm run generator:fetch` to only fetch the jar).',
  ].join('\n');
}
