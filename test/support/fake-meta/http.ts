// The Graph endpoints of the fake Meta (sends and template listing) and its HTTP plumbing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Faults } from './faults.ts';
import { fbtraceId, graphError, webhookError, type MetaErrorSpec } from './graph-errors.ts';
import { digitsOf, makeWamid } from './ids.ts';
import type { Recording } from './recording.ts';
import type { FakeMetaOptions, FakePhoneNumber, RecordedRequest, RequestOutcome, StatusName } from './types.ts';
import type { FakeMetaValidator } from './validators.ts';
import { sleep, type WebhookDispatcher } from './webhooks.ts';

const MAX_BODY = 1024 * 1024;

/** What the Graph endpoints read and change: the fake's numbers, templates, faults and records. */
export interface GraphState {
  readonly options: FakeMetaOptions;
  readonly numbers: Map<string, Required<FakePhoneNumber>>;
  readonly templates: Map<string, readonly Record<string, unknown>[]>;
  readonly validator: FakeMetaValidator;
  readonly recording: Recording;
  readonly faults: Faults;
  readonly dispatcher: WebhookDispatcher;
  /** Aborted on stop (ends the added latency). */
  readonly signal: AbortSignal;
  /** The fake's base URL (for `paging.next`). */
  url(): string;
  addPhoneNumber(number: FakePhoneNumber): void;
}

export class GraphApi {
  constructor(private readonly state: GraphState) {}

