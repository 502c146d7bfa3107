/**
 * The one error class of the API. Code raises `new ApiError(code, message, extras)`; the HTTP
 * status and `type` are looked up in the error catalog generated from openapi.yaml, so the
 * server cannot emit a code (or a status/type pairing) that the contract does not document, and
 * the extras a code may carry are typed from the catalog and the `ApiError` schema.
 *
 * Anything thrown that is not an ApiError is an internal error: the error middleware logs it
 * and answers a generic 500 `internal_error` (see error-handler.ts).
 */
import { errorCatalog, type ErrorCode } from '../generated/error-catalog.ts';
import type { components } from '../generated/openapi-types.ts';

export type { ErrorCode };

type ApiErrorSchema = components['schemas']['ApiError'];
type ErrorResponseSchema = components['schemas']['ErrorResponse'];

type CatalogEntry = { readonly status: number; readonly type: string; readonly extras: readonly string[] };

type ExtraKeys<C extends ErrorCode> = Extract<(typeof errorCatalog)[C]['extras'][number], keyof ApiErrorSchema>;

/**
 * The extra fields the catalog allows for `C`, typed by the `ApiError` schema. A code without
 * extras takes `Record<string, never>` rather than `{}`, which would accept any object.
 */
export type ErrorExtras<C extends ErrorCode> = [ExtraKeys<C>] extends [never]
  ? Record<string, never>
  : { [K in ExtraKeys<C>]?: ApiErrorSchema[K] };

export interface ApiErrorOptions {
  /** Response headers that belong to this error (e.g. `Allow`, `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The underlying cause, for logs only; never sent to the caller. */
  readonly cause?: unknown;
}

export const INTERNAL_ERROR_MESSAGE = 'Something went wrong on our side. Retry later; quote the correlation id if it persists.';

export class ApiError<C extends ErrorCode = ErrorCode> extends Error {
  override name = 'ApiError';
  readonly code: C;
  readonly status: number;
  readonly type: string;
  readonly extras: ErrorExtras<C>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: C, message: string, extras?: ErrorExtras<C>, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const entry = lookup(code);
    this.code = code;
    this.status = entry.status;
    this.type = entry.type;
    this.extras = extras ?? ({} as ErrorExtras<C>);
    this.headers = options.headers ?? {};
    for (const key of Object.keys(this.extras)) {
      if (!entry.extras.includes(key)) {
        // The type system prevents this; the check guards casts and plain-JS callers.
        throw new TypeError(`error code ${code} does not carry the extra field '${key}'`);
      }
    }
  }

  /** The response body: `{"error":{type,code,message,...extras,correlation_id}}`. */
  toResponseBody(correlationId: string): ErrorResponseSchema {
    const extras = Object.fromEntries(Object.entries(this.extras).filter(([, v]) => v !== undefined));
    return {
      error: { type: this.type, code: this.code, message: this.message, ...extras, correlation_id: correlationId },
    };
  }
}

function lookup(code: string): CatalogEntry {
  const entry = (errorCatalog as Readonly<Record<string, CatalogEntry>>)[code];
  if (entry === undefined) throw new TypeError(`unknown error code '${code}' (not in openapi.yaml's catalog)`);
  return entry;
}
