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
 *   in the database shared by every worker process.
 */
import type { Knex } from 'knex';
import { markAccepted, markFailed } from '../domain/delivery-status.ts';
import type { SecretBox } from '../domain/secrets.ts';
import { findTemplate } from '../domain/templates.ts';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { MetaApiError, MetaTransportError, type CloudApiClient } from '../whatsapp/cloud-api.ts';
import { buildMetaMessage, MessageBuildError, type MetaMessageBody, type StoredMessageContent } from '../whatsapp/message-builder.ts';
import { classifyMetaError } from '../whatsapp/meta-errors.ts';
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
  connection_id: string;
  phone_number_id: string | null;
  access_token_encrypted: string | null;
  messages_per_second: number;
}

export async function deliverMessage(deps: DeliveryDeps, messageId: string, attempt: number): Promise<void> {
  const { db, logger } = deps;
  const row = (await db('messages as m')
    .join('whatsapp_connections as c', 'c.id', 'm.connection_id')
    .where('m.id', messageId)
    .first(
      'm.id', 'm.status', 'm.environment', 'm.type', 'm.to_number', 'm.content', 'm.platform_message_id', 'm.send_attempted_at',
      'c.id as connection_id', 'c.phone_number_id', 'c.access_token_encrypted', 'c.messages_per_second',
    )) as Row | undefined;
  if (!row || row.status !== 'queued' || row.platform_message_id !== null) return;

  if (row.environment === 'test' || row.access_token_encrypted === null || row.phone_number_id === null) {
    await deliverToSandbox(deps, row);
    return;
  }

  if (row.send_attempted_at !== null) {
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
  const template =
    row.type === 'template' && 'template' in row.content
      ? await findTemplate(db, row.connection_id, row.content.template.name, row.content.template.language)
      : null;
  let body: MetaMessageBody;
  try {
    body = buildMetaMessage({ messageId: row.id, to: row.to_number, content: row.content, template });
  } catch (error) {
    if (!(error instanceof MessageBuildError)) throw error;
    // The template changed (or vanished) since the send was accepted: it cannot be sent as asked.
    await markFailed(db, row.id, { code: 'template_error', message: error.message, metaErrorCode: null });
    return;
  }

  await waitForSendingSlot(db, row.connection_id, row.messages_per_second);
  await db('messages').where({ id: row.id }).update({ send_attempted_at: db.fn.now(), delivery_attempts: db.raw('delivery_attempts + 1') });
  try {
    const accepted = await deps.cloudApi.sendMessage(row.phone_number_id, deps.secrets.decrypt(row.access_token_encrypted), body);
    await markAccepted(db, row.id, { platformMessageId: accepted.wamid, platformStatus: accepted.messageStatus, at: new Date() });
    metrics.deliveries.inc({ outcome: 'accepted' });
    await db('whatsapp_connections')
      .where({ id: row.connection_id })
      .whereNotNull('last_delivery_error')
      .update({ last_delivery_error: null, last_delivery_error_at: null });
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
  }
}

async function retryOrFail(deps: DeliveryDeps, id: string, attempt: number, code: string, message: string, metaErrorCode: number | null): Promise<void> {
  if (attempt >= MAX_ATTEMPTS) {
    await markFailed(deps.db, id, { code, message, metaErrorCode });
    return;
  }
  throw new RetryLater(`${code} (attempt ${attempt} of ${MAX_ATTEMPTS})`);
}

/** Takes this number's next sending slot and waits for it (slots are shared by every worker). */
async function waitForSendingSlot(db: Knex, connectionId: string, perSecond: number): Promise<void> {
  const spacingMs = (1000 / perSecond) * 1.1;
  const result = await db.raw<{ rows: Array<{ wait_ms: number }> }>(
    `INSERT INTO send_pacing AS p (connection_id, next_slot) VALUES (?, clock_timestamp() + ? * interval '1 millisecond')
     ON CONFLICT (connection_id) DO UPDATE SET next_slot = greatest(p.next_slot, clock_timestamp()) + ? * interval '1 millisecond'
     RETURNING (extract(epoch FROM (next_slot - clock_timestamp())) * 1000 - ?)::float8 AS wait_ms`,
    [connectionId, spacingMs, spacingMs, spacingMs],
  );
  const waitMs = result.rows[0]!.wait_ms;
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
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
}
