/**
 * The keys this server process authenticated, kept in memory for at most `maxAgeMs`, by the
 * hash of the key (never the key itself).
 *
 * - Every change that matters to authentication (revocation, rotation, expiry, scopes, agent
 *   allow-list, rate limit, the organization's plan) is notified by triggers on the tables, at
 *   commit, on the channel `mojeeb_key_changes`; the listener (key-notifications.ts) drops the
 *   entries it names. Within milliseconds in practice; `maxAgeMs` bounds it when a
 *   notification is lost.
 * - While the listener is not connected (a PostgreSQL restart, a terminated connection), nothing
 *   is read from or kept in the cache: every request looks its key up. When it connects again,
 *   the cache starts empty.
 * - A lookup that was under way when an invalidation arrived is not kept (what it read may be
 *   older than the change).
 * - Unknown keys are never kept, so a new key works on its first request.
 * - Expiry is checked on every use by the caller, against the cached `expiresAt`.
 */
import { metrics } from '../../metrics.ts';
import type { KeyEnvironment } from './key-format.ts';

export interface KeyRecordForAuth {
  readonly keyId: string;
  readonly organizationId: string;
  readonly environment: KeyEnvironment;
  readonly scopes: readonly string[];
  readonly agentIds: readonly string[] | null;
  readonly plan: string;
  readonly revokedAt: Date | null;
  readonly expiresAt: Date | null;
  /** The key's own limit, or the default. */
  readonly rateLimit: number;
}

interface Entry {
  readonly key: KeyRecordForAuth;
  readonly loadedAt: number;
}

export interface KeyCacheOptions {
  /** How long an entry is used at most (ms); 0 keeps nothing. */
  readonly maxAgeMs: number;
  /**
   * Whether the cache may be used before a listener says it is connected. Only without
   * notifications (KEY_CACHE_NOTIFICATIONS=false): the entries then live `maxAgeMs` whatever changes.
   */
  readonly trustedWithoutListener?: boolean;
}

export class KeyCache {
  readonly maxAgeMs: number;
  private readonly byHash = new Map<string, Entry>();
  private trusted: boolean;
  /** Moves on every invalidation; a lookup keeps its result only if it did not move meanwhile. */
  private generation = 0;

  constructor(options: KeyCacheOptions) {
    this.maxAgeMs = options.maxAgeMs;
    this.trusted = options.trustedWithoutListener ?? false;
  }

  /** The key with this hash, if kept and younger than the maximum age. */
  get(keyHash: string): KeyRecordForAuth | undefined {
    if (!this.trusted || this.maxAgeMs <= 0) {
      metrics.keyCacheLookups.inc({ result: 'bypass' });
      return undefined;
    }
    const entry = this.byHash.get(keyHash);
    if (entry !== undefined && Date.now() - entry.loadedAt < this.maxAgeMs) {
      metrics.keyCacheLookups.inc({ result: 'hit' });
      return entry.key;
    }
    if (entry !== undefined) this.byHash.delete(keyHash);
    metrics.keyCacheLookups.inc({ result: 'miss' });
    return undefined;
  }

  /** Call before reading a key from the database; pass the result to `keep`. */
  begin(): number {
    return this.generation;
  }

  /** Keeps what a lookup begun at `generation` read, unless something changed since. */
  keep(keyHash: string, key: KeyRecordForAuth, generation: number, loadedAt = Date.now()): void {
    if (!this.trusted || this.maxAgeMs <= 0 || generation !== this.generation) return;
    if (this.byHash.size >= 10_000) this.sweep();
    this.byHash.set(keyHash, { key, loadedAt });
  }

  /** A notification's payload: `key:<id>` or `organization:<id>`; anything else drops everything. */
  invalidate(payload: string): void {
    this.generation += 1;
    metrics.keyCacheInvalidations.inc();
    const [kind, id] = payload.split(':', 2) as [string, string | undefined];
    const matches =
      kind === 'key' && id
        ? (k: KeyRecordForAuth) => k.keyId === id
        : kind === 'organization' && id
          ? (k: KeyRecordForAuth) => k.organizationId === id
          : null;
    if (matches === null) {
      this.byHash.clear();
      return;
    }
    for (const [hash, entry] of this.byHash) if (matches(entry.key)) this.byHash.delete(hash);
  }

  /** Whether notifications arrive (the listener is connected and listening). Either way the cache starts over. */
  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
    this.generation += 1;
    this.byHash.clear();
  }

  get size(): number {
    return this.byHash.size;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [hash, entry] of this.byHash) if (now - entry.loadedAt >= this.maxAgeMs) this.byHash.delete(hash);
    if (this.byHash.size >= 10_000) this.byHash.clear();
  }
}
