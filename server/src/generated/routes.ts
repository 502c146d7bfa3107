// generated — do not edit.
// Source: openapi.yaml (Mojeeb Public API 1.0.0, sha256 851030c5a1b15324379c98511f48995fd1e74d56068a7132fa339682bdf8ecf2)
// Generator: openapi-generator 7.25.0 (base generator openapi-yaml) with the templates in generator-config/koa-stubs/
// Regenerate with: npm run generate

/**
 * The route table of the API: one entry per operation of openapi.yaml. The server mounts these
 * on @koa/router; everything here comes from the document, nothing is hand-written.
 */

/** Every operationId of the document, in document order. */
export const operationIds = [
  'listWhatsAppMessages',
  'sendWhatsAppMessage',
  'sendWhatsAppTemplate',
  'getWhatsAppMessageStatus',
  'listWhatsAppConversations',
  'getWhatsAppConversation',
  'getWhatsAppWindow',
  'simulateWhatsAppInboundMessage',
  'getHealth',
  'getReadiness',
  'getOpenApiYaml',
  'getOpenApiJson',
  'getApiReference',
  'listWebhookEndpoints',
  'createWebhookEndpoint',
  'getWebhookEndpoint',
  'deleteWebhookEndpoint',
  'updateWebhookEndpoint',
  'rotateWebhookEndpointSecret',
  'listEvents',
  'getEvent',
  'redeliverEvent',
] as const;

export type OperationId = (typeof operationIds)[number];

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';

export interface RouteDefinition {
  readonly operationId: OperationId;
  /** Lowercase HTTP method. */
  readonly method: HttpMethod;
  /** The OpenAPI path template, e.g. '/v1/whatsapp/messages/{id}'. */
  readonly path: string;
  /** The same path in @koa/router (path-to-regexp 8) syntax, e.g. '/v1/whatsapp/messages/:id'. */
  readonly koaPath: string;
  readonly tags: readonly string[];
  /** False when the operation declares `security: []`. */
  readonly authenticated: boolean;
  /** From the operation's `x-required-scopes`: any one of them suffices; [] when absent. */
  readonly requiredScopes: readonly string[];
  readonly hasRequestBody: boolean;
  /** The lowest documented 2xx status. */
  readonly successStatus: number;
  /** Path parameter names, as written in the path template. */
  readonly pathParams: readonly string[];
  /** Header parameter names, as written in the document (e.g. 'Idempotency-Key'). */
  readonly headerParams: readonly string[];
  /** Query parameter names, as written in the document (e.g. 'created[gte]'). */
  readonly queryParams: readonly string[];
}

/** '/a/{b}/c' → '/a/:b/c', escaping the characters path-to-regexp 8 reserves. */
function toKoaPath(openApiPath: string): string {
  return openApiPath
    .split(/(\{[^{}]+\})/)
    .map((part) => {
      if (!/^\{[^{}]+\}$/.test(part)) return part.replace(/[()[\]{}?+!*:\\]/g, '\\$&');
      const name = part.slice(1, -1);
      return /^[A-Za-z_$][\w$]*$/.test(name) ? `:${name}` : `:${JSON.stringify(name)}`;
    })
    .join('');
}

function lowest(statuses: readonly [number, ...number[]]): number {
  return Math.min(...statuses);
}

