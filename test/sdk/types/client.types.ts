/**
 * Type tests of the SDK's public API: never run, only compiled. Every `@ts-expect-error` line must
 * fail to compile (tsc reports an unused directive otherwise), and every other line must compile.
 *
 * Compiled three ways: by the root `tsc --noEmit` (strict), by test/sdk/types.test.ts with
 * strictNullChecks off (tsconfig.no-strict-null-checks.json), and against the packed package's
 * .d.ts in the empty test project of test/sdk/package.test.ts (ESM and CJS resolution).
 * Nothing here may depend on strictNullChecks being on.
 */
import {
  createMojeebClient,
  isApiErrorWithCode,
  MojeebApiError,
  MojeebRateLimitError,
  type ErrorCode,
  type KnownErrorCode,
  type KnownMessageStatus,
  type Message,
  type MessageStatus,
  type MessageType,
  type MojeebClient,
  MojeebWaitTimeoutError,
  type RequestAttemptInfo,
  type ResponseAttemptInfo,
  type SendTemplateRequest,
} from '@mojeeb/sdk';

declare const mojeeb: MojeebClient;
declare const unknownError: unknown;

const ids = { agent_id: '12345678-1234-1234-1234-123456789012', from: '+15557654321', to: '+15551234567' };
const template = { name: 'order_shipped', language: 'en' };

export async function sendTemplateTypes(): Promise<void> {
  // Correct calls compile.
  const message = await mojeeb.whatsapp.sendTemplate({ ...ids, template: { ...template, parameters: { customer_name: 'Sara' } } });
  const status: MessageStatus = message.status;
  const id: string = message.id;
  const attempts: number = message.lastResponse.attempts;
  void [status, id, attempts];
  await mojeeb.whatsapp.sendTemplate(
    { ...ids, template },
    { idempotencyKey: 'order-1', correlationId: 'crm-1', maxRetries: 0, timeoutMs: 5_000 },
  );

  // Wrong field names.
  // @ts-expect-error agentId is not a field (agent_id is)
  await mojeeb.whatsapp.sendTemplate({ agentId: ids.agent_id, from: ids.from, to: ids.to, template });
  // @ts-expect-error templateName is not a field of template
  await mojeeb.whatsapp.sendTemplate({ ...ids, template: { templateName: 'order_shipped', language: 'en' } });
  // @ts-expect-error unknown option
  await mojeeb.whatsapp.sendTemplate({ ...ids, template }, { idempotency_key: 'order-1' });

  // Wrong types.
  // @ts-expect-error language is a string
  await mojeeb.whatsapp.sendTemplate({ ...ids, template: { name: 'order_shipped', language: 1 } });
  // @ts-expect-error parameters map to strings
  await mojeeb.whatsapp.sendTemplate({ ...ids, template: { ...template, parameters: { customer_name: 42 } } });
  // @ts-expect-error button type is one of url | quick_reply | copy_code
  await mojeeb.whatsapp.sendTemplate({ ...ids, template: { ...template, buttons: [{ type: 'call', index: 0, value: 'x' }] } });

  // Missing required fields.
  // @ts-expect-error to is required
  await mojeeb.whatsapp.sendTemplate({ agent_id: ids.agent_id, from: ids.from, template });
  // @ts-expect-error template.language is required
  await mojeeb.whatsapp.sendTemplate({ ...ids, template: { name: 'order_shipped' } });
  // @ts-expect-error the body is required
  await mojeeb.whatsapp.sendTemplate();
}

export async function sendMessageTypes(): Promise<void> {
  await mojeeb.whatsapp.sendMessage({ ...ids, text: { body: 'Hello' } });
  // @ts-expect-error text is an object { body }
  await mojeeb.whatsapp.sendMessage({ ...ids, text: 'Hello' });
  // @ts-expect-error text.body is required
  await mojeeb.whatsapp.sendMessage({ ...ids, text: {} });
  // @ts-expect-error a text send has no template
  await mojeeb.whatsapp.sendMessage({ ...ids, template });
  const body: SendTemplateRequest = { ...ids, template };
  // @ts-expect-error a template body is not a text body
  await mojeeb.whatsapp.sendMessage(body);
}

export async function getMessageTypes(): Promise<void> {
  const message: Message = await mojeeb.whatsapp.getMessage('6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f');
  // The status and type are open unions: the known values narrow and autocomplete, and a value a
  // later API version adds still type-checks (the API may add statuses and types at any time).
  if (message.status === 'delivered' || message.status === 'a_status_added_later') return;
  const type: MessageType = message.type;
  const laterType: MessageType = 'a_type_added_later';
  void [type, laterType];
  // @ts-expect-error 'delivred' is not a known status (typo)
  const typo: KnownMessageStatus = 'delivred';
  // @ts-expect-error a status may be one this SDK does not know: not assignable to the known union
  const knownStatus: KnownMessageStatus = message.status;
  void [typo, knownStatus];
  // @ts-expect-error the id is a string
  await mojeeb.whatsapp.getMessage(123);
  // @ts-expect-error messages have no `state`
  void message.state;
  // A failed message's error code: known codes and any later one.
  if (message.error && message.error.code === 'recipient_opted_out') return;
  if (message.error && message.error.code === 'a_code_added_later') return;
}