  /** A request that is not for the control API. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, segments: readonly string[], raw: Buffer): Promise<void> {
    const { recording, faults } = this.state;
    recording.countRequest();
    const tokenInQuery = url.searchParams.has('access_token');
    const token = bearer(req.headers.authorization) ?? url.searchParams.get('access_token');
    if (tokenInQuery) url.searchParams.set('access_token', 'redacted');
    const [version, objectId, edge] = segments;
    const record: RecordedRequest = {
      seq: recording.nextSeq(),
      at: new Date(),
      method: req.method ?? 'GET',
      url: `${url.pathname}${url.search}`,
      graphVersion: version ?? null,
      objectId: objectId ?? null,
      headers: redactHeaders(req.headers),
      tokenValid: false,
      tokenInQuery,
      body: parseJson(raw),
      validation: null,
      outcome: 'error',
      response: null,
      wamid: null,
    };
    recording.keep(record);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs, this.state.signal);

    if (segments.length === 3 && req.method === 'POST' && edge === 'messages') return this.send(record, token, req, res);
    if (segments.length === 3 && req.method === 'GET' && edge === 'message_templates') return this.listTemplates(record, token, url, res);
    return this.answerError(record, res, {
      code: 100,
      subcode: 33,
      type: 'GraphMethodException',
      title: `Unsupported ${req.method ?? ''} request. Object with ID '${objectId ?? ''}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
    });
  }

  private async send(record: RecordedRequest, token: string | null, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const phoneNumberId = record.objectId!;
    if (!/^v[0-9]+\.[0-9]+$/.test(record.graphVersion ?? ''))
      return this.answerError(record, res, { code: 100, title: `Unknown path components: /${record.graphVersion ?? ''}` });
    let number = this.state.numbers.get(phoneNumberId);
    if (!number && this.state.options.openNumbers && token) {
      this.state.addPhoneNumber({ phoneNumberId, accessToken: token });
      number = this.state.numbers.get(phoneNumberId);
    }
    if (!token) return this.answerError(record, res, { code: 104 }, 'unauthorized');
    if (!number) {
      return this.answerError(record, res, {
        code: 100,
        subcode: 33,
        type: 'GraphMethodException',
        title: `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
      });
    }
    if (token !== number.accessToken)
      return this.answerError(record, res, { code: 190, details: 'Invalid OAuth access token' }, 'unauthorized');
    record.tokenValid = true;
    this.state.recording.countArrival(phoneNumberId);

    if (record.body === undefined)
      return this.answerError(record, res, { code: 100, details: 'The request body is not valid JSON' }, 'invalid');
    const validation = this.state.validator.validateSendBody(record.body);
    record.validation = validation;
    if (!validation.valid) this.state.recording.countInvalid();
    if (!validation.valid) return this.answerError(record, res, { code: 100, details: validation.errors.join('; ') }, 'invalid');

    const body = record.body as Record<string, unknown>;
    const to = String(body.to);
    const limit = this.state.options.throughputPerNumber;
    if (limit !== undefined && this.state.recording.windowCount(phoneNumberId) > limit) {
      return this.answerError(record, res, { code: 130429 }, 'rate_limited');
    }
    const fault = this.state.faults.next();
    if (fault?.kind === 'error') return this.answerError(record, res, fault.error);
    const recipientError = this.state.faults.recipientError(digitsOf(to));
    if (recipientError) return this.answerError(record, res, recipientError);

    if (fault && !fault.accepted) return this.interrupt(record, fault.kind, req, res);
    const wamid = this.accept(record, number, body);
    if (fault) return this.interrupt(record, fault.kind, req, res);

    const type = body.type;
    this.reply(
      res,
      200,
      {
        messaging_product: 'whatsapp',
        contacts: [{ input: to, wa_id: digitsOf(to) }],
        messages: [{ id: wamid, ...(type === 'template' || type === 'text' ? { message_status: 'accepted' } : {}) }],
      },
      record,
      'accepted',
      number,
    );
  }

  private accept(record: RecordedRequest, number: Required<FakePhoneNumber>, body: Record<string, unknown>): string {
    const to = digitsOf(String(body.to));
    const wamid = makeWamid(to);
    record.wamid = wamid;
    const callbackData = typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : null;
    this.state.recording.keepAccepted({
      wamid,
      phoneNumberId: number.phoneNumberId,
      to: String(body.to),
      callbackData,
      body,
      requestSeq: record.seq,
    });

    const asyncError = this.state.faults.asyncError(to);
    const flow: Array<StatusName | 'failed'> = asyncError
      ? ['sent', 'failed']
      : [...(this.state.faults.statusFlow(to) ?? this.state.options.statusFlow ?? ['sent', 'delivered', 'read'])];
    const now = Math.floor(Date.now() / 1000);
    const first = this.state.options.firstStatusDelayMs ?? 0;
    const step = this.state.options.statusDelayMs ?? 0;
    const category = body.type === 'template' ? 'utility' : 'service';
    flow.forEach((status, i) => {
      this.state.dispatcher.schedule(
        {
          kind: 'status',
          wabaId: number.wabaId,
          phoneNumberId: number.phoneNumberId,
          displayPhoneNumber: number.displayPhoneNumber,
          status: {
            id: wamid,
            status,
            // Distinct, ordered, never in the future: sent ≤ delivered ≤ read.
            timestamp: String(now - (flow.length - 1 - i)),
            recipient_id: to,
            ...(callbackData !== null ? { biz_opaque_callback_data: callbackData } : {}),
            ...(status === 'sent' || status === 'delivered'
              ? {
                  pricing: {
                    billable: category !== 'service',
                    pricing_model: 'PMP',
                    category,
                    type: category === 'service' ? 'free_customer_service' : 'regular',
                  },
                }
              : {}),
            ...(status === 'failed' && asyncError ? { errors: [webhookError(asyncError)] } : {}),
          },
        },
        first + i * step,
      );
    });
    return wamid;
  }

  private interrupt(record: RecordedRequest, kind: 'drop' | 'hang', req: IncomingMessage, res: ServerResponse): void {
    this.state.recording.setOutcome(record, kind === 'drop' ? 'dropped' : 'hung');
    if (kind === 'drop') req.socket.destroy();
    else this.state.faults.hold(res);
  }

  private listTemplates(record: RecordedRequest, token: string | null, url: URL, res: ServerResponse): void {
    const wabaId = record.objectId!;
    const list = this.state.templates.get(wabaId);
    const tokens = new Set([...this.state.numbers.values()].filter((n) => n.wabaId === wabaId).map((n) => n.accessToken));
    if (!token) return this.answerError(record, res, { code: 104 }, 'unauthorized');
    if (!list && tokens.size === 0) {
      return this.answerError(record, res, {
        code: 100,
        subcode: 33,
        type: 'GraphMethodException',
        title: `Unsupported get request. Object with ID '${wabaId}' does not exist`,
      });
    }
    if (!tokens.has(token)) return this.answerError(record, res, { code: 190 }, 'unauthorized');
    record.tokenValid = true;
    const all = list ?? [];
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 25, 1), 1000);
    const after = url.searchParams.get('after');
    const offset = after ? Number(Buffer.from(after, 'base64url').toString()) || 0 : 0;
    const page = all.slice(offset, offset + limit);
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    const next = new URL(`${this.state.url()}/${record.graphVersion ?? ''}/${wabaId}/message_templates`);
    for (const [k, v] of url.searchParams) if (k !== 'after' && k !== 'access_token') next.searchParams.set(k, v);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('after', cursor(offset + page.length));
    next.searchParams.set('access_token', token); // as Graph does: the next URL carries the token
    const body = {
      data: page,
      paging: {
        cursors: { before: cursor(offset), after: cursor(offset + page.length) },
        ...(offset + page.length < all.length ? { next: next.toString() } : {}),
      },
    };
    this.reply(res, 200, body, record, 'listed');
  }

  private answerError(record: RecordedRequest, res: ServerResponse, spec: MetaErrorSpec, outcome: RequestOutcome = 'error'): void {
    const { status, body } = graphError(spec);
    this.reply(res, status, body, record, outcome);
  }

  private reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    record: RecordedRequest,
    outcome: RequestOutcome,
    number?: Required<FakePhoneNumber>,
  ): void {
    record.response = { status, body };
    this.state.recording.setOutcome(record, outcome);
    writeJson(res, status, body, record.graphVersion, number);
  }
}

/** Answers JSON the way Graph does (its trace headers, and its usage header for a known number). */
export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  graphVersion?: string | null,
  number?: Required<FakePhoneNumber>,
): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'x-fb-trace-id': fbtraceId(),
    'x-fb-request-id': fbtraceId(),
    ...(graphVersion ? { 'facebook-api-version': graphVersion } : {}),
    ...(number
      ? {
          'x-business-use-case-usage': JSON.stringify({
            [number.wabaId]: [{ type: 'whatsapp', call_count: 1, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: 0 }],
          }),
        }
      : {}),
  });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body over 1 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

function redactHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] =
      name === 'authorization'
        ? String(value).replace(/^(Bearer\s+).*$/i, '$1<redacted>')
        : Array.isArray(value)
          ? value.join(', ')
          : value;
  }
  return out;
}
