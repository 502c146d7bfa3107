/**
 * Data retention (docs/operating.md, "Data retention"): rows past their retention period are
 * deleted in rounds of small batches, so that sends, deliveries and status updates never wait on
 * it.
 *
 * - Messages settled (`delivered`, `read` or `failed`) with no change for MESSAGE_RETENTION_DAYS,
 *   whose delivery job is neither queued nor running, with their status events; status events
 *   that never found their message, and inbound messages, older than that; then the
 *   conversations those batches emptied, once they too had no activity for that long.
 * - Webhook events older than EVENT_RETENTION_DAYS with no delivery pending, with their
 *   deliveries and attempts.
 *
 * Each batch is one statement in its own short transaction: it picks its rows oldest first
 * through an index (migration 20261201160000), at most RETENTION_BATCH_SIZE of them, `FOR UPDATE
 * SKIP LOCKED` (a row another transaction holds is left for a later round, never waited for),
 * under a short `lock_timeout` (a cascade that would wait ends that kind of row for the round).
 * A round alternates between the kinds of rows, pauses RETENTION_BATCH_PAUSE_MS between
 * batches, starts no batch after RETENTION_ROUND_MAX_MS and deletes at most
 * RETENTION_ROUND_MAX_ROWS of each kind; what is left waits for the next round.
 *
 * One process runs a round at a time: the round holds a session advisory lock on its own
 * connection (released when it ends, or when the connection dies with its process); a process
 * that cannot take it skips the round.
 */
import type { Knex } from 'knex';
import type pg from 'pg';
import type { RetentionSettings } from '../config.ts';
import { DELIVERY_TASK } from '../delivery/queue.ts';
import { metrics } from '../metrics.ts';

export const PRUNED_TABLES = [
  'messages',
  'message_events',
  'inbound_messages',
  'conversations',
  'events',
  'event_deliveries',
  'event_delivery_attempts',
] as const;

export type PrunedTable = (typeof PRUNED_TABLES)[number];
type Counts = Record<PrunedTable, number>;

export interface RetentionRound {
  /** false: another process was running a round; this one did nothing. */
  readonly ran: boolean;
  /** Rows deleted, by table. */
  readonly removed: Readonly<Counts>;
  readonly batches: number;
  readonly durationMs: number;
  /** The kinds of rows this round left for the next one (a bound reached, or a lock busy). */
  readonly unfinished: readonly string[];
}

export interface RoundOptions {
  /** Ends the round before its next batch. */
  readonly signal?: AbortSignal;
  /** Runs inside each batch's transaction, after its delete and before its commit. */
  readonly beforeCommit?: (kind: string) => Promise<void>;
}

interface PoolClient {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<void>;
}

/** How long a batch waits for a row lock its cascade needs before it gives up for the round. */
const BATCH_LOCK_TIMEOUT = '500ms';
const LOCK = `hashtextextended('mojeeb:retention', 0)`;
const LOCK_NOT_AVAILABLE = '55P03';

interface BatchRow {
  readonly main: number;
  readonly message_events?: number;
  readonly event_deliveries?: number;
  readonly event_delivery_attempts?: number;
  readonly conversations?: string[];
}

interface Kind {
  readonly name: string;
  /** The table whose rows the batch picks, and that RETENTION_ROUND_MAX_ROWS bounds. */
  readonly table: PrunedTable;
  readonly days: number;
  /** $1: days, $2: batch size. */
  readonly sql: string;
}

const CUTOFF = 'now() - make_interval(days => $1::int)';

