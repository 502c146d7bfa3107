/**
 * Meta's webhook envelope → a flat list of typed events.
 *
 * ```
 * { object: 'whatsapp_business_account',
 *   entry: [ { id: <WABA id>, changes: [ { field: 'messages',
 *     value: { messaging_product, metadata: { display_phone_number, phone_number_id },
 *              contacts?: [...], messages?: [...], statuses?: [...], errors?: [...] } } ] } ] }
 * ```
 *
 * One POST may batch several entries, changes, messages and statuses, and mix them; all are
 * returned, in document order. Parsing is tolerant: unknown fields are ignored, other `field`s
 * (template updates, groups, …) are skipped, and a malformed item is skipped with a note in
 * `problems` instead of failing the whole delivery — the webhook route acknowledges a signed
 * delivery with 200 anyway (Meta retries non-2xx for days), and logs the problems.
 *
 * Dedupe keys for the consumer: inbound → `wamid`; status → (`wamid`, `status`).
 *
 * Meta's v23.0 OpenAPI document has a schema for this envelope (`WebhookPayload` → `Entry` →
 * `Change` → `StatusMessageValue`/`IncomingMessageValueGeneral`/… → `Statuses`,
 * `IncomingMessage`), but as published its inbound-message part references the send-side
 * schemas and rejects every real inbound message, and `Statuses` does not declare
 * `biz_opaque_callback_data`. This parser therefore does not validate at run time; the fake Meta
 * validates every webhook it emits against our own schema of these payloads, and against Meta's
 * (with a small documented override list) when that document is available
 * (test/support/fake-meta/README.md), and the unit tests parse those validated payloads.
 */

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface MetaWebhookError {
  readonly code: number | null;
  readonly title: string | null;
  readonly message: string | null;
  /** `error_data.details`: Meta's most specific text. */
  readonly details: string | null;
  readonly href: string | null;
}

interface EventBase {
  /** `metadata.phone_number_id`: which of our numbers the event is about. */
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string | null;
  /** `entry[].id`: the WhatsApp Business Account id. */
  readonly wabaId: string | null;
}

export interface InboundMessageEvent extends EventBase {
  readonly kind: 'inbound';
  /** The customer, E.164 with `+`; null when Meta sent an id that is not a phone number (business-scoped user ids). */
  readonly from: string | null;
  /** `from` exactly as Meta sent it. */
  readonly waId: string;
  readonly profileName: string | null;
  readonly wamid: string;
  readonly timestamp: Date;
  /** `text`, `image`, `button`, `interactive`, `reaction`, `unsupported`, … */
  readonly type: string;
  /** `text` → `{ body }`; other types → Meta's object for that type (`message[type]`), or null. */
  readonly content: unknown;
  /** The message this one replies to (quoted reply, button tap on our template). */
  readonly context: { readonly wamid: string; readonly from: string | null } | null;
  readonly errors: readonly MetaWebhookError[];
}

export interface StatusEvent extends EventBase {
  readonly kind: 'status';
  readonly wamid: string;
  readonly status: DeliveryStatus;
  readonly timestamp: Date;
  readonly recipientId: string | null;
  readonly errors: readonly MetaWebhookError[];
  /** `biz_opaque_callback_data` as sent with the message (our message id), when Meta echoed it. */
  readonly callbackData: string | null;
  readonly pricing: {
    readonly billable: boolean | null;
    readonly pricingModel: string | null;
    readonly category: string | null;
    readonly type: string | null;
  } | null;
}

/** `value.errors[]`: account- or number-level problems, not tied to one message. */
export interface AccountErrorEvent extends EventBase {
  readonly kind: 'error';
  readonly errors: readonly MetaWebhookError[];
}

export type WebhookEvent = InboundMessageEvent | StatusEvent | AccountErrorEvent;

export interface ParsedWebhook {
  readonly events: WebhookEvent[];
  /** What was skipped and why (for logs); empty for a clean delivery. */
  readonly problems: string[];
}

const STATUSES: readonly string[] = ['sent', 'delivered', 'read', 'failed'];
const MAX_ITEMS = 10_000; // a bound on one delivery, far above what Meta batches

/** Parses the raw body (bytes already signature-checked). Invalid JSON → no events, one problem. */
export function parseWebhookBody(rawBody: Buffer | string): ParsedWebhook {
  let payload: unknown;
  try {
    payload = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return { events: [], problems: ['the body is not JSON'] };
  }
  return parseWebhookPayload(payload);
}

