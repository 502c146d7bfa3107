/**
 * Generating, installing and building the Python, Go and Java clients for the polyglot smoke runs.
 * Everything is bounded in time and reports how long it took; caches live under .cache/polyglot/
 * (ignored by git): the Python virtualenv is rebuilt only when requirements.txt or the Python
 * version changes, the Go build cache is Go's own, and the Java client's Maven dependencies
 * (from Maven Central, the first time) live in .cache/polyglot/m2, so later builds run offline.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/contract.ts';

export const CACHE = path.join(repoRoot, '.cache/polyglot');
export const VENV = path.join(CACHE, 'python-venv');
export const VENV_PYTHON = path.join(VENV, 'bin/python');
export const GO_SMOKE = path.join(CACHE, 'go-smoke');
export const GENERATED = path.join(repoRoot, 'sdks-generated');
export const MAVEN_REPO = path.join(CACHE, 'm2');
export const JAVA_CLASSPATH = path.join(CACHE, 'java-classpath.txt');
export const JAVA_SMOKE = path.join(repoRoot, 'test/polyglot/java/Smoke.java');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? repoRoot,
        env: options.env ?? process.env,
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : error.killed ? 124 : 1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

export function mustSucceed(result: Run, what: string): Run {
  if (result.code !== 0) {
    const tail = (text: string) => text.trim().split('\n').slice(-40).join('\n');
    throw new Error(
      `${what} failed (exit ${result.code}${result.code === 124 ? ', timed out' : ''}):\n${tail(result.stdout)}\n${tail(result.stderr)}`,
    );
  }
  return result;
}

/** `npm run generate:sdks`: the three clients into sdks-generated/ (java needed). */
export async function generateSdks(): Promise<Run> {
  const result = mustSucceed(await run('npm', ['run', '-s', 'generate:sdks'], { timeoutMs: 300_000 }), 'npm run generate:sdks');
  for (const file of [
    'python/pyproject.toml',
    'python/mojeeb_client/api/whats_app_api.py',
    'go/go.mod',
    'go/api_whats_app.go',
    'java/pom.xml',
    'java/src/main/java/com/mojeeb/client/api/WhatsAppApi.java',
  ]) {
    if (!existsSync(path.join(GENERATED, file)))
      throw new Error(`npm run generate:sdks did not write sdks-generated/${file}:\n${result.stdout}`);
  }
  return result;
}

/**
 * The virtualenv with the pinned dependencies (test/polyglot/python/requirements.txt), then the
 * freshly generated package installed into it (no dependency resolution, no network for it).
 */
export async function installPython(): Promise<{ venv: Run | null; install: Run }> {
  const python = process.env.PYTHON ?? 'python3';
  const version = mustSucceed(
    await run(python, ['-c', 'import sys; assert sys.version_info >= (3, 10), sys.version; print(sys.version)'], { timeoutMs: 30_000 }),
    `${python} (3.10+ with venv, for the generated Python client)`,
  ).stdout.trim();
  const requirements = path.join(repoRoot, 'test/polyglot/python/requirements.txt');
  const stamp = createHash('sha256').update(readFileSync(requirements)).update(version).digest('hex');
  const stampFile = path.join(VENV, '.requirements.sha256');
  let venv: Run | null = null;
  if (!existsSync(VENV_PYTHON) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    rmSync(VENV, { recursive: true, force: true });
    mkdirSync(CACHE, { recursive: true });
    const create = mustSucceed(await run(python, ['-m', 'venv', VENV], { timeoutMs: 120_000 }), 'python -m venv');
    const pip = mustSucceed(
      await run(
        VENV_PYTHON,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--require-virtualenv', '-r', requirements],
        { timeoutMs: 300_000 },
      ),
      'pip install -r test/polyglot/python/requirements.txt',
    );
    writeFileSync(stampFile, stamp);
    venv = { ...pip, ms: create.ms + pip.ms };
  }
  const install = mustSucceed(
    await run(
      VENV_PYTHON,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        '--require-virtualenv',
        '--no-deps',
        '--no-build-isolation',
        '--force-reinstall',
        path.join(GENERATED, 'python'),
      ],
      { timeoutMs: 180_000 },
    ),
    'pip install sdks-generated/python',
  );
  return { venv, install };
}

/** `go build` of test/polyglot/go against sdks-generated/go (a replace directive). */
export async function buildGo(): Promise<Run> {
  mkdirSync(CACHE, { recursive: true });
  return mustSucceed(
    await run('go', ['build', '-mod=mod', '-buildvcs=false', '-o', GO_SMOKE, '.'], {
      cwd: path.join(repoRoot, 'test/polyglot/go'),
      timeoutMs: 300_000,
    }),
    'go build (test/polyglot/go)',
  );
}

/**
 * `mvn compile` of sdks-generated/java and the classpath of its dependencies (written to
 * JAVA_CLASSPATH), with the repository-local Maven cache. Offline (`-o`) once that cache has
 * everything; online (Maven Central) the first time, or when the offline build misses something.
 * Returns the classpath for `java -cp … Smoke.java`.
 */
export async function buildJava(): Promise<Run & { classpath: string }> {
  mkdirSync(CACHE, { recursive: true });
  const args = [
    '-B',
    '-q',
    `-Dmaven.repo.local=${MAVEN_REPO}`,
    '-DskipTests',
    '-Dmaven.javadoc.skip=true',
    'compile',
    'dependency:build-classpath',
    `-Dmdep.outputFile=${JAVA_CLASSPATH}`,
  ];
  const cwd = path.join(GENERATED, 'java');
  const offline = existsSync(JAVA_CLASSPATH) ? await run('mvn', ['-o', ...args], { cwd, timeoutMs: 300_000 }) : null;
  const result =
    offline?.code === 0 ? offline : mustSucceed(await run('mvn', args, { cwd, timeoutMs: 600_000 }), 'mvn compile (sdks-generated/java)');
  const classpath = [path.join(cwd, 'target/classes'), readFileSync(JAVA_CLASSPATH, 'utf8').trim()].join(path.delimiter);
  return { ...result, ms: result.ms + (offline && offline !== result ? offline.ms : 0), classpath };
}
