/**
 * One HTTP POST of an event: a 10 s budget for the whole exchange, no redirect followed (a 3xx
 * is a failure), the response body read and discarded. The connection only goes to addresses
 * the endpoint's policy allows (ssrf.ts): the host is resolved by a lookup that refuses the
 * others, so a DNS answer that changed after the endpoint was checked is caught too.
 *
 * Connections are kept alive (undici, one connection pool per address policy, so a connection
 * opened under a looser policy never carries a request of a stricter one): an endpoint's events
 * follow each other on the same connection instead of a TCP (and TLS) handshake each. An idle
 * connection is closed after KEEP_ALIVE_MS, or sooner when the endpoint's `Keep-Alive` header
 * asks; the address of a connection was checked when it was opened.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, request } from 'undici';
import { forbiddenAddress, type AddressPolicy } from '../../domain/webhooks/ssrf.ts';

export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
}

export interface PostResult {
  readonly status: number | null;
  readonly error: string | null;
  readonly latencyMs: number;
}

/** How long an idle connection to an endpoint is kept (less than the usual servers' 5 s). */
const KEEP_ALIVE_MS = 4_000;

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

const agents = new Map<AddressPolicy, Agent>();

function agentFor(policy: AddressPolicy): Agent {
  let agent = agents.get(policy);
  if (agent === undefined) {
    agent = new Agent({
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
      connect: policy === 'any' ? {} : { lookup: guardedLookup(policy) },
    });
    agents.set(policy, agent);
  }
  return agent;
}

/** The first error of a chain that says why (undici wraps a connection's error in its own). */
function describe(error: unknown): string {
  for (let e: unknown = error, hops = 0; e instanceof Error && hops < 5; e = e.cause, hops++) {
    if (e instanceof ForbiddenAddressError) return e.message;
  }
  const e = error as NodeJS.ErrnoException;
  return `${e.code ?? 'error'}: ${e.message}`.slice(0, 300);
}

export async function postEvent(
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
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return done(null, 'invalid url');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (options.policy !== 'any' && ipaddr.isValid(host)) {
    const problem = forbiddenAddress(host, options.policy);
    if (problem !== null) return done(null, `refused: ${problem}`);
  }
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, options.timeoutMs);
  let status: number | null = null;
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher: agentFor(options.policy),
      signal: abort.signal,
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'Mojeeb-Webhooks/1.0' },
      body,
    });
    status = response.statusCode;
    await response.body.dump();
    return done(status, status >= 200 && status < 300 ? null : `HTTP ${status}`);
  } catch (error) {
    return done(status, timedOut ? `timed out after ${options.timeoutMs} ms` : describe(error));
  } finally {
    clearTimeout(timer);
  }
}
