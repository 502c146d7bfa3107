/**
 * The route table openapi-generator renders with generator-config/koa-stubs/ against the same
 * facts computed here straight from openapi.yaml, so that a template slip or a behaviour change
 * of openapi-generator (an operation silently losing its authentication, a path parameter
 * dropped, a wrong success status) fails instead of shipping a wrong route table.
 */
import { expect } from 'chai';
import * as generated from '../../server/src/generated/routes.ts';
import { deref, HTTP_METHODS, isObject, type JsonObject } from '../../server/src/core/openapi.ts';
import { spec } from '../support/harness.ts';

interface RouteFacts {
  operationId: string;
  method: string;
  path: string;
  koaPath: string;
  tags: string[];
  authenticated: boolean;
  requiredScopes: string[];
  hasRequestBody: boolean;
  successStatus: number;
  pathParams: string[];
  headerParams: string[];
  queryParams: string[];
}

interface RouteModule {
  readonly routes?: readonly unknown[];
  readonly operationIds?: readonly unknown[];
  readonly routesByOperationId?: Readonly<Record<string, unknown>>;
}

/** '/a/{b}/c' → '/a/:b/c' in @koa/router (path-to-regexp 8) syntax, reserved characters escaped. */
function toKoaPath(openApiPath: string): string {
  return openApiPath
    .split(/(\{[^{}]+\})/)
    .map((part) => {
      if (!/^\{[^{}]+\}$/.test(part)) return part.replace(/[()[\]{}?+!*:\\]/g, '\\$&');
      const name = part.slice(1, -1);
      return /^[A-Za-z_$][\w$]*$/.test(name) ? `:${name}` : `:${JSON.stringify(name)}`;
    })
    .join('');
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What the route table must say about each operation, in document order (PathItem.readOperations()). */
function expectedRoutes(document: JsonObject): RouteFacts[] {
  const routes: RouteFacts[] = [];
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = deref(document, rawItem);
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const requirements = asArray(op.security ?? document.security).filter(isObject);
      const anonymous = requirements.filter((r) => Object.keys(r).length === 0).length;
      // Operation-level parameters first, then the path item's ones they do not override.
      const own = asArray(op.parameters).map((p) => deref(document, p));
      const shared = asArray(item.parameters).map((p) => deref(document, p));
      const params = [...own, ...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in))];
      const success = Object.keys(isObject(op.responses) ? op.responses : {})
        .filter((code) => /^2\d\d$/.test(code))
        .map(Number);
      routes.push({
        operationId: String(op.operationId),
        method,
        path,
        koaPath: toKoaPath(path),
        tags: asArray(op.tags).map(String),
        authenticated: requirements.length > 0 && anonymous === 0,
        requiredScopes: asArray(op['x-required-scopes']).map(String),
        hasRequestBody: op.requestBody !== undefined,
        successStatus: Math.min(...success),
        pathParams: params.filter((p) => p.in === 'path').map((p) => String(p.name)),
        headerParams: params.filter((p) => p.in === 'header').map((p) => String(p.name)),
        queryParams: params.filter((p) => p.in === 'query').map((p) => String(p.name)),
      });
    }
  }
  return routes;
}

/** Every way the loaded route table disagrees with the expected facts. */
function compareRoutes(mod: RouteModule, expected: readonly RouteFacts[]): string[] {
  const problems: string[] = [];
  const ids = (list: readonly unknown[] | undefined) => (list ?? []).map((r) => (isObject(r) ? r.operationId : r)).join(', ');
  const wantOrder = expected.map((r) => r.operationId).join(', ');
  if (ids(mod.routes) !== wantOrder) problems.push(`routes order: expected [${wantOrder}], got [${ids(mod.routes)}]`);
  if (ids(mod.operationIds) !== wantOrder) problems.push(`operationIds: expected [${wantOrder}], got [${ids(mod.operationIds)}]`);
  const byId = mod.routesByOperationId ?? {};
  const extra = Object.keys(byId).filter((id) => !expected.some((r) => r.operationId === id));
  if (extra.length) problems.push(`routesByOperationId has unexpected entries: ${extra.join(', ')}`);
  for (const route of expected) {
    const actual = byId[route.operationId];
    if (!isObject(actual)) {
      problems.push(`routesByOperationId.${route.operationId} is missing`);
      continue;
    }
    for (const [key, value] of Object.entries(route)) {
      if (JSON.stringify(actual[key]) !== JSON.stringify(value)) {
        problems.push(
          `${route.operationId}.${key}: expected ${JSON.stringify(value)}, the template rendered ${JSON.stringify(actual[key])}`,
        );
      }
    }
    const unknown = Object.keys(actual).filter((k) => !(k in route));
    if (unknown.length) problems.push(`${route.operationId}: unexpected field(s) ${unknown.join(', ')}`);
  }
  return problems;
}