const MESSAGES = `
WITH batch AS (
  SELECT m.id FROM messages m
   WHERE m.status IN ('delivered', 'read', 'failed') AND m.created_at < ${CUTOFF} AND m.updated_at < ${CUTOFF}
     AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j
                      WHERE j.key = '${DELIVERY_TASK}:' || m.id::text AND (j.locked_at IS NOT NULL OR j.attempts < j.max_attempts))
   ORDER BY m.created_at LIMIT $2
   FOR UPDATE OF m SKIP LOCKED),
status_events AS (DELETE FROM message_events e USING batch WHERE e.message_id = batch.id RETURNING e.id),
gone AS (DELETE FROM messages m USING batch WHERE m.id = batch.id RETURNING m.conversation_id)
SELECT (SELECT count(*) FROM gone)::int AS main, (SELECT count(*) FROM status_events)::int AS message_events,
       coalesce((SELECT array_agg(DISTINCT conversation_id) FROM gone), '{}')::text[] AS conversations`;

const INBOUND = `
WITH batch AS (
  SELECT i.id FROM inbound_messages i WHERE i.created_at < ${CUTOFF}
   ORDER BY i.created_at LIMIT $2
   FOR UPDATE SKIP LOCKED),
gone AS (DELETE FROM inbound_messages i USING batch WHERE i.id = batch.id RETURNING i.conversation_id)
SELECT count(*)::int AS main, coalesce(array_agg(DISTINCT conversation_id), '{}')::text[] AS conversations FROM gone`;

const UNMATCHED_STATUS_EVENTS = `
WITH batch AS (
  SELECT e.id FROM message_events e WHERE e.message_id IS NULL AND e.received_at < ${CUTOFF}
   ORDER BY e.received_at LIMIT $2
   FOR UPDATE SKIP LOCKED),
gone AS (DELETE FROM message_events e USING batch WHERE e.id = batch.id AND e.message_id IS NULL RETURNING e.id)
SELECT count(*)::int AS main FROM gone`;

const EVENTS = `
WITH batch AS (
  SELECT e.id FROM events e
   WHERE e.created_at < ${CUTOFF}
     AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
   ORDER BY e.created_at LIMIT $2
   FOR UPDATE SKIP LOCKED),
attempts AS (DELETE FROM event_delivery_attempts a USING batch WHERE a.event_id = batch.id RETURNING a.id),
deliveries AS (DELETE FROM event_deliveries d USING batch WHERE d.event_id = batch.id RETURNING d.id),
gone AS (DELETE FROM events e USING batch WHERE e.id = batch.id RETURNING e.id)
SELECT (SELECT count(*) FROM gone)::int AS main, (SELECT count(*) FROM deliveries)::int AS event_deliveries,
       (SELECT count(*) FROM attempts)::int AS event_delivery_attempts`;

/**
 * The conversations of `$2` that have no message and no inbound message left, and no activity
 * for `$1` days. A send or an inbound message bumps its conversation's `updated_at` under the
 * row's lock, so one that commits while this runs makes the row fail the re-check and stay.
 */
const CONVERSATIONS = `
WITH batch AS (
  SELECT c.id FROM conversations c
   WHERE c.id = ANY($2::uuid[]) AND c.updated_at < ${CUTOFF}
     AND (c.last_inbound_at IS NULL OR c.last_inbound_at < ${CUTOFF})
     AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
     AND NOT EXISTS (SELECT 1 FROM inbound_messages i WHERE i.conversation_id = c.id)
   FOR UPDATE SKIP LOCKED),
gone AS (DELETE FROM conversations c USING batch WHERE c.id = batch.id RETURNING c.id)
SELECT count(*)::int AS main FROM gone`;

/** Every statement of a round, by kind of row (the plans of which a test checks). */
export const BATCH_STATEMENTS = {
  messages: MESSAGES,
  inbound_messages: INBOUND,
  unmatched_status_events: UNMATCHED_STATUS_EVENTS,
  events: EVENTS,
  conversations: CONVERSATIONS,
} as const;

function kinds(settings: RetentionSettings): Kind[] {
  const list: Kind[] = [];
  if (settings.messageDays > 0) {
    list.push(
      { name: 'messages', table: 'messages', days: settings.messageDays, sql: MESSAGES },
      { name: 'inbound_messages', table: 'inbound_messages', days: settings.messageDays, sql: INBOUND },
      { name: 'unmatched_status_events', table: 'message_events', days: settings.messageDays, sql: UNMATCHED_STATUS_EVENTS },
    );
  }
  if (settings.eventDays > 0) list.push({ name: 'events', table: 'events', days: settings.eventDays, sql: EVENTS });
  return list;
}

