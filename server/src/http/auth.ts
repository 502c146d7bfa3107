/**
 * Authentication, plan, scope and rate limit for operations that need a key, in the order the
 * Errors guide of openapi.yaml gives: 401 → 403 plan → 403 scope → 429.
 *
 * - A header that is not `Bearer <key>`, or a key whose shape or checksum is wrong, is refused
 *   with `invalid_api_key` before any database query.
 * - The key is then found by its hash (from this process's short-lived cache when it is there,
 *   kept current by PostgreSQL notifications: domain/api-keys/key-cache.ts) and the request is
 *   counted against the key's current window, from a block of the window's budget leased from
 *   the database (domain/api-keys/rate-leases.ts): exact across processes.
 * - Every response to a request with a usable key carries X-RateLimit-Limit/-Remaining/-Reset,
 *   errors included; a request over the limit gets 429 with Retry-After. Every request with a
 *   usable key counts, whatever its outcome.
 * - Every 401 carries an RFC 6750 challenge: `WWW-Authenticate: Bearer realm="mojeeb"` when no
 *   bearer token was presented, with `error="invalid_token"` when one was (malformed, unknown,
 *   revoked or expired).
 */
import { ApiError } from '../core/errors.ts';
import type { KeyLookup } from '../domain/api-keys/authenticate.ts';
import { parseApiKey } from '../domain/api-keys/key-format.ts';
import { missingScope } from '../domain/api-keys/scopes.ts';
import { LOWEST_PLAN_WITH_API_ACCESS, planIncludesApiAccess } from '../domain/plans.ts';
import type { RouteDefinition } from '../generated/routes.ts';
import type { AppMiddleware } from './context.ts';
import { metrics } from '../metrics.ts';

export interface KeyAuthenticator {
  /** Finds the key and, if it is usable, counts the request; null when no key has this value. */
  lookupAndCount(plaintextKey: string): Promise<KeyLookup | null>;
}

const INVALID_KEY_MESSAGE =
  "The API key is missing, malformed or unknown. Send 'Authorization: Bearer mk_live_…' with a key from the dashboard.";

export const AUTH_REALM = 'mojeeb';

/** The `WWW-Authenticate` challenge of a 401: `invalid_token` only when a token was presented. */
export function bearerChallenge(tokenPresented: boolean): string {
  return tokenPresented ? `Bearer realm="${AUTH_REALM}", error="invalid_token"` : `Bearer realm="${AUTH_REALM}"`;
}

function unauthorized(code: 'invalid_api_key' | 'revoked_api_key' | 'expired_api_key', message: string, tokenPresented: boolean): ApiError {
  return new ApiError(code, message, {}, { headers: { 'WWW-Authenticate': bearerChallenge(tokenPresented) } });
}

export function bearerKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match ? match[1]! : null;
}

export function authenticate(route: RouteDefinition, keys: KeyAuthenticator): AppMiddleware {
  return async (ctx, next) => {
    const presented = bearerKey(ctx.req.headers.authorization);
    if (presented === null || parseApiKey(presented) === null)
      throw unauthorized('invalid_api_key', INVALID_KEY_MESSAGE, presented !== null);

    const key = await keys.lookupAndCount(presented);
    if (key === null) throw unauthorized('invalid_api_key', INVALID_KEY_MESSAGE, true);
    ctx.state.logIds = { ...ctx.state.logIds, organizationId: key.organizationId, keyId: key.keyId };
    if (key.revokedAt !== null) throw unauthorized('revoked_api_key', 'This API key was revoked. Create a new key.', true);
    if (key.rate === null) {
      const when = key.expiresAt ? ` on ${key.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}` : '';
      throw unauthorized('expired_api_key', `This API key expired${when}. Create a new key.`, true);
    }

    const { limit, allowed, remaining, resetAt, retryAfter } = key.rate;
    ctx.set('X-RateLimit-Limit', String(limit));
    ctx.set('X-RateLimit-Remaining', String(remaining));
    ctx.set('X-RateLimit-Reset', String(resetAt));

    if (!planIncludesApiAccess(key.plan)) {
      throw new ApiError('plan_upgrade_required', 'API access needs the Professional plan or above.', {
        required_plan: LOWEST_PLAN_WITH_API_ACCESS,
      });
    }
    const missing = missingScope(key.scopes, route.requiredScopes);
    if (missing !== null) {
      throw new ApiError('insufficient_scope', `This API key lacks the '${missing}' scope.`, { required_scope: missing });
    }
    if (!allowed) {
      metrics.rateLimitRejections.inc({ environment: key.environment });
      throw new ApiError(
        'rate_limit_exceeded',
        `Too many requests: this key allows ${limit} per minute. Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.`,
        {},
        { headers: { 'Retry-After': String(retryAfter) } },
      );
    }

    ctx.state.principal = {
      keyId: key.keyId,
      organizationId: key.organizationId,
      environment: key.environment,
      scopes: key.scopes,
      agentIds: key.agentIds,
    };
    await next();
  };
}
