/**
 * The InboundMessage resource (openapi.yaml): a customer's message as the messages list returns
 * it and as the `message.received` event carries it, built from one `inbound_messages` row with
 * its conversation's agent and numbers.
 */
import type { components } from '../generated/openapi-types.ts';
import { formatTimestamp } from './time.ts';

export type InboundMessageResource = components['schemas']['InboundMessage'];

/** WhatsApp's types whose content is a media's metadata. */
const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker']);

export interface InboundRow {
  readonly id: string;
  readonly agent_id: string;
  /** The customer. */
  readonly from: string;
  /** The agent's number. */
  readonly to: string;
  readonly type: string;
  readonly conversation_id: string;
  readonly platform_message_id: string | null;
  readonly content: unknown;
  readonly received_at: Date | string;
  readonly created_at: Date | string;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function inboundResource(row: InboundRow): InboundMessageResource {
  const content = (typeof row.content === 'object' && row.content !== null ? row.content : {}) as Record<string, unknown>;
  return {
    id: row.id,
    direction: 'inbound',
    agent_id: row.agent_id,
    from: row.from,
    to: row.to,
    type: row.type,
    conversation_id: row.conversation_id,
    platform_message_id: text(row.platform_message_id),
    text: row.type === 'text' ? { body: text(content.body) ?? '' } : null,
    media: MEDIA_TYPES.has(row.type)
      ? {
          id: text(content.id),
          mime_type: text(content.mime_type),
          sha256: text(content.sha256),
          caption: text(content.caption),
          filename: text(content.filename),
        }
      : null,
    received_at: formatTimestamp(new Date(row.received_at)),
    created_at: formatTimestamp(new Date(row.created_at)),
  };
}