describe('generated route table (server/src/generated/routes.ts)', () => {
  it('says for every operation what openapi.yaml says', () => {
    const expected = expectedRoutes(spec().document);
    expect(expected.length).to.be.greaterThan(5);
    expect(compareRoutes(generated, expected)).to.deep.equal([]);
    // routes and routesByOperationId are the same objects.
    for (const route of generated.routes) expect(generated.routesByOperationId[route.operationId]).to.equal(route);
  });

  it('reads the facts from the document: security, scopes, inherited parameters, success status', () => {
    const document: JsonObject = {
      security: [{ ApiKey: [] }],
      components: { parameters: { Id: { name: 'id', in: 'path', required: true }, Trace: { name: 'X-Trace', in: 'header' } } },
      paths: {
        '/v1/things/{id}': {
          parameters: [{ $ref: '#/components/parameters/Id' }, { $ref: '#/components/parameters/Trace' }],
          put: {
            operationId: 'putThing',
            tags: ['Things'],
            'x-required-scopes': ['things:write', '*'],
            parameters: [
              { name: 'Idempotency-Key', in: 'header' },
              { name: 'X-Trace', in: 'header', description: 'overridden' },
            ],
            requestBody: { content: { 'application/json': {} } },
            responses: { '202': {}, '200': {}, '4XX': {} },
          },
          get: { operationId: 'getThing', tags: ['Things'], security: [], responses: { '200': {} } },
        },
      },
    };
    expect(expectedRoutes(document)).to.deep.equal([
      {
        operationId: 'getThing',
        method: 'get',
        path: '/v1/things/{id}',
        koaPath: '/v1/things/:id',
        tags: ['Things'],
        authenticated: false,
        requiredScopes: [],
        hasRequestBody: false,
        successStatus: 200,
        pathParams: ['id'],
        headerParams: ['X-Trace'],
        queryParams: [],
      },
      {
        operationId: 'putThing',
        method: 'put',
        path: '/v1/things/{id}',
        koaPath: '/v1/things/:id',
        tags: ['Things'],
        authenticated: true,
        requiredScopes: ['things:write', '*'],
        hasRequestBody: true,
        successStatus: 200,
        pathParams: ['id'],
        headerParams: ['Idempotency-Key', 'X-Trace'],
        queryParams: [],
      },
    ]);
    expect(toKoaPath('/v1/a:b/{x-y}')).to.equal('/v1/a\\:b/:"x-y"');
  });

  it('reports a route table that lost an operation, its authentication or its order', () => {
    const expected = expectedRoutes(spec().document);
    const [first, second, ...rest] = generated.routes;
    const tampered = { ...second!, authenticated: !second!.authenticated, requiredScopes: [], rendered: true };
    const mod: RouteModule = {
      routes: [tampered, first!, ...rest],
      operationIds: generated.operationIds,
      routesByOperationId: { ...Object.fromEntries(rest.map((r) => [r.operationId, r])), [tampered.operationId]: tampered, ghost: {} },
    };
    const problems = compareRoutes(mod, expected);
    expect(problems).to.include(
      `routes order: expected [${expected.map((r) => r.operationId).join(', ')}], got [${[second!, first!, ...rest].map((r) => r.operationId).join(', ')}]`,
    );
    expect(problems).to.include('routesByOperationId has unexpected entries: ghost');
    expect(problems).to.include(`routesByOperationId.${first!.operationId} is missing`);
    expect(problems).to.include(
      `${second!.operationId}.authenticated: expected ${second!.authenticated}, the template rendered ${!second!.authenticated}`,
    );
    expect(problems).to.include(`${second!.operationId}: unexpected field(s) rendered`);
    if (second!.requiredScopes.length > 0)
      expect(problems.some((p) => p.startsWith(`${second!.operationId}.requiredScopes:`))).to.equal(true);
  });
});
