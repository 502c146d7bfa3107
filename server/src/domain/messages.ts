/**
 * Sending and looking up messages. A send is accepted in ONE statement, so one transaction and
 * one round trip (`mojeeb_accept_send`, db/sql/accept_send.sql, which owns every rule of a send):
 * it checks the agent, holds the idempotency claim, checks the business rules in the order
 * openapi.yaml documents (sending number, template, window, quota), and writes the conversation,
 * the message, its delivery job and the idempotency record together: after a crash there is
 * either nothing or all of it. docs/accepting-a-send.md follows a send through it.
 */
import type { Knex } from 'knex';
import type { components } from '../generated/openapi-types.ts';
import { ApiError } from '../core/errors.ts';
import { preparedQuery } from '../db/prepared.ts';
import { metrics } from '../metrics.ts';
import { BackgroundTask } from '../background.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { DELIVERY_TASK, WorkerWakeup } from '../delivery/queue.ts';
import { activeNumbersOfAgent } from './agents.ts';
import { closedWindow } from './window.ts';
import { requestHash } from './idempotency.ts';
import { templateMismatchMessage, type TemplateMismatch } from './template-mismatch.ts';
import { formatNullable, formatTimestamp } from './time.ts';

export type MessageResource = components['schemas']['Message'];
type SendMessageRequest = components['schemas']['SendMessageRequest'];
type SendTemplateRequest = components['schemas']['SendTemplateRequest'];

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

export interface MessageRow {
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

export const RESOURCE_COLUMNS = [
  'id',
  'status',
  'agent_id',
  'from_number',
  'to_number',
  'type',
  'conversation_id',
  'platform_message_id',
  'error_code',
  'error_message',
  'meta_error_code',
  'created_at',
  'sent_at',
  'delivered_at',
  'read_at',
  'failed_at',
] as const;

export function toMessageResource(row: MessageRow): MessageResource {
  return {
    id: row.id,
    direction: 'outbound',
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
        ? {
            code: row.error_code ?? 'upstream_rejected',
            message: row.error_message ?? 'The message could not be delivered.',
            meta_error_code: row.meta_error_code,
          }
        : null,
  };
}

/** What `mojeeb_accept_send` answers (db/sql/accept_send.sql lists the outcomes). */
interface AcceptRow {
  outcome:
    | 'accepted'
    | 'stored'
    | 'in_progress'
    | 'agent_not_found'
    | 'from_phone_not_found'
    | 'template_not_found'
    | 'template_not_approved'
    | 'template_mismatch'
    | 'window_closed'
    | 'quota_exceeded';
  message_id: string | null;
  conversation_id: string | null;
  created_at: Date | null;
  detail: Record<string, unknown> | null;
}

/** The arguments of `mojeeb_accept_send`, by name, with their types. */
const ACCEPT_ARGUMENTS = {
  organization_id: 'uuid',
  environment: 'text',
  api_key_id: 'uuid',
  agent_id: 'uuid',
  from: 'text',
  to: 'text',
  type: 'text',
  content: 'jsonb',
  template: 'json',
  idempotency_key: 'text',
  operation_id: 'text',
  request_hash: 'text',
  correlation_id: 'text',
  task: 'text',
} as const;
type AcceptArguments = { readonly [K in keyof typeof ACCEPT_ARGUMENTS]: string | null };

const ACCEPT_SQL = `SELECT outcome, message_id, conversation_id, created_at, detail FROM mojeeb_accept_send(${Object.entries(
  ACCEPT_ARGUMENTS,
)
  .map(([name, type]) => `p_${name} => ?::${type}`)
  .join(', ')})`;

/** Calls `mojeeb_accept_send` once, with named arguments. */
export async function acceptSend(db: Knex, args: AcceptArguments): Promise<AcceptRow> {
  const rows = await preparedQuery<AcceptRow>(
    db,
    'accept_send',
    ACCEPT_SQL,
    Object.keys(ACCEPT_ARGUMENTS).map((k) => args[k as keyof AcceptArguments]),
  );
  return rows[0]!;
}

export class Messaging {
  private readonly wakeup: WorkerWakeup;

  constructor(
    private readonly db: Knex,
    logger: Logger = silentLogger,
  ) {
    this.wakeup = new WorkerWakeup(db, new BackgroundTask('worker wake-up', logger));
  }

