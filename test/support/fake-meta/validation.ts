/**
 * What every fake-Meta validator answers, and the small helpers they share: our own schema
 * (own-schema.ts), Meta's document (meta-document.ts), and the two together (validators.ts).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';

export interface MetaValidationResult {
  readonly valid: boolean;
  /** Short `path: message` lines, at most 20. */
  readonly errors: string[];
}

/** The five shapes the fake Meta checks. */
export interface CloudApiValidator {
  /** The body of `POST /{version}/{phone-number-id}/messages`. */
  validateSendBody(body: unknown): MetaValidationResult;
  /** A webhook POST body (`object: whatsapp_business_account`). */
  validateWebhookPayload(payload: unknown): MetaValidationResult;
  /** The 200 answer of a send. */
  validateSendResponse(body: unknown): MetaValidationResult;
  /** Graph's error envelope. */
  validateGraphError(body: unknown): MetaValidationResult;
  /** The 200 answer of `GET /{version}/{waba-id}/message_templates`. */
  validateTemplateList(body: unknown): MetaValidationResult;
}

export const VALID: MetaValidationResult = Object.freeze({ valid: true, errors: [] as string[] }) as MetaValidationResult;

/** Ajv's functions are type guards; calling them through this keeps `data` un-narrowed. */
export function passes(validate: ValidateFunction, data: unknown): boolean {
  return validate(data) === true;
}

export function run(validate: ValidateFunction, data: unknown, prefix = ''): MetaValidationResult {
  return passes(validate, data) ? { valid: true, errors: [] } : { valid: false, errors: formatErrors(validate.errors, prefix) };
}

export function formatErrors(errors: ErrorObject[] | null | undefined, prefix = '', path = ''): string[] {
  const lines = new Set<string>();
  for (const error of errors ?? []) {
    const params = error.params as Record<string, unknown>;
    const extra = params.additionalProperty ?? params.missingProperty ?? params.allowedValues ?? params.allowedValue;
    lines.add(
      `${prefix}${path + error.instancePath || '(root)'}: ${error.message ?? error.keyword}${extra !== undefined ? ` (${JSON.stringify(extra)})` : ''}`,
    );
    if (lines.size >= 20) break;
  }
  return [...lines];
}
