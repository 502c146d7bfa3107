/**
 * Correlation ids: the caller's `X-Correlation-ID` when it is 1–128 characters of
 * `A-Z a-z 0-9 . _ : -`, otherwise `req_` + a fresh ULID. Set on the response before anything
 * else runs, so every answer carries it (also 404, 405 and 500), and bound into the request's
 * logger so every log line about the request carries it too.
 */
import { ulid } from 'ulid';
import type { Logger } from '../logger.ts';
import type { AppMiddleware } from './context.ts';

export const CORRELATION_HEADER = 'X-Correlation-ID';
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function newCorrelationId(): string {
  return `req_${ulid()}`;
}

/** The caller's id if it is sane; a repeated header (joined by Node with ", ") is not. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && CORRELATION_ID_PATTERN.test(header) ? header : newCorrelationId();
}

export function correlation(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    const id = correlationIdFrom(ctx.req.headers['x-correlation-id']);
    ctx.state.correlationId = id;
    ctx.state.logger = logger.child({ correlation_id: id });
    ctx.set(CORRELATION_HEADER, id);
    await next();
  };
}
