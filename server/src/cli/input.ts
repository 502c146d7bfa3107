/**
 * Checking what an administrator typed, before anything touches the database. Every check
 * throws a UsageError with one line that names the flag, says what is expected and what was
 * given (never for secrets).
 */
import { PLANS, isPlan, type Plan } from '../domain/plans.ts';
import { SCOPES, isScope, type Scope } from '../domain/api-keys/scopes.ts';

/** Bad input or a state that forbids the command: exit code 2, nothing written. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The contract's E164PhoneNumber (and the whatsapp_connections check constraint). */
const E164 = /^\+[1-9][0-9]{7,14}$/;
const META_ID = /^[0-9]{1,32}$/;

/** A UUID, lowercased (the form the API and the database print). */
export function uuid(what: string, value: string): string {
  const trimmed = value.trim();
  if (!UUID.test(trimmed)) throw new UsageError(`${what} must be a UUID like 12345678-1234-1234-1234-123456789012, got '${value}'`);
  return trimmed.toLowerCase();
}

export function uuidList(what: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new UsageError(`${what} must be a comma-separated list of UUIDs without empty entries, got '${value}'`);
  return [...new Set(items.map((s) => uuid(`every id of ${what}`, s)))];
}

export function e164(what: string, value: string): string {
  const trimmed = value.trim();
  if (!E164.test(trimmed)) {
    throw new UsageError(`${what} must be an E.164 number: '+', then 8 to 15 digits, the first not 0 (e.g. +15551234567), got '${value}'`);
  }
  return trimmed;
}

export function metaId(what: string, value: string): string {
  const trimmed = value.trim();
  if (!META_ID.test(trimmed)) throw new UsageError(`${what} must be Meta's numeric id (digits only), got '${value}'`);
  return trimmed;
}

/** A display name: trimmed, 1 to `max` characters, no control characters. */
export function name(what: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new UsageError(`${what} must not be empty`);
  if ([...trimmed].length > max) throw new UsageError(`${what} must be at most ${max} characters, got ${[...trimmed].length}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new UsageError(`${what} must not contain control characters (newlines, tabs…)`);
  return trimmed;
}

export function integer(what: string, value: string, min: number, max: number): number {
  const trimmed = value.trim();
  const parsed = /^[0-9]+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return parsed;
}

export function plan(what: string, value: string): Plan {
  const trimmed = value.trim().toLowerCase();
  if (!isPlan(trimmed)) throw new UsageError(`${what}: unknown plan '${value}' (plans: ${PLANS.join(', ')})`);
  return trimmed;
}

export function scopes(what: string, value: string): Scope[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === ''))
    throw new UsageError(`${what} must be a comma-separated list of scopes without empty entries, got '${value}'`);
  for (const item of items) {
    if (!isScope(item)) throw new UsageError(`${what}: unknown scope '${item}' (scopes: ${SCOPES.join(', ')})`);
  }
  return [...new Set(items as Scope[])];
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})))?$/;

/**
 * An ISO 8601 date (`2027-01-31`, midnight UTC at its start) or date-time with `Z` or an offset
 * (`2027-01-31T18:00:00Z`, `2027-01-31T20:00+02:00`), strictly in the future of `now`.
 */
export function futureInstant(what: string, value: string, now: Date = new Date()): Date {
  const m = ISO_8601.exec(value.trim());
  const fail = (why: string): never => {
    throw new UsageError(
      `${what} must be an ISO 8601 date or date-time with Z or an offset (e.g. 2027-01-31 or 2027-01-31T18:00:00Z), ${why}, got '${value}'`,
    );
  };
  if (!m) return fail('with a time zone when a time is given');
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) =>
    p === undefined ? undefined : Number(p),
  ) as number[];
  const millis = m[7] !== undefined ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0;
  const daysInMonth = month! >= 1 && month! <= 12 ? new Date(Date.UTC(year!, month!, 0)).getUTCDate() : 0;
  if (day! < 1 || day! > daysInMonth || hour > 23 || minute > 59 || second > 59) return fail('a real calendar date and time');
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return fail('a valid offset');
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const instant = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second, millis) - offsetMinutes * 60_000);
  if (instant.getTime() <= now.getTime()) {
    throw new UsageError(`${what} must be in the future, got '${value}' (${instant.toISOString()}, now is ${now.toISOString()})`);
  }
  return instant;
}

/** An environment variable's name (for --access-token-env). */
export function envName(what: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value))
    throw new UsageError(`${what} must name an environment variable (letters, digits, _), got '${value}'`);
  return value;
}

/** A Meta access token: printable, no whitespace inside. Never echoed in messages. */
export function accessToken(source: string, value: string | undefined): string {
  const token = (value ?? '').trim();
  if (token === '') throw new UsageError(`the access token from ${source} is empty`);
  if (/\s/.test(token) || [...token].length > 4096 || !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(
      `the access token from ${source} is not a Meta access token (printable ASCII without spaces, at most 4096 characters); it is not shown`,
    );
  }
  return token;
}
