/**
 * The services every operation handler may call, and the handler types bound to them (the
 * generic contract with http/ is core/operation.ts). Handlers call services and domain
 * functions; they never see Koa, headers or knex.
 */
import type * as core from '../core/operation.ts';
import type { LoadedSpec } from '../core/openapi.ts';
import type { Lists } from '../domain/lists.ts';
import type { MessageStatuses } from '../domain/message-status.ts';
import type { Messaging } from '../domain/messages.ts';
import type { SandboxInbound } from '../domain/sandbox-inbound.ts';
import type { OperationId } from '../generated/routes.ts';
import type { WebhookEndpoints } from '../domain/webhooks/endpoints.ts';
import type { Events } from '../domain/webhooks/events.ts';

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
  /** The lists of messages and conversations, and the window lookup. */
  readonly lists: Lists;
  /** The message status lookup (GET /v1/whatsapp/messages/{id}). */
  readonly statuses: MessageStatuses;
  /** Webhook endpoints and the event log. */
  readonly webhooks: { readonly endpoints: WebhookEndpoints; readonly events: Events };
}

export type OperationContext = core.OperationContext<Services>;
export type OperationImplementation<Op extends OperationId> = core.OperationImplementation<Op, Services>;
export type Implementations = core.Implementations<Services>;