function noRows(): Counts {
  return Object.fromEntries(PRUNED_TABLES.map((t) => [t, 0])) as Counts;
}

/** One statement in a transaction of its own; 'busy' when it would have waited for a lock. */
async function batch(
  connection: pg.Client,
  kind: string,
  sql: string,
  values: unknown[],
  options: RoundOptions,
): Promise<BatchRow | 'busy'> {
  await connection.query('BEGIN');
  try {
    await connection.query(`SET LOCAL lock_timeout = '${BATCH_LOCK_TIMEOUT}'`);
    const { rows } = await connection.query<BatchRow & pg.QueryResultRow>(sql, values);
    await options.beforeCommit?.(kind);
    await connection.query('COMMIT');
    return rows[0] ?? { main: 0 };
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return 'busy';
    throw error;
  }
}

function add(counts: Counts, table: PrunedTable, n: number | undefined): void {
  if (!n) return;
  counts[table] += n;
  metrics.rowsPruned.inc({ table }, n);
}

/** One retention round (see the header); what it deleted, by table. */
export async function runRetentionRound(db: Knex, settings: RetentionSettings, options: RoundOptions = {}): Promise<RetentionRound> {
  const started = Date.now();
  const removed = noRows();
  const active = kinds(settings);
  const result = (ran: boolean, batches: number, unfinished: string[]): RetentionRound => ({
    ran,
    removed,
    batches,
    durationMs: Date.now() - started,
    unfinished,
  });
  if (active.length === 0) return result(true, 0, []);
  const pool = db.client as unknown as PoolClient;
  const connection = await pool.acquireConnection();
  try {
    const { rows } = await connection.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`);
    if (rows[0]?.locked !== true) return result(false, 0, []);
    try {
      const unfinished: string[] = [];
      const done = new Map<string, number>(active.map((k) => [k.name, 0]));
      let batches = 0;
      const timeLeft = () => Date.now() - started < settings.roundMaxMs && options.signal?.aborted !== true;
      while (active.length > 0 && timeLeft()) {
        for (const kind of [...active]) {
          if (!timeLeft()) break;
          if (batches > 0 && settings.batchPauseMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.batchPauseMs));
          const limit = Math.min(settings.batchSize, settings.roundMaxRows - done.get(kind.name)!);
          const outcome = await batch(connection, kind.name, kind.sql, [kind.days, limit], options);
          batches++;
          const finished = (left: boolean) => {
            active.splice(active.indexOf(kind), 1);
            if (left) unfinished.push(kind.name);
          };
          if (outcome === 'busy') {
            finished(true);
            continue;
          }
          add(removed, kind.table, outcome.main);
          add(removed, 'message_events', outcome.message_events);
          add(removed, 'event_deliveries', outcome.event_deliveries);
          add(removed, 'event_delivery_attempts', outcome.event_delivery_attempts);
          if (outcome.conversations && outcome.conversations.length > 0) {
            const emptied = await batch(connection, 'conversations', CONVERSATIONS, [kind.days, outcome.conversations], options);
            if (emptied !== 'busy') add(removed, 'conversations', emptied.main);
          }
          done.set(kind.name, done.get(kind.name)! + outcome.main);
          if (outcome.main < limit) finished(false);
          else if (done.get(kind.name)! >= settings.roundMaxRows) finished(true);
        }
      }
      unfinished.push(...active.map((k) => k.name));
      return result(true, batches, unfinished);
    } finally {
      await connection.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } finally {
    await pool.releaseConnection(connection);
  }
}

/** The tables a round deleted rows from, with their counts (for the round's log line). */
export function nonZero(removed: Readonly<Counts>): Partial<Counts> {
  return Object.fromEntries(Object.entries(removed).filter(([, n]) => n > 0));
}
