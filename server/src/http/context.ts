/**
 * The state every middleware shares on `ctx.state`, in the order the chain fills it in.
 */
import type { Middleware } from 'koa';
import type { RouteDefinition } from '../generated/routes.ts';
import type { Logger } from '../logger.ts';
import type { Principal } from '../core/principal.ts';

export interface AppState {
  /** Set first (correlation.ts): the caller's sane `X-Correlation-ID`, or `req_` + ULID. */
  correlationId: string;
  /** A logger bound to this request's correlation id; use it for every line about the request. */
  logger: Logger;
  /** Set by routing when the request matched an operation. */
  route?: RouteDefinition;
  /** Set by authentication (auth.ts) for operations that need an API key. */
  principal?: Principal;
  /**
   * Set by the body reader for operations with a request body: the exact bytes received
   * (kept for webhook signatures and idempotency hashing) and the parsed JSON value.
   */
  rawBody?: Buffer;
  body?: unknown;
  /** Set by validation: the operation's documented query parameters, in their schema's types. */
  query?: Record<string, unknown>;
  /** Set by the error handler when the request failed because the database is unavailable. */
  dbFailure?: string;
  /**
   * Ids for the access log, filled in as they become known: the key's organization and id by
   * authentication (auth.ts, as soon as the key is found, so refusals carry them too), the
   * message's by the operation that sent or read it (invoke.ts). Never the key itself.
   */
  logIds?: { organizationId?: string; keyId?: string; messageId?: string };
}

export type AppMiddleware = Middleware<AppState>;