export const routesByOperationId = {
  getApiReference: {
    operationId: 'getApiReference',
    method: 'get',
    path: '/docs',
    koaPath: toKoaPath('/docs'),
    tags: ['Service'],
    authenticated: false,
    requiredScopes: [],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: [],
    queryParams: [],
  },
  getHealth: {
    operationId: 'getHealth',
    method: 'get',
    path: '/healthz',
    koaPath: toKoaPath('/healthz'),
    tags: ['Service'],
    authenticated: false,
    requiredScopes: [],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: [],
    queryParams: [],
  },
  getOpenApiJson: {
    operationId: 'getOpenApiJson',
    method: 'get',
    path: '/openapi.json',
    koaPath: toKoaPath('/openapi.json'),
    tags: ['Service'],
    authenticated: false,
    requiredScopes: [],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: [],
    queryParams: [],
  },
  getOpenApiYaml: {
    operationId: 'getOpenApiYaml',
    method: 'get',
    path: '/openapi.yaml',
    koaPath: toKoaPath('/openapi.yaml'),
    tags: ['Service'],
    authenticated: false,
    requiredScopes: [],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: [],
    queryParams: [],
  },
  getReadiness: {
    operationId: 'getReadiness',
    method: 'get',
    path: '/readyz',
    koaPath: toKoaPath('/readyz'),
    tags: ['Service'],
    authenticated: false,
    requiredScopes: [],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: [],
    queryParams: [],
  },
  listEvents: {
    operationId: 'listEvents',
    method: 'get',
    path: '/v1/events',
    koaPath: toKoaPath('/v1/events'),
    tags: ['Events'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: ['X-Correlation-ID'],
    queryParams: ['limit', 'cursor', 'type', 'created_gte', 'created_lt'],
  },
  getEvent: {
    operationId: 'getEvent',
    method: 'get',
    path: '/v1/events/{id}',
    koaPath: toKoaPath('/v1/events/{id}'),
    tags: ['Events'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  redeliverEvent: {
    operationId: 'redeliverEvent',
    method: 'post',
    path: '/v1/events/{id}/redeliver',
    koaPath: toKoaPath('/v1/events/{id}/redeliver'),
    tags: ['Events'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: true,
    successStatus: lowest([
      202,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  createWebhookEndpoint: {
    operationId: 'createWebhookEndpoint',
    method: 'post',
    path: '/v1/webhook_endpoints',
    koaPath: toKoaPath('/v1/webhook_endpoints'),
    tags: ['Webhooks'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: true,
    successStatus: lowest([
      201,
    ]),
    pathParams: [],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  listWebhookEndpoints: {
    operationId: 'listWebhookEndpoints',
    method: 'get',
    path: '/v1/webhook_endpoints',
    koaPath: toKoaPath('/v1/webhook_endpoints'),
    tags: ['Webhooks'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: ['X-Correlation-ID'],
    queryParams: ['limit', 'cursor'],
  },
  deleteWebhookEndpoint: {
    operationId: 'deleteWebhookEndpoint',
    method: 'delete',
    path: '/v1/webhook_endpoints/{id}',
    koaPath: toKoaPath('/v1/webhook_endpoints/{id}'),
    tags: ['Webhooks'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  getWebhookEndpoint: {
    operationId: 'getWebhookEndpoint',
    method: 'get',
    path: '/v1/webhook_endpoints/{id}',
    koaPath: toKoaPath('/v1/webhook_endpoints/{id}'),
    tags: ['Webhooks'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  updateWebhookEndpoint: {
    operationId: 'updateWebhookEndpoint',
    method: 'patch',
    path: '/v1/webhook_endpoints/{id}',
    koaPath: toKoaPath('/v1/webhook_endpoints/{id}'),
    tags: ['Webhooks'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: true,
    successStatus: lowest([
      200,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  rotateWebhookEndpointSecret: {
    operationId: 'rotateWebhookEndpointSecret',
    method: 'post',
    path: '/v1/webhook_endpoints/{id}/rotate_secret',
    koaPath: toKoaPath('/v1/webhook_endpoints/{id}/rotate_secret'),
    tags: ['Webhooks'],
    authenticated: true,
    requiredScopes: ['webhooks:manage'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  listWhatsAppConversations: {
    operationId: 'listWhatsAppConversations',
    method: 'get',
    path: '/v1/whatsapp/conversations',
    koaPath: toKoaPath('/v1/whatsapp/conversations'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:read', 'whatsapp:send'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: ['X-Correlation-ID'],
    queryParams: ['limit', 'cursor', 'agent_id', 'business_number', 'customer_number', 'created[gte]', 'created[lt]'],
  },
  getWhatsAppConversation: {
    operationId: 'getWhatsAppConversation',
    method: 'get',
    path: '/v1/whatsapp/conversations/{id}',
    koaPath: toKoaPath('/v1/whatsapp/conversations/{id}'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:read', 'whatsapp:send'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  listWhatsAppMessages: {
    operationId: 'listWhatsAppMessages',
    method: 'get',
    path: '/v1/whatsapp/messages',
    koaPath: toKoaPath('/v1/whatsapp/messages'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:read', 'whatsapp:send'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: ['X-Correlation-ID'],
    queryParams: ['limit', 'cursor', 'agent_id', 'conversation_id', 'direction', 'from', 'to', 'status', 'created[gte]', 'created[lt]'],
  },
  sendWhatsAppMessage: {
    operationId: 'sendWhatsAppMessage',
    method: 'post',
    path: '/v1/whatsapp/messages',
    koaPath: toKoaPath('/v1/whatsapp/messages'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:send'],
    hasRequestBody: true,
    successStatus: lowest([
      202,
    ]),
    pathParams: [],
    headerParams: ['Idempotency-Key', 'X-Correlation-ID'],
    queryParams: [],
  },
  getWhatsAppMessageStatus: {
    operationId: 'getWhatsAppMessageStatus',
    method: 'get',
    path: '/v1/whatsapp/messages/{id}',
    koaPath: toKoaPath('/v1/whatsapp/messages/{id}'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:read', 'whatsapp:send'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: ['id'],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  simulateWhatsAppInboundMessage: {
    operationId: 'simulateWhatsAppInboundMessage',
    method: 'post',
    path: '/v1/whatsapp/sandbox/inbound',
    koaPath: toKoaPath('/v1/whatsapp/sandbox/inbound'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:send'],
    hasRequestBody: true,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: ['X-Correlation-ID'],
    queryParams: [],
  },
  sendWhatsAppTemplate: {
    operationId: 'sendWhatsAppTemplate',
    method: 'post',
    path: '/v1/whatsapp/templates',
    koaPath: toKoaPath('/v1/whatsapp/templates'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:send'],
    hasRequestBody: true,
    successStatus: lowest([
      202,
    ]),
    pathParams: [],
    headerParams: ['Idempotency-Key', 'X-Correlation-ID'],
    queryParams: [],
  },
  getWhatsAppWindow: {
    operationId: 'getWhatsAppWindow',
    method: 'get',
    path: '/v1/whatsapp/window',
    koaPath: toKoaPath('/v1/whatsapp/window'),
    tags: ['WhatsApp'],
    authenticated: true,
    requiredScopes: ['whatsapp:read', 'whatsapp:send'],
    hasRequestBody: false,
    successStatus: lowest([
      200,
    ]),
    pathParams: [],
    headerParams: ['X-Correlation-ID'],
    queryParams: ['from', 'to'],
  },
} as const satisfies Readonly<Record<OperationId, RouteDefinition>>;

/** Every route, in document order. */
export const routes: readonly RouteDefinition[] = [
  routesByOperationId.listWhatsAppMessages,
  routesByOperationId.sendWhatsAppMessage,
  routesByOperationId.sendWhatsAppTemplate,
  routesByOperationId.getWhatsAppMessageStatus,
  routesByOperationId.listWhatsAppConversations,
  routesByOperationId.getWhatsAppConversation,
  routesByOperationId.getWhatsAppWindow,
  routesByOperationId.simulateWhatsAppInboundMessage,
  routesByOperationId.getHealth,
  routesByOperationId.getReadiness,
  routesByOperationId.getOpenApiYaml,
  routesByOperationId.getOpenApiJson,
  routesByOperationId.getApiReference,
  routesByOperationId.listWebhookEndpoints,
  routesByOperationId.createWebhookEndpoint,
  routesByOperationId.getWebhookEndpoint,
  routesByOperationId.deleteWebhookEndpoint,
  routesByOperationId.updateWebhookEndpoint,
  routesByOperationId.rotateWebhookEndpointSecret,
  routesByOperationId.listEvents,
  routesByOperationId.getEvent,
  routesByOperationId.redeliverEvent,
];
