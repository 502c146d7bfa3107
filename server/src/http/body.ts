/**
 * The request body of operations that take one: JSON only, at most 64 KiB, read without ever
 * holding more than the limit in memory. The exact bytes stay on `ctx.state.rawBody` (webhook
 * signatures and idempotency hashing need them), the parsed value on `ctx.state.body`.
 *
 * Checks, in this order (the first failure answers):
 * 1. `Content-Type` is `application/json` (a `charset` parameter must be utf-8) and no
 *    `Content-Encoding` other than identity                                  → 415 unsupported_media_type
 * 2. a declared `Content-Length` over the limit (refused before reading)   → 413 request_body_too_large
 * 3. the bytes read so far exceed the limit (chunked or lying clients)     → 413 request_body_too_large
 * 4. the bytes are empty, not UTF-8 or not JSON                            → 400 invalid_json
 *
 * A 413 also answers `Connection: close`: the rest of an oversized body is never read, Node
 * closes the socket once the answer is written.
 *
 * koa-body is not used here on purpose: it hands over the unparsed body only as a decoded
 * string (lossy for signature checks), treats an empty JSON body as `{}`, and its errors would
 * have to be translated back into our codes anyway.
 */
import type { IncomingMessage } from 'node:http';
import type { AppMiddleware } from './context.ts';
import { ApiError } from '../core/errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;

const UNSUPPORTED_MESSAGE = "Send the body as JSON with 'Content-Type: application/json'.";

export function jsonBody(limit: number = MAX_BODY_BYTES): AppMiddleware {
  return async (ctx, next) => {
    checkMediaType(ctx.req.headers['content-type'], ctx.req.headers['content-encoding']);
    const declared = ctx.req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
    const raw = await readLimited(ctx.req, limit);
    ctx.state.rawBody = raw;
    ctx.state.body = parseJson(raw);
    await next();
  };
}

function checkMediaType(contentType: string | undefined, contentEncoding: string | undefined): void {
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity') {
    throw new ApiError('unsupported_media_type', `${UNSUPPORTED_MESSAGE} Content-Encoding '${clip(contentEncoding)}' is not supported.`);
  }
  if (contentType === undefined) throw new ApiError('unsupported_media_type', UNSUPPORTED_MESSAGE);
  const [mediaType = '', ...params] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') {
    throw new ApiError('unsupported_media_type', UNSUPPORTED_MESSAGE);
  }
  for (const param of params) {
    const [name = '', value = ''] = param.split('=');
    if (name.trim().toLowerCase() !== 'charset') continue;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new ApiError('unsupported_media_type', `${UNSUPPORTED_MESSAGE} The body must be UTF-8, not '${clip(charset)}'.`);
    }
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError(
    'request_body_too_large',
    `The request body exceeds the limit of ${limit} bytes.`,
    {},
    {
      headers: { Connection: 'close' },
    },
  );
}

/** Reads the whole body, or rejects as soon as more than `limit` bytes arrived. */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const aborted = () =>
      new ApiError('invalid_json', 'The request body ended before it was complete.', {}, { headers: { Connection: 'close' } });
    const onError = () => {
      cleanup();
      reject(aborted());
    };
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(aborted());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw new ApiError('invalid_json', 'The request body is empty; send a JSON object.');
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('invalid_json', `The request body is not valid JSON: ${describeJsonError(error, text)}.`);
  }
}

/** A short description of a JSON.parse failure that never echoes the body itself. */
function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (/end of (JSON )?input/i.test(message)) return `unexpected end of input at position ${text.length}`;
  const position = /position (\d+)/.exec(message)?.[1];
  return position === undefined ? 'syntax error' : `unexpected character at position ${position}`;
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
