/**
 * Handing one queued message to WhatsApp (or to the sandbox). Run by the `deliver_message`
 * task of the queue (worker.ts); safe to run again for the same message:
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
 * - the deliveries running at the same time share their statements (batcher.ts): one loads a
 *   batch of messages, takes their slots and records the attempts due now (CLAIM), one records
 *   the attempts after a wait (ATTEMPT), one the sends Meta accepted (markAcceptedMany).
 */
import type { Knex } from 'knex';
import { preparedQuery } from '../db/prepared.ts';
import { markAccepted, markAcceptedMany, markFailed, type AcceptedSend } from '../domain/delivery-status.ts';
import type { SecretBox } from '../domain/secrets.ts';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { MetaApiError, MetaTransportError, type CloudApiClient, type SendResult } from '../whatsapp/cloud-api.ts';
import { buildMetaMessage, MessageBuildError, type MetaMessageBody, type StoredMessageContent, type TemplateShape } from '../whatsapp/message-builder.ts';
import { classifyMetaError } from '../whatsapp/meta-errors.ts';
import { Batcher, Limiter } from './batcher.ts';
import { sandboxOutcome, SANDBOX_STATUS_TASK } from './sandbox.ts';

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

interface Row {
  id: string;
  status: string;
  environment: 'live' | 'test';
  type: 'text' | 'template';
  to_number: string;
  content: StoredMessageContent;
  platform_message_id: string | null;
  send_attempted_at: Date | null;
  /** When the send was accepted (202): the start of the delivery latency. */
  created_at: Date;
  connection_id: string;
  phone_number_id: string | null;
  access_token_encrypted: string | null;
  messages_per_second: number;
  /** The number has an account or token error recorded (cleared by the next accepted send). */
  has_delivery_error: boolean;
  /** The stored definition of the template the message names (template messages only). */
  template: TemplateShape | null;
}

interface Claimed extends Row {
  /** The message took a sending slot (it is live, has credentials, was queued and unattempted). */
  slotted: boolean;
  /** How long to wait for the slot (≤ 0: now); null without a slot. */
  wait_ms: number | null;
  /** The attempt was recorded with the slot (a slot due now): this run, and only it, may call Meta. */
  attempted: boolean;
}

/**
 * One statement for a batch of messages: loads each message with its number (and, for a
 * template message, the template's definition); every one that is live, has credentials, is
 * still queued and was never attempted takes the number's next sending slot, and when that slot
 * is due now its attempt is recorded too. A number's slots are 1/rate apart (plus 10 % slack for
 * timer and network jitter) and come from its row in send_pacing, shared by every worker
 * process; a batch with k messages for a number moves that row k slots on and gives them the k
 * slots in turn. Rows are locked in connection order, so concurrent batches cannot deadlock.
 */
const CLAIM = `
WITH loaded AS (
  SELECT m.id, m.status, m.environment, m.type, m.to_number, m.content, m.platform_message_id, m.send_attempted_at, m.created_at,
    c.id AS connection_id, c.phone_number_id, c.access_token_encrypted, c.messages_per_second,
    c.last_delivery_error IS NOT NULL AS has_delivery_error,
    t.template
  FROM messages m
  JOIN whatsapp_connections c ON c.id = m.connection_id
  LEFT JOIN LATERAL (
    SELECT json_build_object(
      'name', t.name, 'language', t.language, 'parameterFormat', t.parameter_format, 'bodyParameters', t.body_parameters,
      'headerFormat', t.header_format, 'headerParameters', t.header_parameters, 'buttons', t.buttons) AS template
    FROM templates t
    WHERE m.type = 'template' AND t.connection_id = m.connection_id
      AND t.name = m.content->'template'->>'name' AND t.language = m.content->'template'->>'language'
  ) t ON true
  WHERE m.id = ANY(?::uuid[])
), sendable AS (
  SELECT id, connection_id, 1100::float8 / messages_per_second AS spacing_ms,
    row_number() OVER (PARTITION BY connection_id ORDER BY id) AS position,
    count(*) OVER (PARTITION BY connection_id) AS taken
  FROM loaded
  WHERE ?::boolean AND environment = 'live' AND phone_number_id IS NOT NULL AND access_token_encrypted IS NOT NULL
    AND status = 'queued' AND platform_message_id IS NULL AND send_attempted_at IS NULL
), slot AS (
  INSERT INTO send_pacing AS p (connection_id, next_slot)
  SELECT connection_id, now() + max(taken * spacing_ms) * interval '1 millisecond' FROM sendable GROUP BY connection_id ORDER BY connection_id
  ON CONFLICT (connection_id) DO UPDATE SET next_slot = greatest(p.next_slot, clock_timestamp()) + (EXCLUDED.next_slot - now())
  RETURNING connection_id, next_slot
), timed AS (
  SELECT r.id, CAST(extract(epoch FROM (s.next_slot - clock_timestamp())) * 1000 - (r.taken - r.position + 1) * r.spacing_ms AS float8) AS wait_ms
  FROM sendable r JOIN slot s ON s.connection_id = r.connection_id
), attempt AS (
  UPDATE messages m SET send_attempted_at = now(), delivery_attempts = m.delivery_attempts + 1
  FROM timed t
  WHERE m.id = t.id AND t.wait_ms <= 0 AND m.status = 'queued' AND m.platform_message_id IS NULL AND m.send_attempted_at IS NULL
  RETURNING m.id
)
SELECT l.*, t.id IS NOT NULL AS slotted, t.wait_ms, a.id IS NOT NULL AS attempted
FROM loaded l
LEFT JOIN timed t ON t.id = l.id
LEFT JOIN attempt a ON a.id = l.id`;

