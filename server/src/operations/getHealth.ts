/** GET /healthz — liveness: answers while the process runs, touches nothing else. */
import type { OperationImplementation } from './context.ts';

export const getHealth: OperationImplementation<'getHealth'> = async () => ({ status: 200, body: { status: 'ok' } });
