/**
 * What an operation handler gets besides its request: the request's correlation id and logger,
 * and the services it may call. Handlers never see Koa, headers or knex: they call services
 * (and, later, domain functions), return a documented response, or throw an ApiError.
 */
import type { OperationRequest, OperationResponse } from '../generated/handlers.ts';
import type { components, operations } from '../generated/openapi-types.ts';
import type { OperationId } from '../generated/routes.ts';
import type { Messaging } from '../domain/messages.ts';
import type { SandboxInbound } from '../domain/sandbox-inbound.ts';
import type { WebhookEndpoints } from '../domain/webhooks/endpoints.ts';
import type { Events } from '../domain/webhooks/events.ts';
import type { Principal } from '../http/auth.ts';
import type { LoadedSpec } from '../http/openapi.ts';
import type { Logger } from '../logger.ts';

export interface DatabaseProbe {
  /** `true` when the database answers `select 1` within the readiness timeout. */
  isReachable(): Promise<boolean>;
}

export interface WorkerProbe {
  /** `running`, `starting`, `restarting` or `stopped` (see WorkerCheck in openapi.yaml). */
  state(): 'running' | 'starting' | 'restarting' | 'stopped';
  /** How long the worker has not been running (ms); 0 while it runs. */
  downForMs(): number;
  /** Down for longer than this, the process is not ready. */
  readonly graceMs: number;
}

export interface Services {
  readonly spec: LoadedSpec;
  readonly database: DatabaseProbe;
  /** The delivery worker of this process; null when it runs none. */
  readonly worker: WorkerProbe | null;
  readonly messaging: Messaging;
  /** The sandbox's simulated customer messages (test keys only). */
  readonly sandbox: Pick<SandboxInbound, 'simulate'>;
  /** Webhook endpoints and the event log. */
  readonly webhooks: { readonly endpoints: WebhookEndpoints; readonly events: Events };
}

export interface OperationContext {
  readonly correlationId: string;
  readonly logger: Logger;
  readonly services: Services;
  /** The authenticated caller; null for operations that need no key. */
  readonly principal: Principal | null;
  /** What the operation's attached lookup found, made with the key's authentication; null when none was attached. */
  readonly prefetched: { readonly value: unknown } | null;
}

type ResponsesOf<Op extends OperationId> = operations[Op]['responses'];
type ContentOf<R> = R extends { content: infer C } ? C[keyof C] : never;

/**
 * Documented responses outside 2xx whose body is not the error envelope, such as getReadiness's
 * 503 `{status:'unavailable',…}`: a handler returns them like a success. Error envelopes are
 * never returned, they are thrown as ApiError.
 */
export type DocumentedOtherResponse<Op extends OperationId> = {
  [S in Exclude<keyof ResponsesOf<Op>, 200 | 201 | 202 | 203 | 204 | 206>]: ContentOf<ResponsesOf<Op>[S]> extends components['schemas']['ErrorResponse']
    ? never
    : { status: S; body: ContentOf<ResponsesOf<Op>[S]>; headers?: Record<string, string>; contentType?: string };
}[Exclude<keyof ResponsesOf<Op>, 200 | 201 | 202 | 203 | 204 | 206>];

export type OperationImplementation<Op extends OperationId> = (
  request: OperationRequest<Op>,
  ctx: OperationContext,
) => Promise<OperationResponse<Op> | DocumentedOtherResponse<Op>>;

/**
 * The implementation map: one handler per operationId; a missing one answers 501, a key that is
 * not an operationId makes createApp throw. `Partial<OperationHandlers<OperationContext>>` (the
 * generated interface) fits it; it also admits the documented non-error responses above.
 */
export type Implementations = { [Op in OperationId]?: OperationImplementation<Op> };
