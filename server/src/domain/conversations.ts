/**
 * Conversations and the 24-hour customer-service window. A conversation is one business number
 * and one customer, within an organization: API sends and the customer's inbound messages land
 * in the same one, whoever spoke first. The window is open for 24 hours after the customer's
 * latest message to that number; business messages never extend it.
 */
import type { Knex } from 'knex';
import { windowState, type CustomerServiceWindow } from './window.ts';
import { recordInboundEvent } from './webhooks/events.ts';

export interface InboundMessage {
  /** The business number the customer wrote to (an active connection). */
  readonly businessNumber: string;
  readonly customerNumber: string;
  /** WhatsApp's id of the inbound message (wamid); deduplicates redeliveries. */
  readonly platformMessageId: string | null;
  readonly type: string;
  readonly content: unknown;
  readonly receivedAt: Date;
  /** The environment of its `message.received` event: `test` for the sandbox's simulated messages (default `live`). */
  readonly environment?: 'live' | 'test';
}

export interface RecordedInbound {
  readonly conversationId: string;
  /** False when this platform message id was already recorded (a redelivery). */
  readonly created: boolean;
  readonly window: CustomerServiceWindow;
}

export class UnknownBusinessNumberError extends Error {
  override name = 'UnknownBusinessNumberError';
}

/**
 * Records a customer's message to one of our numbers: the conversation is created or found,
 * its window opens or extends (never moves back for a late, older message), and the message is
 * stored once even when delivered twice.
 */
export async function recordInboundMessage(db: Knex, inbound: InboundMessage, now: Date = new Date()): Promise<RecordedInbound> {
  return db.transaction(async (trx) => {
    const connection = await trx('whatsapp_connections')
      .where({ phone_number: inbound.businessNumber, active: true })
      .first('organization_id', 'agent_id');
    if (!connection) throw new UnknownBusinessNumberError(`no active WhatsApp number ${inbound.businessNumber}`);
    const result = await trx.raw<{ rows: Array<{ id: string; last_inbound_at: Date; expires_at: Date }> }>(
      `INSERT INTO conversations (organization_id, business_number, customer_number, agent_id, last_inbound_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (organization_id, business_number, customer_number)
       DO UPDATE SET last_inbound_at = greatest(conversations.last_inbound_at, EXCLUDED.last_inbound_at), updated_at = now()
       RETURNING id, last_inbound_at, last_inbound_at + mojeeb_customer_service_window() AS expires_at`,
      [connection.organization_id, inbound.businessNumber, inbound.customerNumber, connection.agent_id, inbound.receivedAt],
    );
    const conversation = result.rows[0]!;
    const inserted = await trx.raw<{ rows: Array<{ id: string; created_at: Date }> }>(
      `INSERT INTO inbound_messages (conversation_id, platform_message_id, type, content, received_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform_message_id) DO NOTHING RETURNING id, created_at`,
      [conversation.id, inbound.platformMessageId, inbound.type, JSON.stringify(inbound.content ?? null), inbound.receivedAt],
    );
    const stored = inserted.rows[0];
    if (stored !== undefined) {
      // In this transaction: the event exists exactly when the message does.
      await recordInboundEvent(trx, {
        organizationId: connection.organization_id,
        environment: inbound.environment ?? 'live',
        inboundMessageId: stored.id,
        conversationId: conversation.id,
        agentId: connection.agent_id,
        customerNumber: inbound.customerNumber,
        businessNumber: inbound.businessNumber,
        type: inbound.type,
        content: inbound.content,
        receivedAt: inbound.receivedAt,
        platformMessageId: inbound.platformMessageId,
        createdAt: stored.created_at,
      });
    }
    return {
      conversationId: conversation.id,
      created: inserted.rows.length === 1,
      window: windowState(conversation.last_inbound_at, conversation.expires_at, now),
    };
  });
}
