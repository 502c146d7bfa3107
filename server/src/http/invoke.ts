/**
 * The last link of an operation's chain: builds the typed OperationRequest from what the
 * earlier links validated, calls the handler (or answers 501 `not_implemented` when there is
 * none) and writes the handler's documented response.
 */
import { ApiError } from '../core/errors.ts';
import type { Implementations, OperationContext } from '../core/operation.ts';
import type { OperationRequest } from '../generated/handlers.ts';
import type { OperationId, RouteDefinition } from '../generated/routes.ts';
import type { AppMiddleware } from './context.ts';

type AnyHandler = (request: OperationRequest<OperationId>, ctx: OperationContext<unknown>) => Promise<HandlerResult>;

interface HandlerResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

export function invoke<S>(
  route: RouteDefinition,
  implementation: Implementations<S>[OperationId],
  services: S,
  /** The documented media type per status, used when the handler names none. */
  mediaTypes: ReadonlyMap<number, string>,
): AppMiddleware {
  const handler = implementation as unknown as AnyHandler | undefined;
  return async (ctx) => {
    if (handler === undefined) {
      throw new ApiError('not_implemented', `The operation ${route.operationId} is not implemented by this server.`);
    }
    const headers: Record<string, string> = {};
    for (const name of route.headerParams) {
      const value = ctx.req.headers[name.toLowerCase()];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const params: Record<string, string> = {};
    for (const name of route.pathParams) {
      const value = (ctx as unknown as { params?: Record<string, string> }).params?.[name];
      if (value !== undefined) params[name] = value;
    }
    const request = {
      operationId: route.operationId,
      params,
      headers,
      query: ctx.state.query ?? {},
      body: ctx.state.body,
      correlationId: ctx.state.correlationId,
    } as unknown as OperationRequest<OperationId>;
    const operationContext: OperationContext<S> = {
      correlationId: ctx.state.correlationId,
      logger: ctx.state.logger,
      services,
      principal: ctx.state.principal ?? null,
    };
    const result = await handler(request, operationContext);
    for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
    ctx.status = result.status;
    // The message a send created (or replayed) or a lookup found: its id goes in the access log.
    const id = messageIdOf(route, result);
    if (id !== undefined) ctx.state.logIds = { ...ctx.state.logIds, messageId: id };
    const mediaType = result.contentType ?? mediaTypes.get(result.status);
    if (result.body === undefined) return;
    if (typeof result.body === 'string' || Buffer.isBuffer(result.body)) {
      ctx.body = result.body;
    } else {
      ctx.body = JSON.stringify(result.body);
    }
    ctx.type = withCharset(mediaType ?? 'application/json');
  };
}

function messageIdOf(route: RouteDefinition, result: HandlerResult): string | undefined {
  if (!route.path.startsWith('/v1/whatsapp/') || result.status >= 300) return undefined;
  const body = result.body as { id?: unknown } | undefined;
  return typeof body === 'object' && body !== null && typeof body.id === 'string' ? body.id : undefined;
}

function withCharset(mediaType: string): string {
  if (mediaType.includes('charset') || !/^(text\/|application\/(json|yaml|javascript))/.test(mediaType)) return mediaType;
  return `${mediaType}; charset=utf-8`;
}
