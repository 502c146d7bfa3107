// @mojeeb/sdk: the typed TypeScript client of the Mojeeb Public API, for servers.
//
// Types come from openapi.yaml through openapi-typescript (./generated, never edited by hand);
// the runtime is openapi-fetch plus this package's thin layer: authentication, retries with
// backoff and jitter, an Idempotency-Key per logical send, timeouts, typed exceptions, and the
// API key kept out of everything printable. See README.md.
export {
  createMojeebClient,
  toMojeebApiError,
  DEFAULT_BASE_URL,
  type MojeebClient,
  type MojeebClientOptions,
  type MojeebRawClient,
  type MojeebWhatsApp,
  type RequestOptions,
  type SendOptions,
} from './client.js';
export {
  MojeebError,
  MojeebApiError,
  MojeebAuthenticationError,
  MojeebPermissionError,
  MojeebValidationError,
  MojeebIdempotencyError,
  MojeebRateLimitError,
  MojeebQuotaError,
  MojeebNotFoundError,
  MojeebUpstreamError,
  MojeebInternalError,
  MojeebConnectionError,
  MojeebTimeoutError,
  MojeebConfigurationError,
  MojeebWaitTimeoutError,
  isApiErrorWithCode,
  type MojeebApiErrorInit,
} from './errors.js';
export type {
  ApiErrorBody,
  CustomerServiceWindow,
  ErrorCode,
  ErrorExtras,
  ErrorType,
  Extensible,
  Message,
  MessageError,
  MessageErrorCode,
  MessageResult,
  MessageStatus,
  MessageType,
  RateLimitInfo,
  RequestAttemptInfo,
  ResponseAttemptInfo,
  ResponseInfo,
  SendMessageRequest,
  SendTemplateRequest,
  TemplateButton,
  TemplateContent,
  TemplateParameters,
  WaitForStatusOptions,
} from './types.js';
export type { FetchFunction } from './retry.js';
export { pagedList } from './pagination.js';
export type {
  Conversation,
  InboundMessage,
  ListConversationsQuery,
  ListedMessage,
  ListMessagesQuery,
  MessageDirection,
  Page,
  PagedList,
  WhatsAppWindow,
  WindowQuery,
} from './pagination.js';
export {
  verify as verifyWebhook,
  MojeebWebhookVerificationError,
  type EventDetail,
  type EventRedelivery,
  type ListPage,
  type MojeebWebhooks,
  type VerifyOptions,
  type WebhookEndpoint,
  type WebhookEndpointCreateRequest,
  type WebhookEndpointUpdateRequest,
  type WebhookEndpointWithSecret,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookHeaders,
  type WebhookVerificationReason,
} from './webhooks.js';
import { verify as verifyDelivery } from './webhooks.js';
/** `webhooks.verify(body, headers, secret)` without a client, for receivers. */
export const webhooks = Object.freeze({ verify: verifyDelivery });
export type { components, operations, paths } from './generated/openapi.js';
export type {
  KnownErrorCode,
  KnownErrorType,
  KnownMessageErrorCode,
  KnownMessageStatus,
  KnownMessageType,
} from './generated/error-codes.js';
export {
  knownErrorCodes,
  knownErrorTypes,
  knownMessageErrorCodes,
  knownMessageStatuses,
  knownMessageTypes,
} from './generated/error-codes.js';
export { SDK_VERSION } from './version.js';
