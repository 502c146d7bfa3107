/**
 * Delivery statuses only move forward: queued → sent → delivered → read, or failed. WhatsApp
 * reports them out of order and more than once; each event is recorded once (per wamid and
 * status) and applied by rank, so a late `delivered` never takes a `read` message back, and a
 * `read` that arrives alone also stands for `delivered`. `failed` ends a message that was not
 * yet delivered; after delivery or read it is recorded but changes nothing. Events for a wamid
 * no message has yet are kept and applied when the message learns its wamid.
 */
import type { Knex } from 'knex';
import { preparedQuery } from '../db/prepared.ts';

export type ReportedStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
  readonly platformMessageId: string;
  readonly status: ReportedStatus;
  readonly occurredAt: Date;
  /** Our message id, echoed by WhatsApp from `biz_opaque_callback_data`, when it was sent. */
  readonly callbackData?: string | null;
  /** For `failed`: the mapped reason. */
  readonly error?: { readonly code: string; readonly message: string; readonly metaErrorCode: number | null } | null;
}

export type StatusOutcome = 'applied' | 'duplicate' | 'unmatched';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// One event applied: forward-only by rank, earliest timestamps kept, failure only before delivery.
const SET = `
  status = CASE
    WHEN m.status = 'failed' THEN 'failed'
    WHEN :status = 'failed' THEN CASE WHEN m.status IN ('queued', 'sent') THEN 'failed' ELSE m.status END
    WHEN array_position(ARRAY['queued','sent','delivered','read'], :status) > array_position(ARRAY['queued','sent','delivered','read'], m.status) THEN :status
    ELSE m.status END,
  platform_message_id = coalesce(m.platform_message_id, nullif(:wamid, '')),
  sent_at = CASE WHEN :status IN ('sent','delivered','read') THEN least(coalesce(m.sent_at, :at), :at) ELSE m.sent_at END,
  delivered_at = CASE WHEN :status IN ('delivered','read') AND m.status <> 'failed' THEN least(coalesce(m.delivered_at, :at), :at) ELSE m.delivered_at END,
  read_at = CASE WHEN :status = 'read' AND m.status <> 'failed' THEN least(coalesce(m.read_at, :at), :at) ELSE m.read_at END,
  failed_at = CASE WHEN :status = 'failed' AND m.status IN ('queued','sent') THEN :at ELSE m.failed_at END,
  error_code = CASE WHEN :status = 'failed' AND m.status IN ('queued','sent') THEN :errorCode ELSE m.error_code END,
  error_message = CASE WHEN :status = 'failed' AND m.status IN ('queued','sent') THEN :errorMessage ELSE m.error_message END,
  meta_error_code = CASE WHEN :status = 'failed' AND m.status IN ('queued','sent') THEN :metaErrorCode ELSE m.meta_error_code END,
  updated_at = now()`;
const APPLY = `UPDATE messages m SET ${SET} WHERE m.id = :messageId`;

// Accepted sends in one statement: `sent`, the status Meta reported and the wamid, for each
// message no event of whose wamid arrived before it was known (those are left to markAccepted).
// It is APPLY for the event `sent`, written out: only a queued message moves (to sent), the
// wamid is kept if one was known, and the earliest sent_at stands; a delivered, read or failed
// message keeps its status and timestamps.
//
// Committed without waiting for the WAL flush: the delivery job of each message is completed
// (by a synchronously committed statement) only after this one, and the WAL is flushed in order,
// so a completed job always has its `sent` durable. Lost in a database crash, the update is
// redone from the message's recorded attempt: the job runs again and waits for the status
// webhook instead of sending again.
const ACCEPT_MANY = `
WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
UPDATE messages m SET
  platform_message_status = v.platform_status,
  status = CASE WHEN m.status = 'queued' THEN 'sent' ELSE m.status END,
  platform_message_id = coalesce(m.platform_message_id, nullif(v.wamid, '')),
  sent_at = least(coalesce(m.sent_at, v.at), v.at),
  updated_at = now()
FROM unnest(?::uuid[], ?::text[], ?::text[], ?::timestamptz[]) AS v(id, wamid, platform_status, at), async_commit
WHERE m.id = v.id
  AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.platform_message_id = v.wamid AND e.message_id IS NULL)
RETURNING m.id`;

