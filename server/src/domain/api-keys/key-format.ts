// The API key format documented in openapi.yaml ("Key format"):
//   mk_<live|test>_<22 base62 characters>_<10 lowercase hex checksum>
// The checksum is the first 10 hex digits of SHA-256 over the 30 characters before the last
// "_", so a mistyped or truncated key is rejected here, before any database read.
import { createHash, randomBytes } from 'node:crypto';

export type KeyEnvironment = 'live' | 'test';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 22;
const CHECKSUM_LENGTH = 10;
const KEY_PATTERN = /^mk_(live|test)_([0-9A-Za-z]{22})_([0-9a-f]{10})$/;

export interface ParsedApiKey {
  readonly environment: KeyEnvironment;
  readonly key: string;
}

export interface NewApiKey {
  /** The full key: shown once to its creator, never stored. */
  readonly plaintext: string;
  readonly environment: KeyEnvironment;
  /** What the database keeps instead of the key. */
  readonly hash: string;
  /** For display: `mk_live_` + the first 6 secret characters. */
  readonly displayPrefix: string;
  readonly lastFour: string;
}

export function checksumOf(head: string): string {
  return createHash('sha256').update(head, 'utf8').digest('hex').slice(0, CHECKSUM_LENGTH);
}

/** Base62 characters from a CSPRNG, by rejection sampling (no modulo bias). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function generateApiKey(environment: KeyEnvironment): NewApiKey {
  const head = `mk_${environment}_${randomBase62(SECRET_LENGTH)}`;
  const plaintext = `${head}_${checksumOf(head)}`;
  return {
    plaintext,
    environment,
    hash: hashApiKey(plaintext),
    displayPrefix: head.slice(0, `mk_${environment}_`.length + 6),
    lastFour: plaintext.slice(-4),
  };
}

/** Checks shape and checksum without any I/O; null for anything that cannot be a key. */
export function parseApiKey(candidate: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return null;
  const head = candidate.slice(0, candidate.length - CHECKSUM_LENGTH - 1);
  if (checksumOf(head) !== match[3]) return null;
  return { environment: match[1] as KeyEnvironment, key: candidate };
}

/**
 * Keys carry ~131 bits of entropy, so a single unsalted SHA-256 is enough to make the stored
 * value useless to an attacker while keeping the lookup an indexed equality.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
