// generated — do not edit.
// Source: openapi.yaml (Mojeeb Public API 1.0.0, sha256 851030c5a1b15324379c98511f48995fd1e74d56068a7132fa339682bdf8ecf2)
// Generator: scripts/generate.mjs, from the x-extensible-enum lists of ErrorCode, ErrorType, MessageErrorCode, MessageStatus and MessageType
// Regenerate with: npm run generate

// The values the API documents today. The lists are extensible: a response may carry a value
// that is not listed here. Handle an unknown error code by its type, an unknown error type by the
// HTTP status, an unknown message error code as a generic failure, an unknown message status as
// not final, and a message of an unknown type like any other message.

/** Known values of `error.code` (components.schemas.ErrorCode). */
export const knownErrorCodes = [
  'invalid_api_key',
  'revoked_api_key',
  'expired_api_key',
  'insufficient_scope',
  'agent_not_authorized',
  'plan_upgrade_required',
  'test_key_required',
  'invalid_json',
  'request_body_too_large',
  'unsupported_media_type',
  'missing_required_field',
  'unknown_field',
  'invalid_field_value',
  'invalid_agent_id',
  'agent_not_found',
  'invalid_phone_number',
  'invalid_from_phone',
  'recipient_is_sender',
  'from_phone_not_found_for_agent',
  'invalid_text_body',
  'invalid_template_name',
  'invalid_template_language',
  'template_not_found',
  'template_not_approved',
  'invalid_template_parameters',
  'customer_service_window_closed',
  'sandbox_number_required',
  'idempotency_key_in_progress',
  'idempotency_key_in_use_with_different_params',
  'invalid_idempotency_key',
  'rate_limit_exceeded',
  'message_quota_exceeded',
  'message_not_found',
  'conversation_not_found',
  'invalid_cursor',
  'endpoint_not_found',
  'channel_not_available',
  'method_not_allowed',
  'service_unavailable',
  'internal_error',
  'not_implemented',
  'webhook_url_invalid',
  'webhook_url_forbidden',
  'webhook_endpoint_limit_reached',
  'webhook_endpoint_unknown',
  'webhook_endpoint_not_found',
  'event_not_found',
] as const;

export type KnownErrorCode = (typeof knownErrorCodes)[number];

/** Known values of `error.type` (components.schemas.ErrorType). */
export const knownErrorTypes = [
  'authentication_error',
  'permission_error',
  'validation_error',
  'idempotency_error',
  'rate_limit_error',
  'quota_error',
  'not_found_error',
  'upstream_error',
  'internal_error',
] as const;

export type KnownErrorType = (typeof knownErrorTypes)[number];

/** Known values of a failed message's `error.code` (components.schemas.MessageErrorCode). */
export const knownMessageErrorCodes = [
  'customer_service_window_closed',
  'recipient_unavailable',
  'recipient_not_on_whatsapp',
  'recipient_opted_out',
  'template_error',
  'media_error',
  'rate_limited',
  'sending_number_unavailable',
  'upstream_rejected',
  'expired',
] as const;

export type KnownMessageErrorCode = (typeof knownMessageErrorCodes)[number];

/** Known values of a message's `status` (components.schemas.MessageStatus). */
export const knownMessageStatuses = [
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
] as const;

export type KnownMessageStatus = (typeof knownMessageStatuses)[number];

/** Known values of a message's `type` (components.schemas.MessageType). */
export const knownMessageTypes = [
  'text',
  'template',
] as const;

export type KnownMessageType = (typeof knownMessageTypes)[number];
