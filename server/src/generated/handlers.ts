// generated — do not edit.
// Source: openapi.yaml (Mojeeb Public API 1.0.0, sha256 851030c5a1b15324379c98511f48995fd1e74d56068a7132fa339682bdf8ecf2)
// Generator: openapi-generator 7.25.0 (base generator openapi-yaml) with the templates in generator-config/koa-stubs/
// Regenerate with: npm run generate

/**
 * The typed handler interface of the API, bound to the openapi-typescript types of the same
 * document (./openapi-types.ts): one method per operation. The server's runtime validates the
 * request against openapi.yaml, builds an OperationRequest, calls the handler and writes the
 * OperationResponse it returns.
 */

import type { operations } from './openapi-types.js';
import type { OperationId } from './routes.js';

type ParamsIn<Op extends OperationId, In extends 'path' | 'header' | 'query'> = NonNullable<operations[Op]['parameters'][In]>;

/** The type of parameter `Name` in `In` of operation `Op` (a compile error if openapi-typescript disagrees). */
type Param<Op extends OperationId, In extends 'path' | 'header' | 'query', Name extends keyof ParamsIn<Op, In>> = NonNullable<ParamsIn<Op, In>[Name]>;

type ResponseContent<Op extends OperationId, Status extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][Status] extends { content: infer Content } ? Content : never;

/** A documented 2xx response of `Op` with a body of media type `ContentType`. */
export interface SuccessResponse<
  Op extends OperationId,
  Status extends keyof operations[Op]['responses'] & number,
  ContentType extends keyof ResponseContent<Op, Status> & string,
> {
  status: Status;
  body: ResponseContent<Op, Status>[ContentType];
  /** Defaults to the documented media type. */
  contentType?: ContentType;
  headers?: Record<string, string>;
}

/** A documented 2xx response of `Op` without a body. */
export interface EmptyResponse<Op extends OperationId, Status extends keyof operations[Op]['responses'] & number> {
  status: Status;
  body?: undefined;
  headers?: Record<string, string>;
}

/**
 * Per operation: its path parameters, header parameters (keyed by their names as written in the
 * document, e.g. 'Idempotency-Key'; a repeated header arrives joined with ', '), JSON request
 * body, and the union of its documented 2xx responses.
 */
