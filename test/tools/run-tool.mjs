#!/usr/bin/env node
/**
 * Runs ONE contract tool against a live server, bounded in time, loopback only:
 *
 *   node test/tools/run-tool.mjs [--plant BUG] [--timeout SECONDS] -- COMMAND [ARGS...]
 *
 * 1. starts `node --import tsx test/tools/serve.ts` (its own process group) and waits (at most
 *    SERVE_START_TIMEOUT seconds, default 180) for its JSON line
 *    {"baseUrl","apiKey","agentId","from","to","webhookEndpointId","webhookUrl","eventId","conversationId"};
 * 2. runs COMMAND with those values in the environment — MOJEEB_BASE_URL, MOJEEB_API_KEY,
 *    MOJEEB_AGENT_ID, MOJEEB_FROM, MOJEEB_TO, MOJEEB_WEBHOOK_ENDPOINT_ID, MOJEEB_WEBHOOK_URL,
 *    MOJEEB_EVENT_ID, MOJEEB_CONVERSATION_ID — and with `{baseUrl}`, `{apiKey}`, `{agentId}`,
 *    `{from}`, `{to}` replaced in ARGS;
 * 3. stops the server (SIGTERM; it drops its database and stops PostgreSQL) and exits with the
 *    tool's exit code: 124 when the tool ran past --timeout (default 900 s) and was killed,
 *    125 when the server did not start, 126 when the command could not be started.
 *
 * The server's own output (JSON log lines, warn and above unless LOG_LEVEL says otherwise) goes
 * to .tmp/tools/serve-<time>-<pid>.log; its path is printed, and so are the server's error lines
 * other than the expected 501 not_implemented when the tool fails.
 *
 * --plant BUG starts the server with PLANT_BUG=BUG (test-only, see serve.ts); used by the
 * planted-bug tests only.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function usage(message) {
  process.stderr.write(
    `run-tool: ${message}\nusage: node test/tools/run-tool.mjs [--plant BUG] [--timeout SECONDS] -- COMMAND [ARGS...]\n`,
  );
  process.exit(2);
}

const argv = process.argv.slice(2);
let plant;
let timeoutSeconds = 900;
while (argv.length > 0 && argv[0] !== '--') {
  const option = argv.shift();
  if (option === '--plant') plant = argv.shift();
  else if (option === '--timeout') timeoutSeconds = Number(argv.shift());
  else usage(`unknown option ${option}`);
}
if (argv.shift() !== '--' || argv.length === 0) usage('no command');
if (!(timeoutSeconds > 0)) usage('--timeout needs a positive number of seconds');
const startTimeoutSeconds = Number(process.env.SERVE_START_TIMEOUT ?? 180);

const log = (message) => process.stderr.write(`run-tool: ${message}\n`);

/** Kills a child's whole process group (it was spawned detached, so it leads one). */
function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function waitForExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

// 1. The server.
const serverEnv = { ...process.env, SERVE_EXIT_ON_STDIN_EOF: '1' };
delete serverEnv.PLANT_BUG;
if (plant) serverEnv.PLANT_BUG = plant;
const logDir = path.join(repoRoot, '.tmp', 'tools');
mkdirSync(logDir, { recursive: true });
const serverLog = path.join(logDir, `serve-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
const server = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'serve.ts')], {
  cwd: repoRoot,
  env: serverEnv,
  stdio: ['pipe', 'pipe', openSync(serverLog, 'a')],
  detached: true,
});

/** The server's error log lines, other than the expected 501 not_implemented ones. */
function unexpectedServerErrors() {
  let text = '';
  try {
    text = readFileSync(serverLog, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      const entry = JSON.parse(line);
      return entry.level === 'error' && entry.code !== 'not_implemented';
    } catch {
      // serve.ts's own progress lines are not errors; anything else it printed may be
      return !line.startsWith('serve: ') || /fail/i.test(line);
    }
  });
}

async function stopServer() {
  if (server.exitCode !== null || server.signalCode !== null) return;
  // Only the node process: it stops its PostgreSQL itself, after dropping the database.
  server.kill('SIGTERM');
  if (!(await waitForExit(server, 30_000))) {
    log('the server did not stop within 30 s; killing its process group');
    killGroup(server, 'SIGKILL');
    await waitForExit(server, 5_000);
  }
}

let tool;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping`);
    if (tool) killGroup(tool, 'SIGTERM');
    void stopServer().then(() => process.exit(130));
  });
}

