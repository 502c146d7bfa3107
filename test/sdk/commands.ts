/**
 * Commands the SDK tests run to completion (the examples, npm, tsc, newman), each bounded in
 * time, and the environment a consumer of the SDK gets: the run's server and fixture, nothing
 * else of ours.
 */
import { execFile } from 'node:child_process';
import { harness } from '../support/harness.ts';

export interface Exec {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` to its end (killed at `timeout` ms); without `env` it inherits this process's environment. */
export function exec(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout: number },
): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** The result of a command that had to succeed; throws with its output when it did not. */
export function ok(result: Exec, what: string): Exec {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The environment of a consumer process: the live server and the fixture's key, agent and numbers. */
export function consumerEnv(): NodeJS.ProcessEnv {
  const f = harness.fixture;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MOJEEB_API_KEY: f.apiKey,
    MOJEEB_BASE_URL: harness.server.baseUrl,
    MOJEEB_AGENT_ID: f.agentId,
    MOJEEB_FROM: f.from,
    MOJEEB_TO: f.to,
  };
}
