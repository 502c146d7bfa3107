/**
 * The connection of this process that LISTENs on `mojeeb_key_changes` (outside the pool, which
 * it never holds) and drops the keys each notification names from the cache (key-cache.ts).
 *
 * The cache is trusted only while this connection is listening: when it ends or fails (a
 * PostgreSQL restart, pg_terminate_backend, a network cut noticed by TCP keep-alive), the cache
 * is cleared and bypassed until the connection is back and listening again, retried with a
 * backoff of 100 ms doubling up to 5 s.
 */
import pg from 'pg';
import type { Logger } from '../../logger.ts';
import { metrics } from '../../metrics.ts';
import type { KeyCache } from './key-cache.ts';

export const KEY_CHANGES_CHANNEL = 'mojeeb_key_changes';

const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5_000;

export interface KeyChangeListener {
  /** Resolves once the first connection listens (or failed: the cache is bypassed meanwhile). */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

export function listenForKeyChanges(connectionString: string, cache: KeyCache, logger: Logger): KeyChangeListener {
  let client: pg.Client | null = null;
  let stopped = false;
  let retryMs = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;

  const lost = (current: pg.Client, reason: string) => {
    if (client !== current) return;
    client = null;
    cache.setTrusted(false);
    metrics.keyCacheListening.set(0);
    current.end().catch(() => undefined);
    if (stopped) return;
    logger.warn('key change notifications lost; keys are looked up on every request until they are back', { reason, retry_ms: retryMs });
    schedule();
  };

  const schedule = () => {
    timer = setTimeout(() => void connect(), retryMs);
    retryMs = Math.min(LONGEST_RETRY_MS, retryMs * 2);
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const current = new pg.Client({
      connectionString,
      application_name: 'mojeeb-key-changes',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client = current;
    current.on('error', (error) => lost(current, error.message));
    current.on('end', () => lost(current, 'connection ended'));
    current.on('notification', (message) => {
      if (message.channel === KEY_CHANGES_CHANNEL) cache.invalidate(message.payload ?? '');
    });
    try {
      await current.connect();
      await current.query(`LISTEN ${KEY_CHANGES_CHANNEL}`);
    } catch (error) {
      lost(current, error instanceof Error ? error.message : String(error));
      return;
    }
    if (client !== current) return;
    // Listening from here on: anything kept before could have missed a change.
    cache.setTrusted(true);
    metrics.keyCacheListening.set(1);
    retryMs = FIRST_RETRY_MS;
    logger.info('key change notifications listening', { max_age_ms: cache.maxAgeMs });
  };

  return {
    started: connect(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const current = client;
      client = null;
      cache.setTrusted(false);
      metrics.keyCacheListening.set(0);
      await current?.end().catch(() => undefined);
    },
  };
}
