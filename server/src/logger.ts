/**
 * Structured logs: one JSON object per line. A child logger carries bindings (such as the
 * request's `correlation_id`) into every line it writes. Callers pass plain fields; this module
 * never serialises request bodies or headers by itself, and `errorFields` keeps an error's stack
 * in the log (for operators) — the HTTP layer makes sure it never reaches a response.
 */
import { writeSync } from 'node:fs';
import { inspect } from 'node:util';
import type { LogLevel } from './config.ts';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stdout (stdoutLines). Tests pass a collector. */
  write?: (line: string) => void;
  bindings?: LogFields;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? stdoutLines;
  const make = (bindings: LogFields): Logger => {
    const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
      if (RANK[level] < threshold) return;
      const entry = { time: new Date().toISOString(), level, msg, ...bindings, ...fields };
      let line: string;
      try {
        line = JSON.stringify(entry);
      } catch {
        line = JSON.stringify({ time: entry.time, level, msg, ...bindings, log_error: 'unserialisable fields' });
      }
      write(line);
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make(options.bindings ?? {});
}

/**
 * Lines to stdout, those of one event-loop turn in one write: a busy server finishes several
 * requests per turn, and a write is a system call. Written at the end of the turn, and at once
 * when the process exits.
 */
let pendingLines = '';
function flushLines(): void {
  const text = pendingLines;
  pendingLines = '';
  if (text !== '') process.stdout.write(text);
}
function stdoutLines(line: string): void {
  if (pendingLines === '') setImmediate(flushLines);
  pendingLines += line + '\n';
}
process.on('exit', () => {
  if (pendingLines === '') return;
  try {
    writeSync(1, pendingLines);
  } catch {
    // stdout is gone
  }
  pendingLines = '';
});

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ level: 'silent' });

/** The fields describing an error in a log line (operators see the stack; callers never do). */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    return { err: { name: error.name, message: error.message, stack: error.stack } };
  }
  return { err: { value: inspect(error, { depth: 4, breakLength: Infinity }) } };
}
