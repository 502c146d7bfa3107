/**
 * GET /readyz — readiness: 200 when the database answers `select 1` within the readiness
 * timeout, otherwise the documented 503 with the same shape (not an error envelope: load
 * balancers and orchestrators read `checks`).
 */
import type { OperationImplementation } from './context.ts';

export const getReadiness: OperationImplementation<'getReadiness'> = async (_request, ctx) => {
  if (await ctx.services.database.isReachable()) {
    return { status: 200, body: { status: 'ready', checks: { database: 'ok' } } };
  }
  ctx.logger.warn('readiness check failed', { check: 'database' });
  return { status: 503, body: { status: 'unavailable', checks: { database: 'unavailable' } } };
};