export interface OperationTypes {
  getApiReference: {
    params: Record<string, never>;
    headers: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getApiReference', 200, 'text/html'>
  };
  getHealth: {
    params: Record<string, never>;
    headers: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getHealth', 200, 'application/json'>
  };
  getOpenApiJson: {
    params: Record<string, never>;
    headers: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getOpenApiJson', 200, 'application/json'>
  };
  getOpenApiYaml: {
    params: Record<string, never>;
    headers: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getOpenApiYaml', 200, 'application/yaml'>
  };
  getReadiness: {
    params: Record<string, never>;
    headers: Record<string, never>;
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getReadiness', 200, 'application/json'>
  };
  listEvents: {
    params: Record<string, never>;
    headers: {
      readonly 'X-Correlation-ID'?: Param<'listEvents', 'header', 'X-Correlation-ID'>;
    };
    query: {
      readonly 'limit'?: Param<'listEvents', 'query', 'limit'>;
      readonly 'cursor'?: Param<'listEvents', 'query', 'cursor'>;
      readonly 'type'?: Param<'listEvents', 'query', 'type'>;
      readonly 'created_gte'?: Param<'listEvents', 'query', 'created_gte'>;
      readonly 'created_lt'?: Param<'listEvents', 'query', 'created_lt'>;
    };
    body: undefined;
    response:
      | SuccessResponse<'listEvents', 200, 'application/json'>
  };
  getEvent: {
    params: {
      readonly 'id': Param<'getEvent', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'getEvent', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getEvent', 200, 'application/json'>
  };
  redeliverEvent: {
    params: {
      readonly 'id': Param<'redeliverEvent', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'redeliverEvent', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: NonNullable<operations['redeliverEvent']['requestBody']>['content']['application/json'];
    response:
      | SuccessResponse<'redeliverEvent', 202, 'application/json'>
  };
  createWebhookEndpoint: {
    params: Record<string, never>;
    headers: {
      readonly 'X-Correlation-ID'?: Param<'createWebhookEndpoint', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: NonNullable<operations['createWebhookEndpoint']['requestBody']>['content']['application/json'];
    response:
      | SuccessResponse<'createWebhookEndpoint', 201, 'application/json'>
  };
  listWebhookEndpoints: {
    params: Record<string, never>;
    headers: {
      readonly 'X-Correlation-ID'?: Param<'listWebhookEndpoints', 'header', 'X-Correlation-ID'>;
    };
    query: {
      readonly 'limit'?: Param<'listWebhookEndpoints', 'query', 'limit'>;
      readonly 'cursor'?: Param<'listWebhookEndpoints', 'query', 'cursor'>;
    };
    body: undefined;
    response:
      | SuccessResponse<'listWebhookEndpoints', 200, 'application/json'>
  };
  deleteWebhookEndpoint: {
    params: {
      readonly 'id': Param<'deleteWebhookEndpoint', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'deleteWebhookEndpoint', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'deleteWebhookEndpoint', 200, 'application/json'>
  };
  getWebhookEndpoint: {
    params: {
      readonly 'id': Param<'getWebhookEndpoint', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'getWebhookEndpoint', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getWebhookEndpoint', 200, 'application/json'>
  };
  updateWebhookEndpoint: {
    params: {
      readonly 'id': Param<'updateWebhookEndpoint', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'updateWebhookEndpoint', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: NonNullable<operations['updateWebhookEndpoint']['requestBody']>['content']['application/json'];
    response:
      | SuccessResponse<'updateWebhookEndpoint', 200, 'application/json'>
  };
  rotateWebhookEndpointSecret: {
    params: {
      readonly 'id': Param<'rotateWebhookEndpointSecret', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'rotateWebhookEndpointSecret', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'rotateWebhookEndpointSecret', 200, 'application/json'>
  };
  listWhatsAppConversations: {
    params: Record<string, never>;
    headers: {
      readonly 'X-Correlation-ID'?: Param<'listWhatsAppConversations', 'header', 'X-Correlation-ID'>;
    };
    query: {
      readonly 'limit'?: Param<'listWhatsAppConversations', 'query', 'limit'>;
      readonly 'cursor'?: Param<'listWhatsAppConversations', 'query', 'cursor'>;
      readonly 'agent_id'?: Param<'listWhatsAppConversations', 'query', 'agent_id'>;
      readonly 'business_number'?: Param<'listWhatsAppConversations', 'query', 'business_number'>;
      readonly 'customer_number'?: Param<'listWhatsAppConversations', 'query', 'customer_number'>;
      readonly 'created[gte]'?: Param<'listWhatsAppConversations', 'query', 'created[gte]'>;
      readonly 'created[lt]'?: Param<'listWhatsAppConversations', 'query', 'created[lt]'>;
    };
    body: undefined;
    response:
      | SuccessResponse<'listWhatsAppConversations', 200, 'application/json'>
  };
  getWhatsAppConversation: {
    params: {
      readonly 'id': Param<'getWhatsAppConversation', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'getWhatsAppConversation', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getWhatsAppConversation', 200, 'application/json'>
  };
  listWhatsAppMessages: {
    params: Record<string, never>;
    headers: {
      readonly 'X-Correlation-ID'?: Param<'listWhatsAppMessages', 'header', 'X-Correlation-ID'>;
    };
    query: {
      readonly 'limit'?: Param<'listWhatsAppMessages', 'query', 'limit'>;
      readonly 'cursor'?: Param<'listWhatsAppMessages', 'query', 'cursor'>;
      readonly 'agent_id'?: Param<'listWhatsAppMessages', 'query', 'agent_id'>;
      readonly 'conversation_id'?: Param<'listWhatsAppMessages', 'query', 'conversation_id'>;
      readonly 'direction'?: Param<'listWhatsAppMessages', 'query', 'direction'>;
      readonly 'from'?: Param<'listWhatsAppMessages', 'query', 'from'>;
      readonly 'to'?: Param<'listWhatsAppMessages', 'query', 'to'>;
      readonly 'status'?: Param<'listWhatsAppMessages', 'query', 'status'>;
      readonly 'created[gte]'?: Param<'listWhatsAppMessages', 'query', 'created[gte]'>;
      readonly 'created[lt]'?: Param<'listWhatsAppMessages', 'query', 'created[lt]'>;
    };
    body: undefined;
    response:
      | SuccessResponse<'listWhatsAppMessages', 200, 'application/json'>
  };
  sendWhatsAppMessage: {
    params: Record<string, never>;
    headers: {
      readonly 'Idempotency-Key'?: Param<'sendWhatsAppMessage', 'header', 'Idempotency-Key'>;
      readonly 'X-Correlation-ID'?: Param<'sendWhatsAppMessage', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: NonNullable<operations['sendWhatsAppMessage']['requestBody']>['content']['application/json'];
    response:
      | SuccessResponse<'sendWhatsAppMessage', 202, 'application/json'>
  };
  getWhatsAppMessageStatus: {
    params: {
      readonly 'id': Param<'getWhatsAppMessageStatus', 'path', 'id'>;
    };
    headers: {
      readonly 'X-Correlation-ID'?: Param<'getWhatsAppMessageStatus', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: undefined;
    response:
      | SuccessResponse<'getWhatsAppMessageStatus', 200, 'application/json'>
  };
  simulateWhatsAppInboundMessage: {
    params: Record<string, never>;
    headers: {
      readonly 'X-Correlation-ID'?: Param<'simulateWhatsAppInboundMessage', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: NonNullable<operations['simulateWhatsAppInboundMessage']['requestBody']>['content']['application/json'];
    response:
      | SuccessResponse<'simulateWhatsAppInboundMessage', 200, 'application/json'>
  };
  sendWhatsAppTemplate: {
    params: Record<string, never>;
    headers: {
      readonly 'Idempotency-Key'?: Param<'sendWhatsAppTemplate', 'header', 'Idempotency-Key'>;
      readonly 'X-Correlation-ID'?: Param<'sendWhatsAppTemplate', 'header', 'X-Correlation-ID'>;
    };
    query: Record<string, never>;
    body: NonNullable<operations['sendWhatsAppTemplate']['requestBody']>['content']['application/json'];
    response:
      | SuccessResponse<'sendWhatsAppTemplate', 202, 'application/json'>
  };
  getWhatsAppWindow: {
    params: Record<string, never>;
    headers: {
      readonly 'X-Correlation-ID'?: Param<'getWhatsAppWindow', 'header', 'X-Correlation-ID'>;
    };
    query: {
      readonly 'from': Param<'getWhatsAppWindow', 'query', 'from'>;
      readonly 'to': Param<'getWhatsAppWindow', 'query', 'to'>;
    };
    body: undefined;
    response:
      | SuccessResponse<'getWhatsAppWindow', 200, 'application/json'>
  };
}

/** What a handler receives: the request after the runtime validated it against openapi.yaml. */
export interface OperationRequest<Op extends OperationId> {
  readonly operationId: Op;
  /** Path parameters, by their names in the path template. */
  readonly params: OperationTypes[Op]['params'];
  /**
   * The operation's documented header parameters, keyed by their names as written in the
   * document ('Idempotency-Key', 'X-Correlation-ID'), not Node's lowercase names; absent when
   * not sent. Undocumented headers are not included.
   */
  readonly headers: OperationTypes[Op]['headers'];
  /**
   * The operation's documented query parameters, keyed by their names as written in the
   * document ('created[gte]'), converted to their schema's type (an integer `limit` is a
   * number); absent when not sent. Undocumented query parameters are not included.
   */
  readonly query: OperationTypes[Op]['query'];
  /** The parsed application/json request body; undefined for operations without one. */
  readonly body: OperationTypes[Op]['body'];
  /** The request's correlation id (the caller's valid X-Correlation-ID, or a generated one). */
  readonly correlationId: string;
}

export type OperationResponse<Op extends OperationId> = OperationTypes[Op]['response'];

export type OperationHandler<Op extends OperationId, Ctx = unknown> = (
  request: OperationRequest<Op>,
  ctx: Ctx,
) => Promise<OperationResponse<Op>>;

export interface OperationHandlers<Ctx = unknown> {
  /**
   * Rendered API reference
   *
   * `GET /docs`
   */
  getApiReference(
    request: OperationRequest<'getApiReference'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getApiReference'>>;
  /**
   * Liveness
   *
   * `GET /healthz`
   */
  getHealth(
    request: OperationRequest<'getHealth'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getHealth'>>;
  /**
   * This document, as JSON
   *
   * `GET /openapi.json`
   */
  getOpenApiJson(
    request: OperationRequest<'getOpenApiJson'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getOpenApiJson'>>;
  /**
   * This document, as YAML
   *
   * `GET /openapi.yaml`
   */
  getOpenApiYaml(
    request: OperationRequest<'getOpenApiYaml'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getOpenApiYaml'>>;
  /**
   * Readiness
   *
   * `GET /readyz`
   */
  getReadiness(
    request: OperationRequest<'getReadiness'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getReadiness'>>;
  /**
   * List events
   *
   * `GET /v1/events`
   */
  listEvents(
    request: OperationRequest<'listEvents'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'listEvents'>>;
  /**
   * Get an event and its delivery attempts
   *
   * `GET /v1/events/{id}`
   */
  getEvent(
    request: OperationRequest<'getEvent'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getEvent'>>;
  /**
   * Redeliver an event to an endpoint
   *
   * `POST /v1/events/{id}/redeliver`
   */
  redeliverEvent(
    request: OperationRequest<'redeliverEvent'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'redeliverEvent'>>;
  /**
   * Create a webhook endpoint
   *
   * `POST /v1/webhook_endpoints`
   */
  createWebhookEndpoint(
    request: OperationRequest<'createWebhookEndpoint'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'createWebhookEndpoint'>>;
  /**
   * List webhook endpoints
   *
   * `GET /v1/webhook_endpoints`
   */
  listWebhookEndpoints(
    request: OperationRequest<'listWebhookEndpoints'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'listWebhookEndpoints'>>;
  /**
   * Delete a webhook endpoint
   *
   * `DELETE /v1/webhook_endpoints/{id}`
   */
  deleteWebhookEndpoint(
    request: OperationRequest<'deleteWebhookEndpoint'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'deleteWebhookEndpoint'>>;
  /**
   * Get a webhook endpoint
   *
   * `GET /v1/webhook_endpoints/{id}`
   */
  getWebhookEndpoint(
    request: OperationRequest<'getWebhookEndpoint'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getWebhookEndpoint'>>;
  /**
   * Update a webhook endpoint
   *
   * `PATCH /v1/webhook_endpoints/{id}`
   */
  updateWebhookEndpoint(
    request: OperationRequest<'updateWebhookEndpoint'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'updateWebhookEndpoint'>>;
  /**
   * Rotate a webhook endpoint's signing secret
   *
   * `POST /v1/webhook_endpoints/{id}/rotate_secret`
   */
  rotateWebhookEndpointSecret(
    request: OperationRequest<'rotateWebhookEndpointSecret'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'rotateWebhookEndpointSecret'>>;
  /**
   * List conversations
   *
   * `GET /v1/whatsapp/conversations`
   */
  listWhatsAppConversations(
    request: OperationRequest<'listWhatsAppConversations'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'listWhatsAppConversations'>>;
  /**
   * Get a conversation and its 24-hour window
   *
   * `GET /v1/whatsapp/conversations/{id}`
   */
  getWhatsAppConversation(
    request: OperationRequest<'getWhatsAppConversation'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getWhatsAppConversation'>>;
  /**
   * List messages, sent and received
   *
   * `GET /v1/whatsapp/messages`
   */
  listWhatsAppMessages(
    request: OperationRequest<'listWhatsAppMessages'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'listWhatsAppMessages'>>;
  /**
   * Send a free-form text message
   *
   * `POST /v1/whatsapp/messages`
   */
  sendWhatsAppMessage(
    request: OperationRequest<'sendWhatsAppMessage'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'sendWhatsAppMessage'>>;
  /**
   * Get a message and its delivery status
   *
   * `GET /v1/whatsapp/messages/{id}`
   */
  getWhatsAppMessageStatus(
    request: OperationRequest<'getWhatsAppMessageStatus'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getWhatsAppMessageStatus'>>;
  /**
   * Simulate a customer's message (sandbox)
   *
   * `POST /v1/whatsapp/sandbox/inbound`
   */
  simulateWhatsAppInboundMessage(
    request: OperationRequest<'simulateWhatsAppInboundMessage'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'simulateWhatsAppInboundMessage'>>;
  /**
   * Send an approved template
   *
   * `POST /v1/whatsapp/templates`
   */
  sendWhatsAppTemplate(
    request: OperationRequest<'sendWhatsAppTemplate'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'sendWhatsAppTemplate'>>;
  /**
   * Look up the 24-hour window of an agent number and a customer
   *
   * `GET /v1/whatsapp/window`
   */
  getWhatsAppWindow(
    request: OperationRequest<'getWhatsAppWindow'>,
    ctx: Ctx,
  ): Promise<OperationResponse<'getWhatsAppWindow'>>;
}

/** Compile-time guards: a type error here means an operation lacks its types or its handler method. */
type Complete<T extends Record<OperationId, unknown>> = T;
export type CompleteOperationTypes = Complete<OperationTypes>;
export type CompleteOperationHandlers = Complete<OperationHandlers>;
