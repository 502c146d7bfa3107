/**
 * Structured logs: one JSON object per line. A child logger carries bindings (such as the
 * request's `correlation_id`) into every line it writes. Callers pass plain fields; this module
 * never serialises request bodies or headers by itself, and `errorFields` keeps an error's stack
 * in the log (for operators) — the HTTP layer makes sure it never reaches a response.
 *
 * Every line is bounded: fields are reduced to plain data (strings cut at MAX_FIELD_CHARS, a
 * `stack` at MAX_STACK_CHARS, nesting and lists bounded, an Error to its name, message and code,
 * any other object — a driver's client, a socket — to its class name), and a line still longer
 * than MAX_LOG_LINE_CHARS keeps only its time, level, message and bindings.
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
  const make = (rawBindings: LogFields): Logger => {
    const bindings = plainData(rawBindings, '', 0) as LogFields;
    const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
      if (RANK[level] < threshold) return;
      const time = new Date().toISOString();
      const head = { time, level, msg: cut(msg, MAX_FIELD_CHARS), ...bindings };
      let line: string;
      try {
        line = JSON.stringify({ ...head, ...(fields === undefined ? {} : (plainData(fields, '', 0) as LogFields)) });
      } catch {
        line = JSON.stringify({ ...head, log_error: 'unserialisable fields' });
      }
      if (line.length > MAX_LOG_LINE_CHARS) {
        line = JSON.stringify({ ...head, log_truncated: line.length });
        if (line.length > MAX_LOG_LINE_CHARS) line = JSON.stringify({ time, level, msg: cut(msg, 200), log_truncated: line.length });
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

/** The longest line written (characters of JSON). */
export const MAX_LOG_LINE_CHARS = 8_192;
/** The longest string field kept whole; longer ones are cut and marked. */
export const MAX_FIELD_CHARS = 1_024;
/** The longest `stack` field kept whole. */
export const MAX_STACK_CHARS = 4_096;
const MAX_DEPTH = 4;
const MAX_ENTRIES = 50;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more characters]`;
}

/** `value` as bounded plain JSON data (see the module's comment). */
export function plainData(value: unknown, key: string, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return cut(value, key === 'stack' ? MAX_STACK_CHARS : MAX_FIELD_CHARS);
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: cut(value.name, 100),
      message: cut(value.message, MAX_FIELD_CHARS),
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    };
  }
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ENTRIES).map((item) => plainData(item, key, depth + 1) ?? null);
    if (value.length > MAX_ENTRIES) items.push(`[${value.length - MAX_ENTRIES} more items]`);
    return items;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return `[${typeof name === 'string' && name !== '' ? name : 'object'}]`;
  }
  const result: Record<string, unknown> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries.slice(0, MAX_ENTRIES)) {
    const plain = plainData(v, k, depth + 1);
    if (plain !== undefined) result[k] = plain;
  }
  if (entries.length > MAX_ENTRIES) result.more_fields = entries.length - MAX_ENTRIES;
  return result;
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
