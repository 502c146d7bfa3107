/** GET /openapi.yaml — the contract, byte for byte as the file on disk. */
import type { OperationImplementation } from './context.ts';

export const getOpenApiYaml: OperationImplementation<'getOpenApiYaml'> = async (_request, ctx) => ({
  status: 200,
  body: ctx.services.spec.yamlBytes.toString('utf8'),
  contentType: 'application/yaml',
});
