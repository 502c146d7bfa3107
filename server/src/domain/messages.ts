/**
 * Sending and looking up messages. A send is accepted in ONE statement, so one transaction and
 * one round trip (`mojeeb_accept_send`, migration 20261129220000): it checks the agent, holds the
 * idempotency claim, checks the business rules in the order openapi.yaml documents (sending
 * number, template, window, quota), and writes the conversation, the message, its delivery job
 * and the idempotency record together: after a crash there is either nothing or all of it.
 */
import type { Knex } from 'knex';
import type { components } from '../generated/openapi-types.ts';
import type { AttachedQuery } from './api-keys/authenticate.ts';
import { ApiError } from '../http/errors.ts';
import { preparedQuery } from '../db/prepared.ts';
import { metrics } from '../metrics.ts';
import { BackgroundTask } from '../background.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { activeNumbersOfAgent } from './agents.ts';
import { WINDOW_MS, windowState } from './conversations.ts';
import { requestHash } from './idempotency.ts';
import { checkTemplateRequest, templateFromRow, type StoredTemplate, type TemplateRow } from './templates.ts';
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
  'id', 'status', 'agent_id', 'from_number', 'to_number', 'type', 'conversation_id', 'platform_message_id', 'error_code',
  'error_message', 'meta_error_code', 'created_at', 'sent_at', 'delivered_at', 'read_at', 'failed_at',
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
        ? { code: row.error_code ?? 'upstream_rejected', message: row.error_message ?? 'The message could not be delivered.', meta_error_code: row.meta_error_code }
        : null,
  };
}

/** What `mojeeb_accept_send` answers (migration 20261129220000_accept_send_function). */
interface AcceptRow {
  outcome:
    | 'accepted' | 'stored' | 'in_progress' | 'agent_not_found' | 'from_phone_not_found' | 'template_not_found'
    | 'template_not_approved' | 'check_template' | 'window_closed' | 'quota_exceeded' | 'quota_exact';
  message_id: string | null;
  conversation_id: string | null;
  created_at: Date | null;
  detail: Record<string, unknown> | null;
}

const ACCEPT_SQL = `SELECT outcome, message_id, conversation_id, created_at, detail FROM mojeeb_accept_send(
  ?::uuid, ?::text, ?::uuid, ?::uuid, ?::text, ?::text, ?::text, ?::jsonb, ?::text, ?::text, ?::text, ?::bigint, ?::boolean,
  ?::text, ?::text, ?::text, ?::text, ?::text)`;

/**
 * Template definitions kept between sends (with the row version they were read at), by
 * organization, agent, number, name and language: at most this many.
 */
const TEMPLATE_CACHE_SIZE = 1_000;
/**
 * Calls of the function per send: a first template check and the last messages of a quota
 * (counted exactly) each cost one more; a send whose template keeps changing gives up (503).
 */
const MAX_ROUNDS = 4;

export class Messaging {
  private readonly templates = new Map<string, { template: StoredTemplate; version: string }>();
  private readonly wakeup: WorkerWakeup;

  constructor(
    private readonly db: Knex,
    logger: Logger = silentLogger,
  ) {
    this.wakeup = new WorkerWakeup(db, new BackgroundTask('worker wake-up', logger));
  }

