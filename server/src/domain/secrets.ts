// Encryption at rest for third-party credentials (Meta access tokens): AES-256-GCM with a
// 32-byte key from configuration. Stored form: "v1:<iv b64>:<tag b64>:<ciphertext b64>".
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
    this.#key = key;
  }

  static fromBase64(encoded: string): SecretBox {
    return new SecretBox(Buffer.from(encoded, 'base64'));
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, body] = stored.split(':');
    if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('unrecognised encrypted value');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** The 32 bytes a base64 key stands for (standard alphabet, padding optional), or null for anything else. */
export function decodeEncryptionKey(encoded: string): Buffer | null {
  const text = encoded.trim();
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(text)) return null;
  const key = Buffer.from(text, 'base64');
  // Round-trip: the last character must not carry bits beyond the 32 bytes.
  return key.length === 32 && key.toString('base64').slice(0, 43) === text.slice(0, 43) ? key : null;
}

/**
 * The key kept in `file`, generated on first use (32 bytes from the CSPRNG, written base64 with
 * mode 0600 and exclusive creation, so two processes starting together agree on one key).
 * Local development only: with DATABASE_URL the key comes from ENCRYPTION_KEY.
 */
export function loadOrCreateKeyFile(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const key = decodeEncryptionKey(readFileSync(file, 'utf8'));
  if (key === null) {
    throw new Error(
      `${file} does not hold the base64 encoding of 32 bytes; restore it (tokens stored with it are unreadable otherwise) or set ENCRYPTION_KEY`,
    );
  }
  return key;
}

/**
 * The SecretBox of the configuration: ENCRYPTION_KEY when set, else the key file beside the
 * embedded PostgreSQL's data folder, else none (storing an access token is then refused).
 */
export function secretBoxFromConfig(config: {
  readonly encryptionKey: Buffer | undefined;
  readonly encryptionKeyFile: string | undefined;
}): SecretBox | null {
  if (config.encryptionKey !== undefined) return new SecretBox(config.encryptionKey);
  if (config.encryptionKeyFile !== undefined) return new SecretBox(loadOrCreateKeyFile(config.encryptionKeyFile));
  return null;
}
