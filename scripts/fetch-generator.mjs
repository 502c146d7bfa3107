#!/usr/bin/env node
// Fetches the openapi-generator-cli jar pinned in openapitools.json from Maven Central (through
// `mvn dependency:copy`, so the usual ~/.m2 cache, mirrors and proxies of settings.xml apply) into
// the wrapper's storageDir as `<version>.jar`. With the jar there, the npm wrapper
// (@openapitools/openapi-generator-cli) runs fully offline: it only downloads when
// `<storageDir>/<version>.jar` is missing.
//
//   npm run generator:fetch        # idempotent: does nothing when the jar is present and intact
//
// Exit codes: 0 ok, 1 failure, 3 a required tool (java, mvn) is missing.
// scripts/generate.mjs imports ensureGeneratorJar() and findMissingTools() from here.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const GROUP_ID = 'org.openapitools';
const ARTIFACT_ID = 'openapi-generator-cli';

// SHA-256 of the released jars (Maven Central publishes only SHA-1/MD5; the SHA-1 was checked by
// Maven, this pins the exact bytes). Add a line when bumping the version in openapitools.json.
const KNOWN_SHA256 = {
  '7.25.0': '41ce4f6b07f196676439d710759fa1ced7a08066d06ff1bf314681470289efae',
};

const INSTALL_HINTS = {
  java:
    'a Java 11+ runtime (`java` on PATH): e.g. `sudo apt-get install openjdk-17-jre-headless` ' +
    '(Debian/Ubuntu), `brew install openjdk@17` (macOS), or https://adoptium.net',
  mvn:
    'Apache Maven (`mvn` on PATH), only needed to download the jar once: e.g. `sudo apt-get install maven`, ' +
    '`brew install maven`. Alternatively download ' +
    'https://repo1.maven.org/maven2/org/openapitools/openapi-generator-cli/{version}/openapi-generator-cli-{version}.jar ' +
    'yourself and save it as {jar}',
};

export class MissingToolError extends Error {
  /** @param {{ tool: 'java' | 'mvn', problem: string }[]} missing */
  constructor(missing, { version, jar }) {
    const lines = missing.map(({ tool, problem }) => {
      const hint = INSTALL_HINTS[tool].replaceAll('{version}', version).replaceAll('{jar}', jar);
      return `  - ${tool}: ${problem}. Install ${hint}.`;
    });
    super(`missing ${missing.map((m) => m.tool).join(' and ')}:\n${lines.join('\n')}`);
    this.name = 'MissingToolError';
    this.missing = missing;
  }
}

/** The wrapper's settings: the pinned generator version and where its jar lives. */
export function generatorSettings() {
  const file = join(ROOT, 'openapitools.json');
  const config = JSON.parse(readFileSync(file, 'utf8'))['generator-cli'] ?? {};
  const version = config.version;
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`openapitools.json: generator-cli.version must be an exact version such as 7.25.0, got ${JSON.stringify(version)}`);
  }
  if (typeof config.storageDir !== 'string') {
    throw new Error('openapitools.json: generator-cli.storageDir must be set (the jar is cached there, e.g. ./.cache/openapi-generator)');
  }
  const storageDir = resolve(ROOT, config.storageDir);
  return { version, storageDir, jar: join(storageDir, `${version}.jar`), configFile: file };
}

const isWindows = process.platform === 'win32';

function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', shell: isWindows, ...options });
}

/** Returns `null` when `java` (11+) is usable, otherwise what is wrong with it. */
function javaProblem() {
  const result = run('java', ['-version']);
  if (result.error) return result.error.code === 'ENOENT' ? 'not found on PATH' : `cannot run: ${result.error.message}`;
  if (result.status !== 0) return `\`java -version\` failed: ${(result.stderr || result.stdout).trim().split('\n')[0]}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (match) {
    const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
    if (major < 11) return `found Java ${major}, openapi-generator needs Java 11 or newer`;
  }
  return null;
}

function mavenProblem() {
  const result = run('mvn', ['-v', '-B']);
  if (result.error) return result.error.code === 'ENOENT' ? 'not found on PATH' : `cannot run: ${result.error.message}`;
  if (result.status !== 0) return `\`mvn -v\` failed: ${(result.stderr || result.stdout).trim().split('\n')[0]}`;
  return null;
}