export function parseWebhookPayload(payload: unknown): ParsedWebhook {
  const events: WebhookEvent[] = [];
  const problems: string[] = [];
  if (!isRecord(payload)) return { events, problems: ['the payload is not an object'] };
  if (payload.object !== 'whatsapp_business_account') {
    return { events, problems: [`object is ${JSON.stringify(payload.object)}, not whatsapp_business_account`] };
  }
  const entries = arrayOf(payload.entry);
  let items = 0;
  entries.forEach((entry, e) => {
    if (!isRecord(entry)) {
      problems.push(`entry[${e}] is not an object`);
      return;
    }
    const wabaId = str(entry.id);
    arrayOf(entry.changes).forEach((change, c) => {
      const where = `entry[${e}].changes[${c}]`;
      if (!isRecord(change)) {
        problems.push(`${where} is not an object`);
        return;
      }
      if (change.field !== undefined && change.field !== 'messages') return; // other subscriptions: not ours to handle here
      const value = change.value;
      if (!isRecord(value)) {
        problems.push(`${where}.value is not an object`);
        return;
      }
      const metadata = isRecord(value.metadata) ? value.metadata : {};
      const phoneNumberId = str(metadata.phone_number_id);
      if (phoneNumberId === null) {
        problems.push(`${where}.value.metadata.phone_number_id is missing`);
        return;
      }
      const base: EventBase = { phoneNumberId, displayPhoneNumber: str(metadata.display_phone_number), wabaId };
      const names = profileNames(value.contacts);

      arrayOf(value.messages).forEach((message, m) => {
        if (++items > MAX_ITEMS) return;
        const event = inbound(message, base, names, `${where}.value.messages[${m}]`, problems);
        if (event) events.push(event);
      });
      arrayOf(value.statuses).forEach((status, s) => {
        if (++items > MAX_ITEMS) return;
        const event = statusEvent(status, base, `${where}.value.statuses[${s}]`, problems);
        if (event) events.push(event);
      });
      const errors = arrayOf(value.errors);
      if (errors.length > 0) events.push({ kind: 'error', ...base, errors: errors.map(webhookError) });
    });
  });
  if (items > MAX_ITEMS) problems.push(`more than ${MAX_ITEMS} messages and statuses in one delivery; the rest was skipped`);
  return { events, problems };
}

function inbound(
  message: unknown,
  base: EventBase,
  names: Map<string, string>,
  where: string,
  problems: string[],
): InboundMessageEvent | null {
  if (!isRecord(message)) {
    problems.push(`${where} is not an object`);
    return null;
  }
  const wamid = str(message.id);
  const waId = str(message.from);
  const timestamp = unixSeconds(message.timestamp);
  const type = str(message.type) ?? 'unknown';
  if (wamid === null || waId === null || timestamp === null) {
    problems.push(`${where} lacks id, from or a valid timestamp`);
    return null;
  }
  const context =
    isRecord(message.context) && str(message.context.id) !== null
      ? { wamid: str(message.context.id)!, from: str(message.context.from) }
      : null;
  let content: unknown = null;
  if (type === 'text') {
    const body = isRecord(message.text) ? str(message.text.body) : null;
    content = { body: body ?? '' };
  } else if (message[type] !== undefined) {
    content = message[type];
  }
  return {
    kind: 'inbound',
    ...base,
    from: /^[0-9]{6,15}$/.test(waId) ? `+${waId}` : null,
    waId,
    profileName: names.get(waId) ?? null,
    wamid,
    timestamp,
    type,
    content,
    context,
    errors: arrayOf(message.errors).map(webhookError),
  };
}

function statusEvent(status: unknown, base: EventBase, where: string, problems: string[]): StatusEvent | null {
  if (!isRecord(status)) {
    problems.push(`${where} is not an object`);
    return null;
  }
  const wamid = str(status.id);
  const timestamp = unixSeconds(status.timestamp);
  if (wamid === null || timestamp === null) {
    problems.push(`${where} lacks id or a valid timestamp`);
    return null;
  }
  if (typeof status.status !== 'string' || !STATUSES.includes(status.status)) {
    problems.push(`${where} has status ${JSON.stringify(status.status)}, which is not tracked`);
    return null;
  }
  const pricing = isRecord(status.pricing)
    ? {
        billable: typeof status.pricing.billable === 'boolean' ? status.pricing.billable : null,
        pricingModel: str(status.pricing.pricing_model),
        category: str(status.pricing.category),
        type: str(status.pricing.type),
      }
    : null;
  return {
    kind: 'status',
    ...base,
    wamid,
    status: status.status as DeliveryStatus,
    timestamp,
    recipientId: str(status.recipient_id),
    errors: arrayOf(status.errors).map(webhookError),
    callbackData: str(status.biz_opaque_callback_data),
    pricing,
  };
}

function webhookError(error: unknown): MetaWebhookError {
  const e = isRecord(error) ? error : {};
  const data = isRecord(e.error_data) ? e.error_data : {};
  const code = typeof e.code === 'number' ? e.code : typeof e.code === 'string' && /^[0-9]+$/.test(e.code) ? Number(e.code) : null;
  return { code, title: str(e.title), message: str(e.message), details: str(data.details), href: str(e.href) };
}

function profileNames(contacts: unknown): Map<string, string> {
  const names = new Map<string, string>();
  for (const contact of arrayOf(contacts)) {
    if (!isRecord(contact)) continue;
    const waId = str(contact.wa_id);
    const name = isRecord(contact.profile) ? str(contact.profile.name) : null;
    if (waId !== null && name !== null) names.set(waId, name);
  }
  return names;
}

/** Meta sends unix seconds as a string; numbers are accepted too. */
function unixSeconds(value: unknown): Date | null {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]{1,12}$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(seconds * 1000);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : null;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
