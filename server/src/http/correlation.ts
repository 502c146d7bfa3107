/**
 * Correlation ids: the caller's `X-Correlation-ID` when it is 1–128 characters of
 * `A-Z a-z 0-9 . _ : -`, otherwise `req_` + a fresh ULID. Set on the response before anything
 * else runs, so every answer carries it (also 404, 405 and 500), and bound into the request's
 * logger so every log line about the request carries it too.
 */
import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';
import type { Logger } from '../logger.ts';
import type { AppMiddleware } from './context.ts';

export const CORRELATION_HEADER = 'X-Correlation-ID';
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

// ULIDs from a pool of cryptographic random bytes refilled 4 KiB at a time (the library's default
// asks the operating system once per character). 256 is a multiple of the 32 symbols, so a byte
// divided by 256 picks each symbol with the same probability.
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;
function pooledRandom(): number {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  return randomPool[randomOffset++]! / 256;
}

export function newCorrelationId(): string {
  return `req_${ulid(undefined, pooledRandom)}`;
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
