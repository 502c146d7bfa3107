// generated — do not edit.
// Source: openapi.yaml (Mojeeb Public API 1.0.0, sha256 851030c5a1b15324379c98511f48995fd1e74d56068a7132fa339682bdf8ecf2)
// Generator: scripts/generate.mjs, from components.schemas.ErrorCode x-error-catalog and the x-extensible-enum lists
// Regenerate with: npm run generate

import type { components } from './openapi-types.js';

/** The known error types (components.schemas.ErrorType x-extensible-enum). */
export const errorTypes = [
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

export type ErrorType = (typeof errorTypes)[number];

/** A field an error may carry besides type, code, message and correlation_id. */
export type ErrorExtraField = Exclude<keyof components['schemas']['ApiError'], 'type' | 'code' | 'message' | 'correlation_id'>;

export interface ErrorCatalogEntry {
  readonly status: number;
  readonly type: ErrorType;
  readonly extras: readonly ErrorExtraField[];
}

/**
 * Every known error code with its HTTP status, its type and the extra fields it carries
 * (components.schemas.ErrorCode x-error-catalog, in x-extensible-enum order).
 */
export const errorCatalog = {
  invalid_api_key: { status: 401, type: 'authentication_error', extras: [] },
  revoked_api_key: { status: 401, type: 'authentication_error', extras: [] },
  expired_api_key: { status: 401, type: 'authentication_error', extras: [] },
  insufficient_scope: { status: 403, type: 'permission_error', extras: ['required_scope'] },
  agent_not_authorized: { status: 403, type: 'permission_error', extras: ['param'] },
  plan_upgrade_required: { status: 403, type: 'permission_error', extras: ['required_plan'] },
  test_key_required: { status: 403, type: 'permission_error', extras: [] },
  invalid_json: { status: 400, type: 'validation_error', extras: [] },
  request_body_too_large: { status: 413, type: 'validation_error', extras: [] },
  unsupported_media_type: { status: 415, type: 'validation_error', extras: [] },
  missing_required_field: { status: 422, type: 'validation_error', extras: ['param'] },
  unknown_field: { status: 422, type: 'validation_error', extras: ['param'] },
  invalid_field_value: { status: 422, type: 'validation_error', extras: ['param'] },
  invalid_agent_id: { status: 422, type: 'validation_error', extras: ['param'] },
  agent_not_found: { status: 422, type: 'validation_error', extras: ['param'] },
  invalid_phone_number: { status: 422, type: 'validation_error', extras: ['param'] },
  invalid_from_phone: { status: 422, type: 'validation_error', extras: ['param'] },
  recipient_is_sender: { status: 422, type: 'validation_error', extras: ['param'] },
  from_phone_not_found_for_agent: { status: 422, type: 'validation_error', extras: ['param', 'available_phones'] },
  invalid_text_body: { status: 422, type: 'validation_error', extras: ['param'] },
  invalid_template_name: { status: 422, type: 'validation_error', extras: ['param'] },
  invalid_template_language: { status: 422, type: 'validation_error', extras: ['param'] },
  template_not_found: { status: 422, type: 'validation_error', extras: ['param'] },
  template_not_approved: { status: 422, type: 'validation_error', extras: ['param'] },
  invalid_template_parameters: { status: 422, type: 'validation_error', extras: ['param'] },
  customer_service_window_closed: { status: 422, type: 'validation_error', extras: ['window'] },
  sandbox_number_required: { status: 422, type: 'validation_error', extras: ['param'] },
  idempotency_key_in_progress: { status: 409, type: 'idempotency_error', extras: [] },
  idempotency_key_in_use_with_different_params: { status: 422, type: 'idempotency_error', extras: ['original_correlation_id'] },
  invalid_idempotency_key: { status: 422, type: 'idempotency_error', extras: ['param'] },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', extras: [] },
  message_quota_exceeded: { status: 402, type: 'quota_error', extras: ['quota_limit', 'quota_resets_at'] },
  message_not_found: { status: 404, type: 'not_found_error', extras: [] },
  conversation_not_found: { status: 404, type: 'not_found_error', extras: [] },
  invalid_cursor: { status: 400, type: 'validation_error', extras: ['param'] },
  endpoint_not_found: { status: 404, type: 'not_found_error', extras: [] },
  channel_not_available: { status: 404, type: 'not_found_error', extras: ['channel'] },
  method_not_allowed: { status: 405, type: 'not_found_error', extras: ['allowed_methods'] },
  service_unavailable: { status: 503, type: 'upstream_error', extras: [] },
  internal_error: { status: 500, type: 'internal_error', extras: [] },
  not_implemented: { status: 501, type: 'internal_error', extras: [] },
  webhook_url_invalid: { status: 422, type: 'validation_error', extras: ['param'] },
  webhook_url_forbidden: { status: 422, type: 'validation_error', extras: ['param'] },
  webhook_endpoint_limit_reached: { status: 422, type: 'validation_error', extras: [] },
  webhook_endpoint_unknown: { status: 422, type: 'validation_error', extras: ['param'] },
  webhook_endpoint_not_found: { status: 404, type: 'not_found_error', extras: [] },
  event_not_found: { status: 404, type: 'not_found_error', extras: [] },
} as const satisfies Readonly<Record<string, ErrorCatalogEntry>>;

export type ErrorCode = keyof typeof errorCatalog;
