// The files scripts/generate.mjs renders itself: the banner every generated file starts with,
// the OpenAPI types (openapi-typescript) and the error catalog / known-value lists.
import { createRequire } from 'node:module';

import { SPEC_FILE } from './spec.mjs';

const require = createRequire(import.meta.url);

export const BANNER_FIRST_LINE = '// generated — do not edit.';

export function banner(spec, generator) {
  return [
    BANNER_FIRST_LINE,
    `// Source: ${SPEC_FILE} (${spec.doc.info?.title} ${spec.doc.info?.version}, sha256 ${spec.sha256})`,
    `// Generator: ${generator}`,
    '// Regenerate with: npm run generate',
    '',
  ].join('\n');
}

const q = (s) => `'${s}'`;
const list = (items) => `[${items.map(q).join(', ')}]`;
const block = (items) => `[\n${items.map((i) => `  ${q(i)},`).join('\n')}\n]`;

export async function renderOpenApiTypes(spec) {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const { version } = require('openapi-typescript/package.json');
  const body = astToString(await openapiTS(spec.text));
  return `${banner(spec, `openapi-typescript ${version}`)}\n${body}`;
}

export function renderErrorCatalog(spec, errors) {
  return `${banner(spec, 'scripts/generate.mjs, from components.schemas.ErrorCode x-error-catalog and the x-extensible-enum lists')}
import type { components } from './openapi-types.js';

/** The known error types (components.schemas.ErrorType x-extensible-enum). */
export const errorTypes = ${block(errors.errorTypes)} as const;

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
${errors.entries.map(([code, e]) => `  ${code}: { status: ${e.status}, type: ${q(e.type)}, extras: ${list(e.extras)} },`).join('\n')}
} as const satisfies Readonly<Record<string, ErrorCatalogEntry>>;

export type ErrorCode = keyof typeof errorCatalog;
`;
}

export function renderErrorCodes(spec, errors) {
  return `${banner(spec, 'scripts/generate.mjs, from the x-extensible-enum lists of ErrorCode, ErrorType, MessageErrorCode, MessageStatus and MessageType')}
// The values the API documents today. The lists are extensible: a response may carry a value
// that is not listed here. Handle an unknown error code by its type, an unknown error type by the
// HTTP status, an unknown message error code as a generic failure, an unknown message status as
// not final, and a message of an unknown type like any other message.

/** Known values of \`error.code\` (components.schemas.ErrorCode). */
export const knownErrorCodes = ${block(errors.entries.map(([code]) => code))} as const;

export type KnownErrorCode = (typeof knownErrorCodes)[number];

/** Known values of \`error.type\` (components.schemas.ErrorType). */
export const knownErrorTypes = ${block(errors.errorTypes)} as const;

export type KnownErrorType = (typeof knownErrorTypes)[number];

/** Known values of a failed message's \`error.code\` (components.schemas.MessageErrorCode). */
export const knownMessageErrorCodes = ${block(errors.messageErrorCodes)} as const;

export type KnownMessageErrorCode = (typeof knownMessageErrorCodes)[number];

/** Known values of a message's \`status\` (components.schemas.MessageStatus). */
export const knownMessageStatuses = ${block(errors.messageStatuses)} as const;

export type KnownMessageStatus = (typeof knownMessageStatuses)[number];

/** Known values of a message's \`type\` (components.schemas.MessageType). */
export const knownMessageTypes = ${block(errors.messageTypes)} as const;

export type KnownMessageType = (typeof knownMessageTypes)[number];
`;
}
