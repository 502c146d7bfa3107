/**
 * The contract between the HTTP layer (http/) and the operation handlers (operations/): what a
 * handler gets besides its request, and what it may return. Handlers never see Koa, headers or
 * knex: they call the services they are given, return a documented response, or throw an
 * ApiError. `S` is the services object (operations/context.ts binds it); http/ passes it
 * through without knowing its shape.
 */
import type { OperationRequest, OperationResponse } from '../generated/handlers.ts';
import type { components, operations } from '../generated/openapi-types.ts';
import type { OperationId } from '../generated/routes.ts';
import type { Logger } from '../logger.ts';
import type { Principal } from './principal.ts';

export interface OperationContext<S> {
  readonly correlationId: string;
  readonly logger: Logger;
  readonly services: S;
  /** The authenticated caller; null for operations that need no key. */
  readonly principal: Principal | null;
}

type ResponsesOf<Op extends OperationId> = operations[Op]['responses'];
type ContentOf<R> = R extends { content: infer C } ? C[keyof C] : never;
type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 206;

/**
 * Documented responses outside 2xx whose body is not the error envelope, such as getReadiness's
 * 503 `{status:'unavailable',…}`: a handler returns them like a success. Error envelopes are
 * never returned, they are thrown as ApiError.
 */
export type DocumentedOtherResponse<Op extends OperationId> = {
  [St in Exclude<keyof ResponsesOf<Op>, SuccessStatus>]: ContentOf<ResponsesOf<Op>[St]> extends components['schemas']['ErrorResponse']
    ? never
    : { status: St; body: ContentOf<ResponsesOf<Op>[St]>; headers?: Record<string, string>; contentType?: string };
}[Exclude<keyof ResponsesOf<Op>, SuccessStatus>];

export type OperationResult<Op extends OperationId> = Promise<OperationResponse<Op> | DocumentedOtherResponse<Op>>;

export type OperationImplementation<Op extends OperationId, S> = (
  request: OperationRequest<Op>,
  ctx: OperationContext<S>,
) => OperationResult<Op>;

/**
 * The implementation map: one entry per operationId; a missing one answers 501, a key that is
 * not an operationId makes createApp throw. `Partial<OperationHandlers<OperationContext>>` (the
 * generated interface) fits it; it also admits the documented non-error responses above.
 */
export type Implementations<S> = { [Op in OperationId]?: OperationImplementation<Op, S> };
