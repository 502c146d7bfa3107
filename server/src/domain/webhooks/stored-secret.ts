/**
 * Signing secrets at rest: encrypted with the service's key (domain/secrets.ts) when the
 * process has one, as `v1:…`; a process started without a key (local development) stores them
 * as `plain:…`. Either way they can be read back to sign, and are never logged or returned
 * after creation or rotation.
 */
import type { SecretBox } from '../secrets.ts';

export function sealSecret(box: SecretBox | null, secret: string): string {
  return box === null ? `plain:${secret}` : box.encrypt(secret);
}

export function openSecret(box: SecretBox | null, stored: string): string {
  if (stored.startsWith('plain:')) return stored.slice('plain:'.length);
  if (box === null) throw new Error('a webhook signing secret is encrypted but this process has no encryption key (ENCRYPTION_KEY)');
  return box.decrypt(stored);
}
