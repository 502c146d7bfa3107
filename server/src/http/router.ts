/**
 * Routing from the generated route table, and the answers for requests that match no operation.
 *
 * Each operation gets one chain of small middleware, in the precedence order of the Errors
 * guide in openapi.yaml (routing 404/405 → authentication 401 → plan/scope 403 → rate limit 429
 * → body format 400/413/415 → field validation 422 → agent restriction 403 → idempotency
 * 409/422 → business rules in the handler). See `operationChain` for where each piece goes.
 *
 * Unmatched requests (x-unmatched-request-responses in openapi.yaml):
 * - a known path with another method → 405 `method_not_allowed`, `Allow` + `allowed_methods`;
 * - `/v1/messenger[/…]`, `/v1/instagram[/…]` → 404 `channel_not_available` with `channel`;
 * - any other path → 404 `endpoint_not_found` (outside `/v1` too: one envelope for everything).
 *
 * HEAD and OPTIONS: HEAD is answered for every GET operation, as that GET without a body (the
 * HTTP default, and what `curl -I /healthz` expects); so a GET path lists `GET, HEAD` in
 * `Allow`. OPTIONS is not implemented: the API is for servers, not browsers, so there is no
 * CORS preflight to answer, and a 405 whose `Allow` lists the path's methods tells a client
 * what OPTIONS would have.
 */
import Router from '@koa/router';
import type { OperationId, RouteDefinition } from '../generated/routes.ts';
import { ApiError } from '../core/errors.ts';
import type { Implementations } from '../core/operation.ts';
import { agentAccess } from './agent-access.ts';
import { authenticate, type KeyAuthenticator } from './auth.ts';
import { jsonBody } from './body.ts';
import type { AppMiddleware, AppState } from './context.ts';
import { REDOC_SCRIPT_PATH, redocScript } from './docs-assets.ts';
import { invoke } from './invoke.ts';
import { METRICS_PATH, metricsHandler } from './metrics-endpoint.ts';
import { sendFields } from './send-fields.ts';
import { registerWhatsAppWebhook, type WebhookOptions } from './whatsapp-webhook.ts';
import type { OperationValidator } from './validation.ts';

export const RESERVED_CHANNELS = ['messenger', 'instagram'] as const;
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface RoutingOptions<S> {
  readonly routes: readonly RouteDefinition[];
  readonly implementations: Implementations<S>;
  readonly validators: ReadonlyMap<string, OperationValidator>;
  readonly mediaTypes: ReadonlyMap<OperationId, ReadonlyMap<number, string>>;
  /** Handed to every handler as `ctx.services`. */
  readonly services: S;
  readonly maxBodyBytes: number;
  readonly keys: KeyAuthenticator;
  /** Meta's webhook endpoint; absent when no app secret and verify token are configured. */
  readonly webhook?: WebhookOptions | undefined;
  /** `/metrics` on this port, with its bearer token when set; false when served on METRICS_PORT. Default: served, no token. */
  readonly metrics?: { readonly token: string | undefined } | false;
}

/** The routing middleware: matched operations run their chain; everything else is answered here. */
export function routing<S>(options: RoutingOptions<S>): AppMiddleware[] {
  const router = new Router<AppState>({ strict: true, sensitive: true });
  for (const route of options.routes) {
    const validator = options.validators.get(route.operationId);
    if (validator === undefined) throw new Error(`no validator for ${route.operationId}`);
    router.register(route.koaPath, [route.method.toUpperCase()], operationChain(route, validator, options), {
      name: route.operationId,
    });
  }
  router.register(REDOC_SCRIPT_PATH, ['GET'], [redocScript()]);
  if (options.metrics !== false) router.register(METRICS_PATH, ['GET'], [metricsHandler(options.metrics?.token)]);
  if (options.webhook) registerWhatsAppWebhook(router, options.webhook);

  const unmatched: AppMiddleware = async (ctx) => {
    const match = router.match(ctx.path, ctx.method);
    const allowed = [...new Set(match.path.flatMap((layer) => layer.methods))].sort(
      (a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b),
    );
    if (allowed.length > 0) {
      throw new ApiError(
        'method_not_allowed',
        `${ctx.method} is not allowed on ${clip(ctx.path)}; use ${allowed.join(' or ')}.`,
        { allowed_methods: allowed },
        { headers: { Allow: allowed.join(', ') } },
      );
    }
    const channel = RESERVED_CHANNELS.find((c) => ctx.path === `/v1/${c}` || ctx.path.startsWith(`/v1/${c}/`));
    if (channel !== undefined) {
      throw new ApiError(
        'channel_not_available',
        `The ${channel} channel is reserved and not available yet; only WhatsApp is available in v1.`,
        { channel },
      );
    }
    throw new ApiError('endpoint_not_found', `No endpoint ${ctx.method} ${clip(ctx.path)}.`);
  };

  return [router.routes() as unknown as AppMiddleware, unmatched];
}

/**
 * One operation's chain, in precedence order. Idempotency and the business rules come last, in
 * the handler's service call (domain/messages.ts), in the order the Errors guide gives.
 */
function operationChain<S>(route: RouteDefinition, validator: OperationValidator, options: RoutingOptions<S>): AppMiddleware[] {
  const implementation = options.implementations[route.operationId];
  const chain: AppMiddleware[] = [
    async (ctx, next) => {
      ctx.state.route = route;
      await next();
    },
  ];

  // Authentication (401), plan and scope (403), rate limit (429, and X-RateLimit-* on every
  // response to a usable key). Before the body is read: an unauthenticated caller must not make
  // us read 64 KiB.
  if (route.authenticated) chain.push(authenticate(route, options.keys));

  if (route.hasRequestBody) chain.push(jsonBody(options.maxBodyBytes)); // 415, 413, 400

  chain.push(async (ctx, next) => {
    ctx.state.query = validator.validate({
      body: ctx.state.body,
      headers: ctx.req.headers,
      params: (ctx as unknown as { params?: Record<string, string> }).params ?? {},
      query: ctx.query,
    }); // 422
    await next();
  });

  // The rest of field validation (422 recipient_is_sender; agent_id to lower case), then the
  // agent restriction (403 agent_not_authorized), for bodies that name an `agent_id`; the agent's
  // existence (422 agent_not_found) is checked by the send itself, before idempotency.
  if (route.authenticated && route.hasRequestBody) chain.push(sendFields(), agentAccess());

  chain.push(invoke(route, implementation, options.services, options.mediaTypes.get(route.operationId) ?? new Map()));
  return chain;
}

function clip(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
