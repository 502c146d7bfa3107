/**
 * Where a webhook endpoint may point. Live endpoints must use https and resolve only to public
 * addresses: never loopback, private (RFC 1918), link-local, unique-local, CGNAT, multicast or
 * otherwise reserved ones, so that an API key cannot make the service call into its own
 * network. Checked when an endpoint is created or changed, and again before every delivery
 * (DNS may have changed since). Test-mode endpoints may also use http and loopback (a receiver
 * on the developer's machine), but no other non-public address; with WEBHOOKS_ALLOW_PRIVATE=1
 * (an operator flag for local development) every endpoint may use http and any address.
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export type UrlProblem = { readonly code: 'webhook_url_invalid' | 'webhook_url_forbidden'; readonly message: string };

/** ipaddr.js ranges a live endpoint may resolve to; everything else is refused. */
const PUBLIC_RANGES = new Set(['unicast']);

export function allowPrivateFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.WEBHOOKS_ALLOW_PRIVATE === '1' || env.WEBHOOKS_ALLOW_PRIVATE === 'true';
}

/** Which addresses an endpoint may reach: public ones (live), public or loopback (test mode), or any (the operator flag). */
export type AddressPolicy = 'public' | 'public-or-loopback' | 'any';

export function addressPolicy(livemode: boolean, allowPrivate: boolean): AddressPolicy {
  return allowPrivate ? 'any' : livemode ? 'public' : 'public-or-loopback';
}

/** The problem with an address under `policy`, or null when it may be reached. */
export function forbiddenAddress(address: string, policy: AddressPolicy = 'public'): string | null {
  if (policy === 'any') return null;
  if (!ipaddr.isValid(address)) return `'${address}' is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  if (range === 'loopback' && policy === 'public-or-loopback') return null;
  return PUBLIC_RANGES.has(range) ? null : `${parsed.toString()} is a ${range} address`;
}

/** The syntax of an endpoint URL: an absolute http(s) URL without credentials. */
export function urlSyntaxProblem(raw: string, livemode: boolean, allowPrivate: boolean): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: 'webhook_url_invalid', message: 'The url must be an absolute http or https URL.' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { code: 'webhook_url_invalid', message: 'The url must use https (or http in test mode).' };
  if (url.username !== '' || url.password !== '') return { code: 'webhook_url_invalid', message: 'The url must not carry credentials.' };
  if (url.hash !== '') return { code: 'webhook_url_invalid', message: 'The url must not have a fragment.' };
  if (livemode && !allowPrivate && url.protocol !== 'https:')
    return { code: 'webhook_url_invalid', message: 'A live endpoint must use https.' };
  return null;
}

/** How long the host of an endpoint URL may take to resolve before it counts as not resolving. */
export const URL_LOOKUP_TIMEOUT_MS = 3_000;

export type HostLookup = (host: string) => Promise<string[]>;

const systemLookup: HostLookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** The host's addresses, or a rejection when it does not resolve within `timeoutMs` (a resolver that never answers). */
function lookupWithin(resolve: HostLookup, host: string, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer for ${host} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([resolve(host), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves the URL's host (at most URL_LOOKUP_TIMEOUT_MS) and refuses it when it does not
 * resolve, or when any address it resolves to is not allowed (addressPolicy). Returns the
 * problem, or null.
 */
export async function checkEndpointUrl(
  raw: string,
  livemode: boolean,
  allowPrivate: boolean,
  options: { readonly lookup?: HostLookup; readonly timeoutMs?: number } = {},
): Promise<UrlProblem | null> {
  const syntax = urlSyntaxProblem(raw, livemode, allowPrivate);
  if (syntax !== null) return syntax;
  const policy = addressPolicy(livemode, allowPrivate);
  if (policy === 'any') return null;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host)
      ? [host]
      : await lookupWithin(options.lookup ?? systemLookup, host, options.timeoutMs ?? URL_LOOKUP_TIMEOUT_MS);
  } catch {
    return { code: 'webhook_url_invalid', message: `The host '${host.slice(0, 253)}' does not resolve.` };
  }
  for (const address of addresses) {
    const problem = forbiddenAddress(address, policy);
    if (problem !== null) {
      const rule = livemode
        ? 'live endpoints must be reachable on the public internet'
        : 'test-mode endpoints may use loopback, not other private addresses';
      return { code: 'webhook_url_forbidden', message: `The url resolves to a non-public address (${problem}); ${rule}.` };
    }
  }
  return addresses.length === 0 ? { code: 'webhook_url_invalid', message: `The host '${host.slice(0, 253)}' does not resolve.` } : null;
}