  /**
   * Accepts a send in one call (one statement, one commit): `mojeeb_accept_send` checks the
   * agent, the idempotency key, the sending number, the template or the window and the quota, in
   * this order, and writes everything or nothing. This method only turns its outcome into the
   * response or the error.
   */
  async send(sender: Sender, input: SendInput, options: SendOptions): Promise<SendResult> {
    const hash = options.idempotencyKey === undefined ? null : requestHash(input.operationId, input.body);
    const body = input.body;
    const template = input.type === 'template' ? input.body.template : null;
    const row = await acceptSend(this.db, {
      organization_id: sender.organizationId,
      environment: sender.environment,
      api_key_id: sender.keyId,
      agent_id: body.agent_id,
      from: body.from,
      to: body.to,
      type: input.type,
      content: storable(input.type === 'text' ? { text: input.body.text } : { template: input.body.template }),
      template: template === null ? null : storable(template),
      idempotency_key: options.idempotencyKey ?? null,
      operation_id: input.operationId,
      request_hash: hash,
      correlation_id: options.correlationId,
      task: DELIVERY_TASK,
    });
    switch (row.outcome) {
      case 'accepted':
        metrics.messagesAccepted.inc({ environment: sender.environment, type: input.type });
        this.wakeup.jobAdded();
        return { status: 202, message: acceptedResource(input, row), replayed: false };
      case 'stored': {
        const stored = row.detail as { operation_id: string; request_hash: string; correlation_id: string; body: MessageResource | null };
        if (stored.request_hash !== hash || stored.operation_id !== input.operationId) {
          throw new ApiError(
            'idempotency_key_in_use_with_different_params',
            'This Idempotency-Key was already used with a different request body.',
            { original_correlation_id: stored.correlation_id },
          );
        }
        // Same operation and body: the original message has this request's agent, numbers and type.
        return { status: 202, message: stored.body ?? acceptedResource(input, row), replayed: true };
      }
      case 'in_progress':
        throw new ApiError(
          'idempotency_key_in_progress',
          'A request with this Idempotency-Key is still being processed. Retry in 1 second.',
          {},
          { headers: { 'Retry-After': '1' } },
        );
      case 'agent_not_found':
        throw new ApiError('agent_not_found', `No agent with id '${body.agent_id}' exists.`, { param: 'agent_id' });
      case 'from_phone_not_found':
        throw new ApiError('from_phone_not_found_for_agent', `${body.from} is not an active WhatsApp number of this agent.`, {
          param: 'from',
          available_phones: await activeNumbersOfAgent(this.db, body.agent_id),
        });
      case 'template_not_found':
        throw new ApiError('template_not_found', `This number has no template '${template!.name}' in language '${template!.language}'.`, {
          param: 'template.name',
        });
      case 'template_not_approved':
        throw new ApiError(
          'template_not_approved',
          `The template '${template!.name}' (${template!.language}) is not approved by Meta (status ${String(row.detail!.status)}).`,
          { param: 'template.name' },
        );
      case 'template_mismatch': {
        const mismatch = row.detail as unknown as TemplateMismatch;
        throw new ApiError('invalid_template_parameters', templateMismatchMessage(template!, mismatch), { param: mismatch.param });
      }
      case 'window_closed': {
        const window = closedWindow(row.detail as { last_inbound_at: string | null; expires_at: string | null });
        throw new ApiError(
          'customer_service_window_closed',
          window.last_inbound_at === null
            ? 'The customer has not written to this number, so only templates may be sent; send a template to start the conversation.'
            : `The customer last wrote more than 24 hours ago (the window closed at ${window.expires_at}); send a template to reopen the conversation.`,
          { window },
        );
      }
      case 'quota_exceeded': {
        const quota = Number(row.detail!.quota);
        const resets = formatTimestamp(new Date(String(row.detail!.resets_at)));
        throw new ApiError('message_quota_exceeded', `The monthly message quota of ${quota} messages is used up; it resets on ${resets}.`, {
          quota_limit: quota,
          quota_resets_at: resets,
        });
      }
      default:
        throw new Error(`mojeeb_accept_send answered ${String(row.outcome)}`);
    }
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

/** The 202 body of an accepted send: the message as it was when accepted (queued). */
function acceptedResource(input: SendInput, row: AcceptRow): MessageResource {
  return toMessageResource({
    id: row.message_id!,
    status: 'queued',
    agent_id: input.body.agent_id,
    from_number: input.body.from,
    to_number: input.body.to,
    type: input.type,
    conversation_id: row.conversation_id!,
    platform_message_id: null,
    error_code: null,
    error_message: null,
    meta_error_code: null,
    created_at: row.created_at!,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
  });
}