async function apply(db: Knex, messageId: string, event: StatusEvent): Promise<void> {
  await db.raw(APPLY, {
    messageId,
    status: event.status,
    wamid: event.platformMessageId,
    at: event.occurredAt,
    errorCode: event.error?.code ?? null,
    errorMessage: event.error?.message ?? null,
    metaErrorCode: event.error?.metaErrorCode ?? null,
  });
}

/** Records one reported status and applies it to its message, if there is one. */
export async function recordStatusEvent(db: Knex, event: StatusEvent): Promise<StatusOutcome> {
  return db.transaction(async (trx) => {
    const byWamid = await trx('messages').where({ platform_message_id: event.platformMessageId }).first('id');
    let messageId: string | undefined = byWamid?.id;
    if (messageId === undefined && event.callbackData && UUID.test(event.callbackData)) {
      const byCallback = await trx('messages').where({ id: event.callbackData }).whereNull('platform_message_id').first('id');
      messageId = byCallback?.id;
    }
    const inserted = await trx.raw<{ rows: unknown[] }>(
      `INSERT INTO message_events (message_id, platform_message_id, status, occurred_at, callback_data, error)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform_message_id, status) DO NOTHING RETURNING id`,
      [
        messageId ?? null,
        event.platformMessageId,
        event.status,
        event.occurredAt,
        event.callbackData ?? null,
        event.error ? JSON.stringify(event.error) : null,
      ],
    );
    if (inserted.rows.length === 0) return 'duplicate';
    if (messageId === undefined) return 'unmatched';
    await apply(trx, messageId, event);
    return 'applied';
  });
}

/**
 * The worker learned the wamid of a message (WhatsApp accepted it): mark it sent, then apply
 * any events that arrived for that wamid before we knew it.
 */
export async function markAccepted(
  db: Knex,
  messageId: string,
  accepted: { readonly platformMessageId: string; readonly platformStatus: string | null; readonly at: Date },
): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('messages').where({ id: messageId }).update({ platform_message_status: accepted.platformStatus, updated_at: trx.fn.now() });
    await apply(trx, messageId, { platformMessageId: accepted.platformMessageId, status: 'sent', occurredAt: accepted.at });
    const pending = await trx('message_events')
      .where({ platform_message_id: accepted.platformMessageId })
      .whereNull('message_id')
      .select('id', 'status', 'occurred_at', 'error');
    for (const row of pending) {
      await apply(trx, messageId, {
        platformMessageId: accepted.platformMessageId,
        status: row.status as ReportedStatus,
        occurredAt: row.occurred_at as Date,
        error: (row.error as StatusEvent['error']) ?? null,
      });
    }
    if (pending.length > 0)
      await trx('message_events')
        .whereIn(
          'id',
          pending.map((p) => p.id as string),
        )
        .update({ message_id: messageId });
  });
}

export interface AcceptedSend {
  readonly messageId: string;
  readonly platformMessageId: string;
  readonly platformStatus: string | null;
  readonly at: Date;
}

/**
 * markAccepted for many messages: one statement for all of them, unless events for a wamid came
 * before it was known (then markAccepted for that message).
 */
export async function markAcceptedMany(db: Knex, sends: readonly AcceptedSend[]): Promise<void> {
  if (sends.length === 0) return;
  const values = [
    sends.map((s) => s.messageId),
    sends.map((s) => s.platformMessageId),
    sends.map((s) => s.platformStatus),
    sends.map((s) => s.at),
  ];
  const rows = await preparedQuery<{ id: string }>(db, 'delivery_accept_many', ACCEPT_MANY, values);
  const done = new Set(rows.map((r) => r.id));
  for (const s of sends) {
    if (!done.has(s.messageId))
      await markAccepted(db, s.messageId, { platformMessageId: s.platformMessageId, platformStatus: s.platformStatus, at: s.at });
  }
}

/** Ends a message that could not be handed over (a final error from WhatsApp or the sandbox). */
export async function markFailed(
  db: Knex,
  messageId: string,
  error: NonNullable<StatusEvent['error']>,
  at: Date = new Date(),
): Promise<void> {
  await apply(db, messageId, { platformMessageId: '', status: 'failed', occurredAt: at, error });
}
