/**
 * What Meta's webhooks mean for us: an inbound customer message opens (or extends) the window
 * of its conversation and is stored once; a status moves its message forward (a failure with
 * our mapped error). Events for numbers we do not know are logged and dropped; status events
 * for messages we cannot match yet are kept for reconciliation (delivery-status.ts).
 */
import type { Knex } from 'knex';
import { findConnectionByPhoneNumberId } from '../domain/agents.ts';
import { recordInboundMessage } from '../domain/conversations.ts';
import { recordStatusEvent, type StatusOutcome } from '../domain/delivery-status.ts';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';
import { classifyMetaError } from '../whatsapp/meta-errors.ts';
import type { WebhookEvent } from '../whatsapp/webhook-payload.ts';

export interface WebhookTally {
  inbound: number;
  duplicates: number;
  statuses: Record<StatusOutcome, number>;
  ignored: number;
}

export async function handleWebhookEvents(db: Knex, events: readonly WebhookEvent[], logger: Logger): Promise<WebhookTally> {
  const tally: WebhookTally = { inbound: 0, duplicates: 0, statuses: { applied: 0, duplicate: 0, unmatched: 0 }, ignored: 0 };
  const numbers = new Map<string, string | null>();
  const businessNumber = async (phoneNumberId: string): Promise<string | null> => {
    if (!numbers.has(phoneNumberId))
      numbers.set(phoneNumberId, (await findConnectionByPhoneNumberId(db, phoneNumberId))?.phoneNumber ?? null);
    return numbers.get(phoneNumberId)!;
  };

  for (const event of events) {
    if (event.kind === 'error') {
      logger.error('whatsapp account error reported by webhook', { phone_number_id: event.phoneNumberId, errors: event.errors });
      tally.ignored += 1;
      continue;
    }
    if (event.kind === 'inbound') {
      const number = await businessNumber(event.phoneNumberId);
      if (number === null || event.from === null) {
        logger.warn('inbound message for an unknown number or sender ignored', {
          phone_number_id: event.phoneNumberId,
          wamid: event.wamid,
        });
        tally.ignored += 1;
        continue;
      }
      const recorded = await recordInboundMessage(db, {
        businessNumber: number,
        customerNumber: event.from,
        platformMessageId: event.wamid,
        type: event.type,
        content: event.content,
        receivedAt: event.timestamp,
      });
      if (recorded.created) tally.inbound += 1;
      else tally.duplicates += 1;
      metrics.webhookEvents.inc({ kind: 'inbound', outcome: recorded.created ? 'recorded' : 'duplicate' });
      continue;
    }
    const first = event.errors[0];
    const error =
      event.status === 'failed'
        ? (() => {
            const classified = classifyMetaError(first?.code ?? null, first?.details ?? null);
            if (classified.alertOperator)
              logger.error('whatsapp reported an account problem on a message', { wamid: event.wamid, code: first?.code });
            return {
              code: classified.messageErrorCode,
              message: first?.details ?? first?.message ?? first?.title ?? 'WhatsApp could not deliver the message.',
              metaErrorCode: first?.code ?? null,
            };
          })()
        : null;
    const outcome = await recordStatusEvent(db, {
      platformMessageId: event.wamid,
      status: event.status,
      occurredAt: event.timestamp,
      callbackData: event.callbackData,
      error,
    });
    tally.statuses[outcome] += 1;
    metrics.webhookEvents.inc({ kind: 'status', outcome });
  }
  return tally;
}
