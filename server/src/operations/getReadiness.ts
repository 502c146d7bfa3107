/**
 * GET /readyz — readiness: 200 when the database answers `select 1` within the readiness
 * timeout and the process's delivery worker (if it runs one) is running or has been restarting
 * for less than its grace period; otherwise the documented 503 with the same shape (not an error
 * envelope: load balancers and orchestrators read `checks`).
 *
 * A short worker restart keeps the process ready on purpose: sends are still accepted and wait
 * durably in the queue, and taking every instance out of the load balancer during a database
 * failover would turn a delay into an outage.
 */
import type { OperationImplementation } from './context.ts';

export const getReadiness: OperationImplementation<'getReadiness'> = async (_request, ctx) => {
  const { worker } = ctx.services;
  const database = (await ctx.services.database.isReachable()) ? 'ok' : 'unavailable';
  const workerState = worker?.state();
  const workerOk = worker === null || workerState === 'running' || (workerState !== 'stopped' && worker.downForMs() < worker.graceMs);
  const checks = { database, ...(workerState !== undefined ? { worker: workerState } : {}) } as const;
  if (database === 'ok' && workerOk) return { status: 200, body: { status: 'ready', checks } };
  ctx.logger.warn('readiness check failed', {
    database,
    ...(workerState !== undefined ? { worker: workerState, worker_down_ms: worker!.downForMs() } : {}),
  });
  return { status: 503, body: { status: 'unavailable', checks } };
};