  /**
   * Accepts a send in one round trip (one statement, one commit): `mojeeb_accept_send` checks
   * the agent, the idempotency key, the sending number, the template or the window and the
   * quota, in this order, and writes everything or nothing. A template's parameters are checked
   * here against the definition the function returns, then the call is repeated with the
   * version checked; definitions are kept between sends, so a known template costs no extra trip.
   */
  async send(sender: Sender, input: SendInput, options: SendOptions): Promise<SendResult> {
    const hash = options.idempotencyKey === undefined ? null : requestHash(input.operationId, input.body);
    const body = input.body;
    const template = input.type === 'template' ? input.body.template : null;
    const cacheKey = template ? [sender.organizationId, body.agent_id, body.from, template.name, template.language].join('\n') : '';
    const content = storable(input.type === 'text' ? { text: input.body.text } : { template: input.body.template });

    let exactQuota = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let version: string | null = null;
      if (template) {
        const known = this.templates.get(cacheKey);
        // A request that does not fit the known definition is checked against the stored one (the
        // error then comes in the documented order, after the agent, idempotency and number checks).
        if (known && checkTemplateRequest(known.template, template) === null) version = known.version;
      }
      const rows = await preparedQuery<AcceptRow>(this.db, 'mojeeb_accept_send', ACCEPT_SQL, [
        sender.organizationId, sender.environment, sender.keyId, body.agent_id, body.from, body.to, input.type, content,
        template?.name ?? null, template?.language ?? null, version, WINDOW_MS, exactQuota,
        options.idempotencyKey ?? null, input.operationId, hash, options.correlationId, DELIVERY_TASK,
      ]);
      const row = rows[0]!;
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
        case 'check_template': {
          const definition = templateFromRow(row.detail as unknown as TemplateRow);
          const mismatch = checkTemplateRequest(definition, template!);
          if (mismatch) throw new ApiError('invalid_template_parameters', mismatch.message, { param: mismatch.param });
          this.templates.delete(cacheKey);
          if (this.templates.size >= TEMPLATE_CACHE_SIZE) this.templates.delete(this.templates.keys().next().value!);
          this.templates.set(cacheKey, { template: definition, version: String(row.detail!.version) });
          continue;
        }
        case 'window_closed': {
          const last = row.detail!.last_inbound_at_ms;
          const window = windowState(last === null ? null : new Date(Number(last)), new Date(Number(row.detail!.now_ms)));
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
          const resets = formatTimestamp(new Date(Number(row.detail!.resets_at_ms)));
          throw new ApiError('message_quota_exceeded', `The monthly message quota of ${quota} messages is used up; it resets on ${resets}.`, {
            quota_limit: quota,
            quota_resets_at: resets,
          });
        }
        case 'quota_exact':
          exactQuota = true;
          continue;
        default:
          throw new Error(`mojeeb_accept_send answered ${String(row.outcome)}`);
      }
    }
    throw new ApiError('service_unavailable', 'The template changed several times while this send was checked; retry the request.', {}, {
      headers: { 'Retry-After': '1' },
    });
  }

  /**
   * The status lookup, made in the key's authentication query (`k` is the key), so it costs one
   * round trip: the message if the key may see it (same organization and environment, an allowed
   * agent). Undefined for an id that cannot exist.
   */
  attachedGet(id: string): AttachedQuery | undefined {
    if (!isUuid(id)) return undefined;
    return { name: 'get_message', sql: ATTACHED_GET_SQL, bindings: [id.toLowerCase()], decode: decodeMessageRow };
  }
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

// A constant text, so that it is prepared once per connection (a named statement).
const ATTACHED_GET_SQL = `SELECT ${RESOURCE_COLUMNS.map((c) => `m.${c}`).join(', ')} FROM messages m
  WHERE m.id = ?::uuid AND m.organization_id = k.organization_id AND m.environment = k.environment
    AND (k.agent_ids IS NULL OR m.agent_id = ANY(k.agent_ids))`;

const TIMESTAMP_COLUMNS = ['created_at', 'sent_at', 'delivered_at', 'read_at', 'failed_at'] as const;

/** A message row as `to_jsonb` gives it (timestamps as ISO text) into the resource. */
function decodeMessageRow(json: Record<string, unknown>): MessageResource {
  const row = { ...json } as Record<string, unknown>;
  for (const c of TIMESTAMP_COLUMNS) row[c] = json[c] === null ? null : new Date(String(json[c]));
  return toMessageResource(row as unknown as MessageRow);
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

/**
 * Wakes the delivery workers after accepted sends: one NOTIFY on graphile-worker's channel per
 * batch of sends accepted within WAKEUP_BATCH_MS, after their commits (a NOTIFY inside each
 * send's transaction would serialize every commit, and each NOTIFY is a commit of its own). A
 * lost wake-up only delays the job to the workers' next poll.
 */
const WAKEUP_BATCH_MS = 10;

class WorkerWakeup {
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Knex,
    private readonly task: BackgroundTask,
  ) {}

  jobAdded(): void {
    this.pending++;
    this.timer ??= setTimeout(() => this.flush(), WAKEUP_BATCH_MS);
  }

  private flush(): void {
    const count = this.pending;
    this.pending = 0;
    this.timer = null;
    // A failure only delays the jobs to the workers' next poll: counted and logged once.
    this.task.run(() => this.db.raw(`SELECT pg_notify('jobs:insert', json_build_object('count', ?::int)::text)`, [count]));
  }
}
