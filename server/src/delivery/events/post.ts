/**
 * One HTTP POST of an event: a 10 s budget for the whole exchange, no redirect followed (a 3xx
 * is a failure), the response body read and discarded. The connection only goes to addresses
 * the endpoint's policy allows (ssrf.ts): the host is resolved by a lookup that refuses the
 * others, so a DNS answer that changed after the endpoint was checked is caught too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { forbiddenAddress, type AddressPolicy } from '../../domain/webhooks/ssrf.ts';

export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
}

export interface PostResult {
  readonly status: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
}

const guardedLookup =
  (policy: AddressPolicy): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as unknown as LookupAddress[];
      for (const a of list) {
        const problem = forbiddenAddress(a.address, policy);
        if (problem !== null) return callback(new ForbiddenAddressError(`refused: ${hostname} resolves to ${problem}`), '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} does not resolve`), '', 0);
      callback(null, first.address, first.family);
    });
  };

export function postEvent(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  options: { readonly timeoutMs: number; readonly policy: AddressPolicy },
): Promise<PostResult> {
  const started = performance.now();
  const done = (status: number | null, error: string | null): PostResult => ({
    status,
    error,
    latencyMs: Math.round(performance.now() - started),
  });
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      resolve(done(null, 'invalid url'));
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (options.policy !== 'any' && ipaddr.isValid(host)) {
      const problem = forbiddenAddress(host, options.policy);
      if (problem !== null) {
        resolve(done(null, `refused: ${problem}`));
        return;
      }
    }
    const transport = url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = transport.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Mojeeb-Webhooks/1.0',
        },
        ...(options.policy !== 'any' ? { lookup: guardedLookup(options.policy) } : {}),
      },
      (response) => {
        const status = response.statusCode ?? null;
        response.resume();
        response.on('end', () => finish(done(status, status !== null && status >= 200 && status < 300 ? null : `HTTP ${status}`)));
        response.on('error', (error) => finish(done(status, error.message)));
      },
    );
    const timer = setTimeout(() => {
      finish(done(null, `timed out after ${options.timeoutMs} ms`));
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) =>
      finish(
        done(
          null,
          error instanceof ForbiddenAddressError
            ? error.message
            : `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${error.message}`.slice(0, 300),
        ),
      ),
    );
    request.end(body);
  });
}
