/**
 * Shared by the planted-bug tests (test/tools/planted/*.test.mjs, `npm run contract:planted`,
 * run with node's test runner): each plants ONE contract bug and passes only if the tool under
 * test exits non-zero AND its output names that bug. A tool that fails for another reason (not
 * installed, server did not start, time limit) fails the planted test too.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Exit codes that mean "the tool did not run", not "the tool found something". */
const DID_NOT_RUN = new Map([
  [2, 'usage error'],
  [3, 'tool not installed (bash test/tools/install.sh)'],
  [124, 'time limit'],
  [125, 'server did not start'],
  [126, 'command could not be started'],
]);

/** Runs a command (through run-tool.mjs when `plant` is given), collecting its output. */
export function run(command, { plant, env = {}, timeoutSeconds = 240 } = {}) {
  const args = plant
    ? [path.join(repoRoot, 'test/tools/run-tool.mjs'), '--plant', plant, '--timeout', String(timeoutSeconds), '--', ...command]
    : command;
  const executable = plant ? process.execPath : args.shift();
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), (timeoutSeconds + 60) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Asserts that the tool ran, failed, and named the planted bug. */
export function assertCaught(t, { code, output }, evidence, what) {
  const tail = output.split('\n').slice(-60).join('\n');
  if (code === 0) throw new Error(`${what}: the tool passed although the bug was planted\n--- last output ---\n${tail}`);
  if (DID_NOT_RUN.has(code))
    throw new Error(`${what}: the tool did not run (exit ${code}: ${DID_NOT_RUN.get(code)})\n--- last output ---\n${tail}`);
  const patterns = Array.isArray(evidence) ? evidence : [evidence];
  for (const pattern of patterns) {
    if (!pattern.test(output))
      throw new Error(`${what}: exit ${code}, but the output does not show ${pattern}\n--- last output ---\n${tail}`);
  }
  t.diagnostic(`${what}: exit ${code}; output matches ${patterns.map(String).join(', ')}`);
}
