/**
 * The Koa application. The chain, outermost first:
 *
 *   security headers → correlation id → access log → error envelope → routing (generated route table)
 *     → per operation: auth, plan, scope, rate limit (401/403/429) → body (415/413/400)
 *       → validation (422) → agent restriction (403/422) → handler (or 501), whose send
 *       checks idempotency (409/422) and the business rules (domain/messages.ts)
 *     → unmatched: 405 / 404 channel_not_available / 404 endpoint_not_found
 *
 * Everything is compiled here, once: schemas, validators, the route table is checked against
 * the loaded document, and the implementation map is checked against the operationIds.
 */
import Koa from 'koa';
import type { Knex } from 'knex';
import type { Config } from './config.ts';
import { DatabaseAvailability } from './db/availability.ts';
import { pingDatabase } from './db/ping.ts';
import { KeyAuthentication } from './domain/api-keys/authenticate.ts';
import type { KeyCache } from './domain/api-keys/key-cache.ts';
import { Lists } from './domain/lists.ts';
import { MessageStatuses } from './domain/message-status.ts';
import { Messaging } from './domain/messages.ts';
import { SandboxInbound } from './domain/sandbox-inbound.ts';
import type { SecretBox } from './domain/secrets.ts';
import { WebhookEndpoints } from './domain/webhooks/endpoints.ts';
import { Events } from './domain/webhooks/events.ts';
import { allowPrivateFromEnv } from './domain/webhooks/ssrf.ts';
import { routes as generatedRoutes, type OperationId, type RouteDefinition } from './generated/routes.ts';
import { deref, isObject, listOperations, type LoadedSpec } from './core/openapi.ts';
import { accessLog } from './http/access-log.ts';
import { MAX_BODY_BYTES } from './http/body.ts';
import type { AppState } from './http/context.ts';
import { correlation } from './http/correlation.ts';
import { errorHandler } from './http/error-handler.ts';
import { routing } from './http/router.ts';
import { securityHeaders } from './http/security-headers.ts';
import { createSchemaSet } from './http/schemas.ts';
import { compileValidators } from './http/validation.ts';
import { errorFields, type Logger } from './logger.ts';
import type { Implementations, Services, WorkerProbe } from './operations/context.ts';

export interface AppOptions {
  readonly spec: LoadedSpec;
  /** The implementation map; a missing operation answers 501, an unknown key throws here. */
  readonly handlers: Implementations;
  readonly db: Knex;
  readonly config: Pick<Config, 'readinessTimeoutMs'> &
    Partial<Pick<Config, 'metaAppSecret' | 'metaVerifyToken' | 'trustProxy' | 'metricsToken' | 'metricsPort'>>;
  readonly logger: Logger;
  /** The delivery worker running in this process, reported by `/readyz`; absent when none. */
  readonly worker?: WorkerProbe;
  /** Defaults to the generated route table; tests never need another. */
  readonly routes?: readonly RouteDefinition[];
  readonly maxBodyBytes?: number;
  /** Encrypts webhook signing secrets at rest; without one they are stored as they are. */
  readonly secrets?: SecretBox | null;
  /**
   * The process's key cache, kept current by key change notifications (main.ts starts the
   * listener); without one, every request looks its key up.
   */
  readonly keyCache?: KeyCache | null;
}

