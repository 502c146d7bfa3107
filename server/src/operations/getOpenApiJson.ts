/** GET /openapi.json — the contract converted to JSON (parsed from the YAML once, at start-up). */
import type { OperationImplementation } from './context.ts';

type Document = Extract<Awaited<ReturnType<OperationImplementation<'getOpenApiJson'>>>, { status: 200 }>['body'];

export const getOpenApiJson: OperationImplementation<'getOpenApiJson'> = async (_request, ctx) => ({
  status: 200,
  // The schema types `info` as a bare object; the real document is richer, hence the cast.
  body: ctx.services.spec.document as unknown as Document,
});