let stopWatchingStart = () => {};
const fixture = await new Promise((resolve) => {
  const timer = setTimeout(() => {
    log(`the server printed no JSON line within ${startTimeoutSeconds} s`);
    resolve(undefined);
  }, startTimeoutSeconds * 1000);
  const lines = readline.createInterface({ input: server.stdout });
  lines.on('line', (line) => {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      process.stderr.write(`serve: ${line}\n`);
      return;
    }
    if (value && typeof value.baseUrl === 'string') {
      clearTimeout(timer);
      resolve(value);
    }
  });
  const onEarlyExit = (code, signal) => {
    clearTimeout(timer);
    log(`the server exited before it was ready (${signal ?? `exit ${code}`})`);
    resolve(undefined);
  };
  server.once('exit', onEarlyExit);
  stopWatchingStart = () => server.off('exit', onEarlyExit);
});
stopWatchingStart();
if (!fixture) {
  for (const line of unexpectedServerErrors().slice(-20))
    process.stderr.write(`serve: ${line.length > 2000 ? `${line.slice(0, 2000)}…` : line}\n`);
  log(`server log: ${path.relative(repoRoot, serverLog)}`);
  await stopServer();
  process.exit(125);
}
const base = new URL(fixture.baseUrl);
if (base.hostname !== '127.0.0.1') {
  log(`refusing a non-loopback base URL ${fixture.baseUrl}`);
  await stopServer();
  process.exit(125);
}

// 2. The tool.
const values = {
  baseUrl: fixture.baseUrl,
  apiKey: fixture.apiKey,
  agentId: fixture.agentId,
  from: fixture.from,
  to: fixture.to,
  webhookEndpointId: fixture.webhookEndpointId,
  webhookUrl: fixture.webhookUrl,
  eventId: fixture.eventId,
  conversationId: fixture.conversationId,
};
const args = argv.map((arg) => arg.replace(/\{(baseUrl|apiKey|agentId|from|to)\}/g, (_, name) => values[name]));
const started = Date.now();
log(`server ${fixture.baseUrl}${plant ? ` (PLANT_BUG=${plant})` : ''}; running ${argv.join(' ')} (time limit ${timeoutSeconds} s)`);
let timedOut = false;
const exitCode = await new Promise((resolve) => {
  tool = spawn(args[0], args.slice(1), {
    cwd: repoRoot,
    stdio: 'inherit',
    detached: true,
    env: {
      ...process.env,
      MOJEEB_BASE_URL: values.baseUrl,
      MOJEEB_API_KEY: values.apiKey,
      MOJEEB_AGENT_ID: values.agentId,
      MOJEEB_FROM: values.from,
      MOJEEB_TO: values.to,
      MOJEEB_WEBHOOK_ENDPOINT_ID: values.webhookEndpointId,
      MOJEEB_WEBHOOK_URL: values.webhookUrl,
      MOJEEB_EVENT_ID: values.eventId,
      MOJEEB_CONVERSATION_ID: values.conversationId,
    },
  });
  const timer = setTimeout(() => {
    timedOut = true;
    log(`the tool ran past ${timeoutSeconds} s; killing it`);
    killGroup(tool, 'SIGTERM');
    setTimeout(() => killGroup(tool, 'SIGKILL'), 10_000).unref();
  }, timeoutSeconds * 1000);
  tool.once('error', (error) => {
    clearTimeout(timer);
    log(`could not start ${args[0]}: ${error.message}`);
    resolve(126);
  });
  tool.once('exit', (code, signal) => {
    clearTimeout(timer);
    resolve(timedOut ? 124 : (code ?? 128 + (os.constants.signals[signal] ?? 0)));
  });
});
log(`${path.basename(args[0])} exited ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

// 3. Stop, propagate.
await stopServer();
if (exitCode !== 0) {
  const errors = unexpectedServerErrors();
  if (errors.length > 0) {
    log(`the server logged ${errors.length} unexpected error line(s); the last ones:`);
    for (const line of errors.slice(-10)) process.stderr.write(`serve: ${line.length > 600 ? `${line.slice(0, 600)}…` : line}\n`);
  }
}
log(`server log: ${path.relative(repoRoot, serverLog)}`);
process.exit(exitCode);