/**
 * The tools that are missing to run the generator: java always, mvn only when the jar is not
 * cached yet (or when `needMaven` is forced).
 */
export function findMissingTools({ needMaven = !existsSync(generatorSettings().jar) } = {}) {
  const missing = [];
  const java = javaProblem();
  if (java) missing.push({ tool: 'java', problem: java });
  if (needMaven) {
    const mvn = mavenProblem();
    if (mvn) missing.push({ tool: 'mvn', problem: mvn });
  }
  return missing;
}

function sha256File(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Throws when the jar's bytes are not the pinned ones; returns the digest. */
function verifyJar(file, version) {
  const digest = sha256File(file);
  const expected = KNOWN_SHA256[version];
  if (expected && digest !== expected) {
    throw new Error(`${file}: SHA-256 ${digest} does not match the pinned ${expected} of openapi-generator-cli ${version}`);
  }
  return { digest, pinned: Boolean(expected) };
}

/**
 * Makes sure `<storageDir>/<version>.jar` exists and is intact, downloading it with Maven when
 * needed. Throws MissingToolError when java or mvn is missing. Returns the jar's path and whether
 * it was downloaded now.
 */
export function ensureGeneratorJar({ log = (line) => console.log(line) } = {}) {
  const { version, storageDir, jar } = generatorSettings();
  const shown = relative(ROOT, jar);

  if (existsSync(jar)) {
    try {
      verifyJar(jar, version);
      const missing = findMissingTools({ needMaven: false });
      if (missing.length) throw new MissingToolError(missing, { version, jar: shown });
      return { jar, fetched: false };
    } catch (error) {
      if (error instanceof MissingToolError) throw error;
      log(`${error.message}; downloading it again.`);
      rmSync(jar, { force: true });
    }
  }

  const missing = findMissingTools({ needMaven: true });
  if (missing.length) throw new MissingToolError(missing, { version, jar: shown });

  mkdirSync(storageDir, { recursive: true });
  const downloadDir = join(storageDir, `.download-${process.pid}`);
  rmSync(downloadDir, { recursive: true, force: true });
  log(`Fetching ${GROUP_ID}:${ARTIFACT_ID}:${version} from Maven Central into ${relative(ROOT, storageDir)}/ ...`);
  const started = Date.now();
  try {
    const result = run(
      'mvn',
      ['-q', '-B', 'dependency:copy', `-Dartifact=${GROUP_ID}:${ARTIFACT_ID}:${version}:jar`, `-DoutputDirectory=${downloadDir}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 },
    );
    if (result.error || result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
      throw new Error(
        `mvn dependency:copy failed (${result.error ? result.error.message : `exit ${result.status}`})` + (output ? `:\n${output}` : ''),
      );
    }
    const files = existsSync(downloadDir) ? readdirSync(downloadDir).filter((f) => f.endsWith('.jar')) : [];
    if (files.length !== 1) throw new Error(`expected one jar in ${downloadDir}, found: ${files.join(', ') || 'none'}`);
    const downloaded = join(downloadDir, files[0]);
    const { digest, pinned } = verifyJar(downloaded, version);
    renameSync(downloaded, jar);
    const size = (statSync(jar).size / 1024 / 1024).toFixed(1);
    log(
      `Saved ${shown} (${size} MB, sha256 ${digest}${pinned ? ', matches the pinned digest' : ', NOT pinned: add it to KNOWN_SHA256 in scripts/fetch-generator.mjs'}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
  } finally {
    rmSync(downloadDir, { recursive: true, force: true });
  }
  return { jar, fetched: true };
}

// CLI entry point: `node scripts/fetch-generator.mjs`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const { jar, fetched } = ensureGeneratorJar();
    if (!fetched) console.log(`openapi-generator jar already present: ${relative(ROOT, jar)} (checksum OK).`);
  } catch (error) {
    console.error(`generator:fetch: ${error.message}`);
    process.exit(error instanceof MissingToolError ? 3 : 1);
  }
}
