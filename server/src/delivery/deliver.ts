/**
 * Handing one queued message to WhatsApp (or to the sandbox). Run by the `deliver_message`
 * task of the queue (queue-runner.ts); safe to run again for the same message:
 *
 * - a message no longer `queued` was handed over already: nothing to do;
 * - before calling Meta the attempt is recorded (`send_attempted_at`); if a later run finds an
 *   attempt whose outcome is unknown (a timeout after the request left, a worker killed
 *   mid-call), it never sends again: the status webhook, matched by our id in
 *   `biz_opaque_callback_data`, settles the message, and if none comes within
 *   RECONCILE_AFTER_MS the message fails as `expired` instead of risking a duplicate;
 * - Meta errors are classified (whatsapp/meta-errors.ts): final ones fail the message with the
 *   mapped code, transient ones are retried by the queue with backoff, up to MAX_ATTEMPTS;
 *   account and token errors are logged for operators and retried, never shown as a 401;
 * - each number sends at most its `messages_per_second` over any one-second span: every send
 *   takes the number's next slot, 1/rate apart (plus 10 % slack for timer and network jitter), from one row
 *   in the database shared by every worker process; the attempt is recorded once the slot is
 *   due, so a run cut while it waits for its slot has sent nothing and the message is sent later;
 *   a send goes out only inside its slot (pacing.ts): checked against the database's clock right
 *   before the call to Meta, a send that missed its slot (a stalled process, a slow statement)
 *   takes the number's next free slot instead of going out late, giving back its attempt unless
 *   that slot is near;
 * - the deliveries running at the same time share their statements (batcher.ts): one loads a
 *   batch of messages, takes their slots and records the attempts of slots due within 50 ms
 *   (CLAIM), one records the attempts of later slots shortly before them (ATTEMPT), one the
 *   sends Meta accepted (markAcceptedMany), and, only after missed slots, one takes new slots
 *   (RESLOT); the statements are in delivery-sql.ts.
 */
import type { Knex } from 'knex';
import { localNow, preparedQuery, type QueryTiming } from '../db/prepared.ts';
import { markAccepted, markAcceptedMany, markFailed, type AcceptedSend } from '../domain/delivery-status.ts';
import type { SecretBox } from '../domain/secrets.ts';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { MetaApiError, MetaTransportError, type CloudApiClient, type SendResult } from '../whatsapp/cloud-api.ts';
import { buildMetaMessage, MessageBuildError, type MetaMessageBody } from '../whatsapp/message-builder.ts';
import { classifyMetaError } from '../whatsapp/meta-errors.ts';
import { Batcher, Limiter } from './batcher.ts';
import { AttemptLead, DatabaseClock, missedSlot, waitForSlot } from './pacing.ts';
import { ATTEMPT, CLAIM, RELEASE, RESLOT, type Claimed, type Row } from './delivery-sql.ts';
import { sandboxOutcome, sandboxSteps, scheduleSandboxSteps } from './sandbox.ts';

export const MAX_ATTEMPTS = 8;
export const RECONCILE_AFTER_MS = 10 * 60 * 1000;

export interface DeliveryDeps {
  readonly db: Knex;
  readonly cloudApi: CloudApiClient;
  readonly secrets: SecretBox | null;
  readonly logger: Logger;
  /** Delay between the sandbox's simulated statuses. */
  readonly sandboxStepMs: number;
  /** How long an attempt with an unknown outcome waits for WhatsApp's confirmation (default 10 minutes). */
  readonly reconcileAfterMs?: number;
}

/** Thrown to have the queue run the job again later (its own exponential backoff). */
export class RetryLater extends Error {
  override name = 'RetryLater';
}

/** A message that missed its slot, with the attempt it recorded for it (null: none). */
interface Missed {
  readonly id: string;
  readonly token: string | null;
}

/** Its new slot, and the attempt it holds for it (recorded or kept when the slot is near; null: none). */
interface Reslotted {
  readonly slot_ms: number;
  readonly attempt_token: string | null;
}