export function clientOptionTypes(): void {
  createMojeebClient({
    apiKey: 'mk_test_x',
    baseUrl: 'http://127.0.0.1:3000',
    maxRetries: 3,
    timeoutMs: 10_000,
    fetch: globalThis.fetch,
    allowBrowser: false,
  });
  // apiKey and baseUrl default to MOJEEB_API_KEY and MOJEEB_BASE_URL.
  createMojeebClient({ baseUrl: 'http://127.0.0.1:3000' });
  createMojeebClient();
  // @ts-expect-error apiKey is a string
  createMojeebClient({ apiKey: 42 });
  // @ts-expect-error baseURL is misspelled (baseUrl)
  createMojeebClient({ apiKey: 'mk_test_x', baseURL: 'http://127.0.0.1:3000' });
  // @ts-expect-error maxRetries is a number
  createMojeebClient({ apiKey: 'mk_test_x', maxRetries: '3' });
}

export async function rawClientTypes(): Promise<void> {
  const { data, error } = await mojeeb.raw.POST('/v1/whatsapp/templates', { body: { ...ids, template } });
  if (data) {
    const status: MessageStatus = data.status;
    void status;
  }
  if (error) {
    const code: string = error.error.code;
    void code;
  }
  await mojeeb.raw.GET('/v1/whatsapp/messages/{id}', { params: { path: { id: 'x' } } });
  // @ts-expect-error the path parameter is required
  await mojeeb.raw.GET('/v1/whatsapp/messages/{id}', {});
  // @ts-expect-error no such path
  await mojeeb.raw.GET('/v1/whatsapp/message');
  // @ts-expect-error templates are sent with POST only
  await mojeeb.raw.PUT('/v1/whatsapp/templates', { body: { ...ids, template } });
}

export function errorTypes(): void {
  if (unknownError instanceof MojeebApiError) {
    // `code` is the union of the known codes, and still a string for codes added later.
    const code: ErrorCode = unknownError.code;
    const asString: string = code;
    void asString;
    switch (unknownError.code) {
      case 'invalid_api_key':
      case 'template_not_found':
      case 'a_code_added_later':
        break;
    }
    // @ts-expect-error a code may be one this SDK does not know: not assignable to the known union
    const known: KnownErrorCode = unknownError.code;
    void known;
    const param: string | null = unknownError.param;
    const correlationId: string | null = unknownError.correlationId;
    const status: number = unknownError.status;
    const scope: string | undefined = unknownError.extras.required_scope;
    const later: unknown = unknownError.extras.a_field_added_later;
    void [param, correlationId, status, scope, later];
    // @ts-expect-error the fields are read-only
    unknownError.code = 'invalid_api_key';
  }
  if (isApiErrorWithCode(unknownError, 'rate_limit_exceeded')) {
    const code: 'rate_limit_exceeded' = unknownError.code;
    void code;
  }
  if (unknownError instanceof MojeebRateLimitError) {
    const seconds: number | null = unknownError.retryAfterSeconds;
    void seconds;
  }
}

export function hookTypes(): void {
  createMojeebClient({
    apiKey: 'mk_test_x',
    onRequest(info: RequestAttemptInfo) {
      const attempt: number = info.attempt;
      const url: string = info.url;
      const method: string = info.method;
      const correlationId: string | null = info.correlationId;
      void [attempt, url, method, correlationId];
      // @ts-expect-error the request info has no status
      void info.status;
      // @ts-expect-error nor headers (the Authorization header stays inside the SDK)
      void info.headers;
    },
    onResponse(info: ResponseAttemptInfo) {
      const status: number | null = info.status;
      const durationMs: number = info.durationMs;
      const willRetry: boolean = info.willRetry;
      const error: string | null = info.error;
      void [status, durationMs, willRetry, error];
      // @ts-expect-error the info is read-only
      info.status = 200;
    },
  });
  // @ts-expect-error onRequest is a function
  createMojeebClient({ apiKey: 'mk_test_x', onRequest: 'log' });
  // @ts-expect-error onResponse receives the response info, not a Response
  createMojeebClient({ apiKey: 'mk_test_x', onResponse: (response: Response) => void response.json() });
}

export async function waitForStatusTypes(): Promise<void> {
  const id = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
  const message = await mojeeb.whatsapp.waitForStatus(id, { until: 'delivered', timeoutMs: 30_000 });
  const status: MessageStatus = message.status;
  const attempts: number = message.lastResponse.attempts;
  void [status, attempts];
  await mojeeb.whatsapp.waitForStatus(id, {
    until: ['delivered', 'read'],
    maxRateLimitShare: 0.05,
    initialIntervalMs: 500,
    maxIntervalMs: 5_000,
  });
  // @ts-expect-error 'delivred' is not a status (typo)
  await mojeeb.whatsapp.waitForStatus(id, { until: 'delivred' });
  // @ts-expect-error until is required
  await mojeeb.whatsapp.waitForStatus(id, { timeoutMs: 1_000 });
  // @ts-expect-error timeout is spelt timeoutMs
  await mojeeb.whatsapp.waitForStatus(id, { until: 'read', timeout: 1_000 });
  if (unknownError instanceof MojeebWaitTimeoutError) {
    const last: Message | null = unknownError.lastMessage;
    const polls: number = unknownError.polls;
    void [last, polls];
  }
}