/** Records the attempts of messages whose slot was not due at once, after waiting for it. */
const ATTEMPT = `
UPDATE messages SET send_attempted_at = now(), delivery_attempts = delivery_attempts + 1
WHERE id = ANY(?::uuid[]) AND status = 'queued' AND platform_message_id IS NULL AND send_attempted_at IS NULL
RETURNING id`;

interface Batchers {
  readonly claim: Batcher<string, Claimed | undefined>;
  readonly attempt: Batcher<string, boolean>;
  readonly accept: Batcher<AcceptedSend, undefined>;
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
  const created: Batchers = {
    claim: new Batcher(async (ids) => {
      const rows = await preparedQuery<Claimed>(db, 'delivery_claim', CLAIM, [ids, deps.secrets !== null]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    }),
    attempt: new Batcher(async (ids) => {
      const done = new Set((await preparedQuery<{ id: string }>(db, 'delivery_attempt', ATTEMPT, [ids])).map((r) => r.id));
      return ids.map((id) => done.has(id));
    }),
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
    if (Date.now() - row.send_attempted_at.getTime() < (deps.reconcileAfterMs ?? RECONCILE_AFTER_MS)) throw new RetryLater('waiting for WhatsApp to confirm an earlier attempt');
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
    body = buildMetaMessage({ messageId: row.id, to: row.to_number, content: row.content, template: row.type === 'template' ? row.template : null });
  } catch (error) {
    if (!(error instanceof MessageBuildError)) throw error;
    // The template changed (or vanished) since the send was accepted: it cannot be sent as asked
    // (an attempt recorded with the slot never reached Meta; the message ends here).
    await markFailed(db, row.id, { code: 'template_error', message: error.message, metaErrorCode: null });
    return;
  }

  if (!row.attempted) {
    // A slot due now came with the attempt recorded, unless another run recorded one first.
    if (row.wait_ms === null || row.wait_ms <= 0) return;
    // A later slot: wait for it, then record the attempt (always before the call to Meta).
    await new Promise((resolve) => setTimeout(resolve, row.wait_ms!));
    if (!(await batch.attempt.add(row.id))) return;
  }
  let accepted: SendResult;
  try {
    accepted = await deps.cloudApi.sendMessage(row.phone_number_id, accessToken(deps.secrets, row.access_token_encrypted), body);
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
      logger.error('WhatsApp refused a send for an account or token reason', { message_id: row.id, meta_code: error.code, fbtrace_id: error.fbtraceId });
      metrics.operatorAlerts.inc({ code: String(error.code ?? 'none') });
      await db('whatsapp_connections')
        .where({ id: row.connection_id })
        .update({
          last_delivery_error: JSON.stringify({ meta_error_code: error.code, title: classified.title, details: error.details, fbtrace_id: error.fbtraceId }),
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

async function retryOrFail(deps: DeliveryDeps, id: string, attempt: number, code: string, message: string, metaErrorCode: number | null): Promise<void> {
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
    const steps =
      outcome.kind === 'failed'
        ? [{ status: 'failed', error: outcome.error }]
        : outcome.kind === 'delivered'
          ? [{ status: 'delivered' }]
          : [{ status: 'delivered' }, { status: 'read' }];
    for (const [i, step] of steps.entries()) {
      await trx.raw(`SELECT graphile_worker.add_job(?, ?::json, run_at => ?, max_attempts => 5)`, [
        SANDBOX_STATUS_TASK,
        JSON.stringify({ wamid, ...step, at: new Date(now + (i + 1) * deps.sandboxStepMs).toISOString() }),
        new Date(now + (i + 1) * deps.sandboxStepMs),
      ]);
    }
  });
  observeDeliveryLatency('sandbox', row.created_at, new Date(now));
}

/** Acceptance → hand-over, once the hand-over is recorded (a retried job is observed once, when it succeeds). */
function observeDeliveryLatency(channel: 'whatsapp' | 'sandbox', acceptedAt: Date | null | undefined, handedOverAt: Date): void {
  if (!(acceptedAt instanceof Date) || Number.isNaN(acceptedAt.getTime())) return;
  metrics.deliveryLatency.observe({ channel }, Math.max(0, handedOverAt.getTime() - acceptedAt.getTime()) / 1000);
}
