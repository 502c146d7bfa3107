/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex>` where hex is the HMAC-SHA256 of
 * the raw request body bytes with the app secret. It must be computed over the exact bytes
 * received — Meta escapes non-ASCII characters and slashes (`\u00e9`, `\/`), so JSON that was
 * parsed and serialised again does not match.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/** The header value Meta would send for this body. */
export function signWebhook(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${digest(rawBody, appSecret).toString('hex')}`;
}

/**
 * True only for a well-formed `sha256=<64 hex>` header whose HMAC matches; false for a missing,
 * repeated or malformed header. The comparison is constant-time over two 32-byte digests.
 */
export function verifyWebhookSignature(
  rawBody: Buffer | string,
  header: string | readonly string[] | null | undefined,
  appSecret: string,
): boolean {
  if (typeof header !== 'string') return false; // absent, or sent twice (an array): refuse
  const match = HEADER.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = digest(rawBody, appSecret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function digest(rawBody: Buffer | string, appSecret: string): Buffer {
  if (typeof appSecret !== 'string' || appSecret.length === 0) throw new Error('the Meta app secret is not configured');
  return createHmac('sha256', appSecret).update(rawBody).digest();
}