interface Batchers {
  readonly claim: Batcher<string, Claimed | undefined>;
  /** The recorded attempt's token; null when another run recorded one first (or the message moved on). */
  readonly attempt: Batcher<string, string | null>;
  /** The new slot (database epoch ms) and the attempt held for it; null when the message may not be sent by this run any more. */
  readonly reslot: Batcher<Missed, Reslotted | null>;
  readonly accept: Batcher<AcceptedSend, undefined>;
  /** The database's clock, from the answers of the statements above. */
  readonly clock: DatabaseClock;
  /** How long before its slot a message records its attempt. */
  readonly lead: AttemptLead;
  /** Sandbox deliveries (a transaction each) in the database at once: the pool stays free for the rest. */
  readonly sandbox: Limiter;
}

/** At most this many sandbox deliveries hold a database connection at once, per worker. */
const SANDBOX_TRANSACTIONS = 4;

// One set per set of dependencies (per worker): jobs running at the same time share statements.
const batchers = new WeakMap<DeliveryDeps, Batchers>();

function batchersFor(deps: DeliveryDeps): Batchers {
  const existing = batchers.get(deps);
  if (existing !== undefined) return existing;
  const { db } = deps;
  const clock = new DatabaseClock();
  /** Runs a statement whose rows carry `db_now_ms`, and samples the database's clock with it. */
  const clocked = async <R extends { db_now_ms: number }>(name: string, sql: string, values: readonly unknown[]): Promise<R[]> => {
    const timing: QueryTiming = { sentAt: 0, receivedAt: 0 };
    const rows = await preparedQuery<R>(db, name, sql, values, timing);
    if (rows.length > 0) clock.sample(timing.sentAt, timing.receivedAt, rows[0]!.db_now_ms);
    return rows;
  };
  const created: Batchers = {
    claim: new Batcher(async (ids) => {
      const rows = await clocked<Claimed>('delivery_claim', CLAIM, [ids, deps.secrets !== null]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    }),
    attempt: new Batcher(async (ids) => {
      const rows = await clocked<{ id: string; attempt_token: string; db_now_ms: number }>('delivery_attempt', ATTEMPT, [ids]);
      const done = new Map(rows.map((r) => [r.id, r.attempt_token]));
      return ids.map((id) => done.get(id) ?? null);
    }),
    reslot: new Batcher<Missed, Reslotted | null>(async (missed) => {
      const rows = await clocked<{ id: string; slot_ms: number; attempt_token: string | null; db_now_ms: number }>(
        'delivery_reslot',
        RESLOT,
        [missed.map((m) => m.id), missed.map((m) => m.token)],
      );
      const slots = new Map(rows.map((r) => [r.id, r]));
      return missed.map((m) => slots.get(m.id) ?? null);
    }),
    clock,
    lead: new AttemptLead(),
    accept: new Batcher(async (sends) => {
      await markAcceptedMany(db, sends);
      return sends.map(() => undefined);
    }),
    sandbox: new Limiter(SANDBOX_TRANSACTIONS),
  };
  batchers.set(deps, created);
  return created;
}

/** Access tokens by their stored (encrypted) form: decrypted once per process, not per send. */
const tokens = new Map<string, string>();

function accessToken(secrets: SecretBox, encrypted: string): string {
  let token = tokens.get(encrypted);
  if (token === undefined) {
    token = secrets.decrypt(encrypted);
    if (tokens.size >= 1_000) tokens.clear();
    tokens.set(encrypted, token);
  }
  return token;
}

export async function deliverMessage(deps: DeliveryDeps, messageId: string, attempt: number): Promise<void> {
  const { db, logger } = deps;
  const batch = batchersFor(deps);
  const row = await batch.claim.add(messageId);
  if (!row || row.status !== 'queued' || row.platform_message_id !== null) return;

  if (row.environment === 'test' || row.access_token_encrypted === null || row.phone_number_id === null) {
    await batch.sandbox.run(() => deliverToSandbox(deps, row));
    return;
  }

  if (row.send_attempted_at !== null && !row.attempted) {
    // An earlier attempt may have reached Meta: wait for its status webhook rather than resend.
    if (Date.now() - row.send_attempted_at.getTime() < (deps.reconcileAfterMs ?? RECONCILE_AFTER_MS))
      throw new RetryLater('waiting for WhatsApp to confirm an earlier attempt');
    await markFailed(db, row.id, {
      code: 'expired',
      message: 'WhatsApp did not confirm whether it accepted the message; it was not sent again, to avoid a duplicate.',
      metaErrorCode: null,
    });
    return;
  }

  if (deps.secrets === null) {
    logger.error('cannot read the access token: no encryption key configured', { message_id: row.id });
    return retryOrFail(deps, row.id, attempt, 'sending_number_unavailable', 'The sending number is not configured correctly.', null);
  }
  // Without a slot nothing may be sent (every live, queued, unattempted message gets one).
  if (!row.slotted) return;

  let body: MetaMessageBody;
  try {
    body = buildMetaMessage({
      messageId: row.id,
      to: row.to_number,
      content: row.content,
      template: row.type === 'template' ? row.template : null,
    });
  } catch (error) {
    if (!(error instanceof MessageBuildError)) throw error;
    // The template changed (or vanished) since the send was accepted: it cannot be sent as asked
    // (an attempt recorded with the slot never reached Meta; the message ends here).
    await markFailed(db, row.id, { code: 'template_error', message: error.message, metaErrorCode: null });
    return;
  }

  // A slot due now (or that near) came with the attempt recorded, unless another run recorded one first.
  if (row.slot_ms === null || (!row.attempted && row.due)) return;
  const token = accessToken(deps.secrets, row.access_token_encrypted);
  const go = await sendingSlot(db, batch, logger, row.id, row.slot_ms!, row.attempted ? row.attempt_token : null);
  if (!go) return;
  let accepted: SendResult;
  try {
    // Nothing between the last check of the slot (in sendingSlot) and the call.
    accepted = await deps.cloudApi.sendMessage(row.phone_number_id, token, body);
  } catch (error) {
    if (error instanceof MetaTransportError && error.requestMayHaveArrived) {
      logger.warn('outcome of a send is unknown; waiting for its status webhook', { message_id: row.id, reason: error.reason });
      metrics.deliveries.inc({ outcome: 'unknown' });
      throw new RetryLater('outcome unknown');
    }
    // The request was refused or never left: it is safe to send it again later.
    await db('messages').where({ id: row.id }).update({ send_attempted_at: null });
    if (error instanceof MetaTransportError) throw new RetryLater(`transport: ${error.reason}`);
    if (!(error instanceof MetaApiError)) throw error;
    const classified = classifyMetaError(error.code, error.details);
    if (classified.alertOperator) {
      logger.error('WhatsApp refused a send for an account or token reason', {
        message_id: row.id,
        meta_code: error.code,
        fbtrace_id: error.fbtraceId,
      });
      metrics.operatorAlerts.inc({ code: String(error.code ?? 'none') });
      await db('whatsapp_connections')
        .where({ id: row.connection_id })
        .update({
          last_delivery_error: JSON.stringify({
            meta_error_code: error.code,
            title: classified.title,
            details: error.details,
            fbtrace_id: error.fbtraceId,
          }),
          last_delivery_error_at: db.fn.now(),
        });
    }
    const text = error.details ?? error.metaMessage ?? 'WhatsApp refused the message.';
    if (classified.retry === 'backoff' || classified.retry === 'operator') {
      metrics.deliveries.inc({ outcome: attempt >= MAX_ATTEMPTS ? 'failed' : 'retried' });
      return retryOrFail(deps, row.id, attempt, classified.messageErrorCode, text, error.code);
    }
    metrics.deliveries.inc({ outcome: 'failed' });
    await markFailed(db, row.id, { code: classified.messageErrorCode, message: text, metaErrorCode: error.code });
    return;
  }
  metrics.deliveries.inc({ outcome: 'accepted' });
  const handedOver = new Date();
  // Meta accepted it. Should recording that fail, the attempt stays recorded: the job's next
  // run waits for the status webhook (matched by our id) instead of sending again.
  await batch.accept.add({ messageId: row.id, platformMessageId: accepted.wamid, platformStatus: accepted.messageStatus, at: handedOver });
  observeDeliveryLatency('whatsapp', row.created_at, handedOver);
  if (row.has_delivery_error) {
    await db('whatsapp_connections')
      .where({ id: row.connection_id })
      .whereNotNull('last_delivery_error')
      .update({ last_delivery_error: null, last_delivery_error_at: null });
  }
}

/** How many slots in a row a run may miss before it leaves the message to a later run. */
const MAX_MISSED_SLOTS = 5;

/**
 * Holds the message until it may go out: its attempt is recorded (always before the call to
 * Meta, at most MAX_ATTEMPT_LEAD_MS before the slot: with the slot when it is that near, or by
 * a statement that leaves about its own duration before the slot), its slot has come, and it is
 * not later than the tolerance after its slot. A send that missed its slot (timers fired late,
 * the process or a statement stalled) takes the number's next free slot instead, keeping its
 * attempt when that slot is near and giving it back otherwise. Returns with no await
 * between the last check and the caller's call to Meta; false: this run may not send (another
 * run recorded an attempt, or the message moved on).
 */
async function sendingSlot(
  db: Knex,
  batch: Batchers,
  logger: Logger,
  id: string,
  firstSlot: number,
  firstToken: string | null,
): Promise<boolean> {
  let slot = firstSlot;
  let token = firstToken;
  for (let missed = 0; ; ) {
    if (token === null) {
      await waitForSlot(batch.clock, slot, batch.lead.ms);
      // Recorded only while the slot holds: a late timer takes a new slot without writing an attempt.
      if (!missedSlot(batch.clock, slot)) {
        const asked = localNow();
        token = await batch.attempt.add(id);
        batch.lead.observe(localNow() - asked);
        if (token === null) return false;
      }
    }
    if (token !== null) {
      await waitForSlot(batch.clock, slot);
      if (!missedSlot(batch.clock, slot)) return true;
    }
    metrics.deliveries.inc({ outcome: 'missed_slot' });
    logger.debug('a send missed its sending slot; it takes a new one', { message_id: id, late_ms: Math.round(batch.clock.lateness(slot)) });
    if (++missed >= MAX_MISSED_SLOTS) {
      // Left to a later run, with the attempt given back: nothing was sent.
      if (token !== null) await db.raw(RELEASE, [id, token]);
      throw new RetryLater(
        `missed ${missed} sending slots in a row (clock uncertainty ±${batch.clock.uncertainty(localNow()).toFixed(1)} ms)`,
      );
    }
    const next = await batch.reslot.add({ id, token });
    if (next === null) return false;
    slot = next.slot_ms;
    token = next.attempt_token;
  }
}

async function retryOrFail(
  deps: DeliveryDeps,
  id: string,
  attempt: number,
  code: string,
  message: string,
  metaErrorCode: number | null,
): Promise<void> {
  if (attempt >= MAX_ATTEMPTS) {
    await markFailed(deps.db, id, { code, message, metaErrorCode });
    return;
  }
  throw new RetryLater(`${code} (attempt ${attempt} of ${MAX_ATTEMPTS})`);
}

async function deliverToSandbox(deps: DeliveryDeps, row: Row): Promise<void> {
  const outcome = sandboxOutcome(row.to_number, row.type);
  metrics.deliveries.inc({ outcome: 'sandbox' });
  const wamid = `wamid.sandbox.${row.id.replace(/-/g, '')}`;
  const now = Date.now();
  await deps.db.transaction(async (trx) => {
    await markAccepted(trx, row.id, { platformMessageId: wamid, platformStatus: 'accepted', at: new Date(now) });
    await scheduleSandboxSteps(trx, wamid, sandboxSteps(outcome), deps.sandboxStepMs);
  });
  observeDeliveryLatency('sandbox', row.created_at, new Date(now));
}

/** Acceptance → hand-over, once the hand-over is recorded (a retried job is observed once, when it succeeds). */
function observeDeliveryLatency(channel: 'whatsapp' | 'sandbox', acceptedAt: Date | null | undefined, handedOverAt: Date): void {
  if (!(acceptedAt instanceof Date) || Number.isNaN(acceptedAt.getTime())) return;
  metrics.deliveryLatency.observe({ channel }, Math.max(0, handedOverAt.getTime() - acceptedAt.getTime()) / 1000);
}
