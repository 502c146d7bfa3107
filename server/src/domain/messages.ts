/**
 * Sending and looking up messages. A send is accepted in ONE transaction that holds the
 * idempotency claim, checks the business rules in the order openapi.yaml documents (sending
 * number, template, window, quota), and writes the conversation, the message, its delivery job
 * and the stored response together: after a crash there is either nothing or all of it.
 */
import type { Knex } from 'knex';
import type { components } from '../generated/openapi-types.ts';
import { ApiError } from '../http/errors.ts';
import { metrics } from '../metrics.ts';
import { activeNumbersOfAgent } from './agents.ts';
import { upsertConversation, windowState } from './conversations.ts';
import { claimIdempotencyKey, requestHash, storeIdempotentResponse } from './idempotency.ts';
import { checkTemplateRequest, findTemplate, type TemplateRequest } from './templates.ts';
import { formatNullable, formatTimestamp } from './time.ts';

export type MessageResource = components['schemas']['Message'];
type SendMessageRequest = components['schemas']['SendMessageRequest'];
type SendTemplateRequest = components['schemas']['SendTemplateRequest'];

/** The graphile-worker task that hands a message to WhatsApp (or the sandbox). */
export const DELIVERY_TASK = 'deliver_message';

export interface Sender {
  readonly keyId: string;
  readonly organizationId: string;
  readonly environment: 'live' | 'test';
  /** null: every agent of the organization. */
  readonly agentIds: readonly string[] | null;
}

export type SendInput =
  | { readonly operationId: 'sendWhatsAppMessage'; readonly type: 'text'; readonly body: SendMessageRequest }
  | { readonly operationId: 'sendWhatsAppTemplate'; readonly type: 'template'; readonly body: SendTemplateRequest };

export interface SendOptions {
  readonly idempotencyKey: string | undefined;
  readonly correlationId: string;
}

export interface SendResult {
  readonly status: 202;
  readonly message: MessageResource;
  /** True when this is the stored response of an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

interface MessageRow {
  id: string;
  status: MessageResource['status'];
  agent_id: string;
  from_number: string;
  to_number: string;
  type: MessageResource['type'];
  conversation_id: string;
  platform_message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  meta_error_code: number | null;
  created_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  read_at: Date | null;
  failed_at: Date | null;
}

const RESOURCE_COLUMNS = [
  'id', 'status', 'agent_id', 'from_number', 'to_number', 'type', 'conversation_id', 'platform_message_id', 'error_code',
  'error_message', 'meta_error_code', 'created_at', 'sent_at', 'delivered_at', 'read_at', 'failed_at',
] as const;

export function toMessageResource(row: MessageRow): MessageResource {
  return {
    id: row.id,
    status: row.status,
    agent_id: row.agent_id,
    from: row.from_number,
    to: row.to_number,
    type: row.type,
    conversation_id: row.conversation_id,
    platform_message_id: row.platform_message_id,
    created_at: formatTimestamp(row.created_at),
    sent_at: formatNullable(row.sent_at),
    delivered_at: formatNullable(row.delivered_at),
    read_at: formatNullable(row.read_at),
    failed_at: formatNullable(row.failed_at),
    error:
      row.status === 'failed'
        ? { code: row.error_code ?? 'upstream_rejected', message: row.error_message ?? 'The message could not be delivered.', meta_error_code: row.meta_error_code }
        : null,
  };
}

export class Messaging {
  constructor(private readonly db: Knex) {}

  async send(sender: Sender, input: SendInput, options: SendOptions): Promise<SendResult> {
    const hash = options.idempotencyKey === undefined ? null : requestHash(input.operationId, input.body);
    return this.db.transaction(async (trx): Promise<SendResult> => {
      if (options.idempotencyKey !== undefined) {
        const claim = await claimIdempotencyKey(trx, sender.keyId, options.idempotencyKey);
        if (claim.kind === 'in_progress') {
          throw new ApiError(
            'idempotency_key_in_progress',
            'A request with this Idempotency-Key is still being processed. Retry in 1 second.',
            {},
            { headers: { 'Retry-After': '1' } },
          );
        }
        if (claim.kind === 'stored') {
          if (claim.response.requestHash !== hash || claim.response.operationId !== input.operationId) {
            throw new ApiError(
              'idempotency_key_in_use_with_different_params',
              'This Idempotency-Key was already used with a different request body.',
              { original_correlation_id: claim.response.correlationId },
            );
          }
          return { status: 202, message: claim.response.body as MessageResource, replayed: true };
        }
      }

      const body = input.body;
      const connection = await trx('whatsapp_connections')
        .where({ organization_id: sender.organizationId, agent_id: body.agent_id, phone_number: body.from, active: true })
        .first('id');
      if (!connection) {
        // The agent belongs to the key's organization (checked by the agent-access step).
        const available = await activeNumbersOfAgent(trx, body.agent_id);
        throw new ApiError('from_phone_not_found_for_agent', `${body.from} is not an active WhatsApp number of this agent.`, {
          param: 'from',
          available_phones: available,
        });
      }

      const conversationKey = { organizationId: sender.organizationId, businessNumber: body.from, customerNumber: body.to };
      if (input.type === 'template') {
        await checkTemplate(trx, connection.id as string, input.body.template);
      } else {
        const found = await trx('conversations')
          .where({ organization_id: sender.organizationId, business_number: body.from, customer_number: body.to })
          .first('last_inbound_at', trx.raw('now() AS now'));
        const window = windowState((found?.last_inbound_at as Date | null) ?? null, (found?.now as Date | undefined) ?? new Date());
        if (!window.open) {
          throw new ApiError(
            'customer_service_window_closed',
            window.last_inbound_at === null
              ? 'The customer has not written to this number, so only templates may be sent; send a template to start the conversation.'
              : `The customer last wrote more than 24 hours ago (the window closed at ${window.expires_at}); send a template to reopen the conversation.`,
            { window },
          );
        }
      }

      if (sender.environment === 'live') await consumeQuota(trx, sender.organizationId);

      const conversationId = await upsertConversation(trx, conversationKey, body.agent_id);
      const content = storable(input.type === 'text' ? { text: input.body.text } : { template: input.body.template });
      const [row] = await trx('messages')
        .insert({
          organization_id: sender.organizationId,
          environment: sender.environment,
          agent_id: body.agent_id,
          connection_id: connection.id,
          conversation_id: conversationId,
          api_key_id: sender.keyId,
          type: input.type,
          from_number: body.from,
          to_number: body.to,
          content,
        })
        .returning([...RESOURCE_COLUMNS]);
      const message = toMessageResource(row as MessageRow);
      await trx.raw(`SELECT graphile_worker.add_job(?, json_build_object('message_id', ?::text), job_key => ?)`, [
        DELIVERY_TASK,
        message.id,
        `${DELIVERY_TASK}:${message.id}`,
      ]);
      if (options.idempotencyKey !== undefined) {
        await storeIdempotentResponse(trx, sender.keyId, options.idempotencyKey, {
          operationId: input.operationId,
          requestHash: hash!,
          correlationId: options.correlationId,
          status: 202,
          body: message,
          messageId: message.id,
        });
      }
      return { status: 202, message, replayed: false };
    }).then((result) => {
      if (!result.replayed) metrics.messagesAccepted.inc({ type: input.type, environment: sender.environment });
      return result;
    });
  }

  /** The message, if the key may see it: same organization and environment, an allowed agent. */
  async get(sender: Sender, id: string): Promise<MessageResource | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const query = this.db('messages')
      .where({ id: id.toLowerCase(), organization_id: sender.organizationId, environment: sender.environment })
      .first([...RESOURCE_COLUMNS]);
    if (sender.agentIds !== null) query.whereIn('agent_id', [...sender.agentIds]);
    const row = (await query) as MessageRow | undefined;
    return row ? toMessageResource(row) : null;
  }
}