export function createApp(options: AppOptions): Koa<AppState> {
  const routes = options.routes ?? generatedRoutes;
  checkImplementations(options.handlers, routes);
  checkRouteTable(options.spec, routes);

  const schemas = createSchemaSet(options.spec.document, { verbose: true });
  const validators = compileValidators(options.spec, schemas, routes);
  const availability = new DatabaseAvailability(options.logger);
  const services: Services = {
    spec: options.spec,
    database: {
      isReachable: async () => {
        const reachable = await pingDatabase(options.db, options.config.readinessTimeoutMs);
        if (reachable) availability.succeeded();
        else availability.failed('unreachable');
        return reachable;
      },
    },
    worker: options.worker ?? null,
    messaging: new Messaging(options.db, options.logger),
    sandbox: new SandboxInbound(options.db),
    lists: new Lists(options.db),
    statuses: new MessageStatuses(options.db),
    webhooks: {
      endpoints: new WebhookEndpoints(options.db, options.secrets ?? null, allowPrivateFromEnv()),
      events: new Events(options.db),
    },
  };

  const app = new Koa<AppState>();
  // TRUST_PROXY: X-Forwarded-For/-Proto/-Host are believed only behind that many proxies; the
  // client IP is then the leftmost of the last N entries (what the outermost proxy saw).
  const trustProxy = options.config.trustProxy ?? 0;
  app.proxy = trustProxy > 0;
  app.maxIpsCount = trustProxy;
  // Errors inside the chain are logged by the error middleware, with the correlation id. What
  // reaches Koa's own handler happens after the response started (a failing body stream).
  app.silent = true;
  app.on('error', (error: unknown, ctx?: { state?: Partial<AppState> }) => {
    (ctx?.state?.logger ?? options.logger).error('error after the response started', errorFields(error));
  });
  app.use(securityHeaders());
  app.use(correlation(options.logger));
  app.use(accessLog());
  app.use(errorHandler(availability));
  for (const middleware of routing({
    routes,
    implementations: options.handlers,
    validators,
    mediaTypes: documentedMediaTypes(options.spec),
    services,
    maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES,
    keys: new KeyAuthentication(options.db, options.keyCache ?? null),
    webhook:
      options.config.metaAppSecret && options.config.metaVerifyToken
        ? { appSecret: options.config.metaAppSecret, verifyToken: options.config.metaVerifyToken, db: options.db }
        : undefined,
    // On METRICS_PORT instead when one is configured (main.ts serves it there).
    metrics: options.config.metricsPort === undefined ? { token: options.config.metricsToken } : false,
  })) {
    app.use(middleware);
  }
  return app;
}

/** A handler for an operationId the contract does not have is a bug: refuse to start. */
function checkImplementations(handlers: Implementations, routes: readonly RouteDefinition[]): void {
  const known = new Set<string>(routes.map((r) => r.operationId));
  for (const [key, value] of Object.entries(handlers)) {
    if (!known.has(key)) {
      throw new Error(`handler '${key}' does not match any operationId of openapi.yaml (known: ${[...known].join(', ')})`);
    }
    if (typeof value !== 'function') throw new Error(`handler '${key}' is not a function`);
  }
}

/** The generated table must describe the document being served (same operations, methods, paths). */
function checkRouteTable(spec: LoadedSpec, routes: readonly RouteDefinition[]): void {
  const inSpec = new Set(listOperations(spec.document).map((op) => `${op.operationId} ${op.method} ${op.path}`));
  const inTable = new Set(routes.map((r) => `${r.operationId} ${r.method} ${r.path}`));
  const missing = [...inSpec].filter((k) => !inTable.has(k));
  const extra = [...inTable].filter((k) => !inSpec.has(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `the generated route table does not match ${spec.path} (run npm run generate): ` +
        `missing [${missing.join('; ')}], unexpected [${extra.join('; ')}]`,
    );
  }
}

/** operationId → status → the first media type the contract documents for that response. */
function documentedMediaTypes(spec: LoadedSpec): Map<OperationId, Map<number, string>> {
  const result = new Map<OperationId, Map<number, string>>();
  for (const op of listOperations(spec.document)) {
    const byStatus = new Map<number, string>();
    const responses = isObject(op.operation.responses) ? op.operation.responses : {};
    for (const [status, raw] of Object.entries(responses)) {
      const response = deref(spec.document, raw);
      const first = isObject(response.content) ? Object.keys(response.content)[0] : undefined;
      if (first !== undefined && /^\d{3}$/.test(status)) byStatus.set(Number(status), first);
    }
    result.set(op.operationId as OperationId, byStatus);
  }
  return result;
}