/**
 * JSON for a jsonb column: PostgreSQL's jsonb cannot hold U+0000 or an unpaired surrogate, and
 * WhatsApp cannot carry them either; each becomes U+FFFD (openapi.yaml says so on the fields).
 */
function storable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\uFFFD') : v,
  );
}

async function checkTemplate(trx: Knex.Transaction, connectionId: string, request: TemplateRequest): Promise<void> {
  const template = await findTemplate(trx, connectionId, request.name, request.language);
  if (!template) {
    throw new ApiError('template_not_found', `This number has no template '${request.name}' in language '${request.language}'.`, {
      param: 'template.name',
    });
  }
  if (template.status !== 'APPROVED') {
    throw new ApiError(
      'template_not_approved',
      `The template '${request.name}' (${request.language}) is not approved by Meta (status ${template.status}).`,
      { param: 'template.name' },
    );
  }
  const mismatch = checkTemplateRequest(template, request);
  if (mismatch) throw new ApiError('invalid_template_parameters', mismatch.message, { param: mismatch.param });
}

/** One message of the organization's monthly quota, or 402 when it is used up. */
async function consumeQuota(trx: Knex.Transaction, organizationId: string): Promise<void> {
  const result = await trx.raw<{ rows: Array<{ messages_sent: number }> }>(
    `INSERT INTO organization_usage AS u (organization_id, period_start, messages_sent)
     SELECT o.id, date_trunc('month', now() AT TIME ZONE 'UTC')::date, 1 FROM organizations o
      WHERE o.id = ? AND o.monthly_message_quota > 0
     ON CONFLICT (organization_id, period_start) DO UPDATE SET messages_sent = u.messages_sent + 1
      WHERE u.messages_sent < (SELECT monthly_message_quota FROM organizations WHERE id = u.organization_id)
     RETURNING messages_sent`,
    [organizationId],
  );
  if (result.rows.length === 0) {
    const info = await trx.raw<{ rows: Array<{ quota: number; resets_at: Date }> }>(
      `SELECT monthly_message_quota AS quota,
              (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC' AS resets_at
         FROM organizations WHERE id = ?`,
      [organizationId],
    );
    const { quota, resets_at } = info.rows[0]!;
    const resets = formatTimestamp(resets_at);
    throw new ApiError('message_quota_exceeded', `The monthly message quota of ${quota} messages is used up; it resets on ${resets}.`, {
      quota_limit: quota,
      quota_resets_at: resets,
    });
  }
}
