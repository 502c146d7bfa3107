#!/usr/bin/env node
// Generates every file derived from openapi.yaml:
//
//   server/src/generated/routes.ts         openapi-generator (jar) + generator-config/koa-stubs templates
//   server/src/generated/handlers.ts       openapi-generator (jar) + generator-config/koa-stubs templates
//   server/src/generated/openapi-types.ts  openapi-typescript (same content as the SDK's openapi.ts)
//   server/src/generated/error-catalog.ts  this script, from ErrorCode's x-error-catalog
//   sdk/src/generated/openapi.ts           openapi-typescript
//   sdk/src/generated/error-codes.ts       this script, from the x-extensible-enum lists
//
//   npm run generate          write the files (only those whose content changed)
//   npm run generate:check    generate into a temporary folder and compare byte-for-byte with the
//                             files in the work tree; exit 1 on any difference, missing or extra
//                             file in the generated folders, 2 when the check could not run fully
//                             (java/mvn missing), 0 with a one-line OK otherwise
//
// Output is reproducible: no timestamps; the banner names the spec's sha256 and the generators.
// Before rendering, the spec is checked for what the templates rely on, and after rendering the
// route table is loaded and compared with the same facts computed here from the document, so a
// template slip or a behaviour change of openapi-generator fails loudly instead of shipping a
// wrong route table (e.g. an operation silently losing its authentication).

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';

import { MissingToolError, ROOT, ensureGeneratorJar, generatorSettings } from './fetch-generator.mjs';

const require = createRequire(import.meta.url);

const SPEC_FILE = 'openapi.yaml';
const GENERATOR_CONFIG = 'generator-config/koa-stubs.yaml';
const TEMPLATE_FOLDER = 'generator-config/koa-stubs';
const GENERATED_DIRS = ['server/src/generated', 'sdk/src/generated'];
/** Files rendered by openapi-generator: output name in its folder → destination in the repo. */
const JAR_OUTPUTS = {
  'routes.ts': 'server/src/generated/routes.ts',
  'handlers.ts': 'server/src/generated/handlers.ts',
};
const BANNER_FIRST_LINE = '// generated — do not edit.';
/** PathItem.readOperations() order, which the templates iterate. */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const SUPPORTED_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

class SpecProblems extends Error {
  constructor(title, problems) {
    super(`${title}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SpecProblems';
  }
}

// ---------------------------------------------------------------------------------------------
// The document

function loadSpec() {
  const bytes = readFileSync(join(ROOT, SPEC_FILE));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const text = bytes.toString('utf8');
  const doc = parseYaml(text, { uniqueKeys: true, maxAliasCount: -1 });
  if (!doc || typeof doc !== 'object') throw new Error(`${SPEC_FILE} is not a YAML mapping`);
  return { text, sha256, doc };
}

/** Follows local `$ref`s ('#/components/...'); anything else is unsupported here. */
function deref(doc, value, seen = new Set()) {
  if (!value || typeof value !== 'object' || typeof value.$ref !== 'string') return value;
  const ref = value.$ref;
  if (!ref.startsWith('#/')) throw new Error(`unsupported non-local $ref '${ref}'`);
  if (seen.has(ref)) throw new Error(`circular $ref '${ref}'`);
  let target = doc;
  for (const token of ref.slice(2).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    target = target?.[key];
  }
  if (target === undefined) throw new Error(`unresolvable $ref '${ref}'`);
  return deref(doc, target, new Set([...seen, ref]));
}

const isQuotable = (s) => typeof s === 'string' && !/['\\\n\r\u2028\u2029]/.test(s);

/** '/a/{b}/c' → '/a/:b/c' — the same function as toKoaPath() in the routes.ts template. */
function toKoaPath(openApiPath) {
  return openApiPath
    .split(/(\{[^{}]+\})/)
    .map((part) => {
      if (!/^\{[^{}]+\}$/.test(part)) return part.replace(/[()[\]{}?+!*:\\]/g, '\\$&');
      const name = part.slice(1, -1);
      return /^[A-Za-z_$][\w$]*$/.test(name) ? `:${name}` : `:${JSON.stringify(name)}`;
    })
    .join('');
}

/**
 * Computes each operation's route facts straight from the document (the oracle the generated
 * route table is compared with), collecting every problem that would make the templates render
 * something wrong or uncompilable.
 */
function analyseOperations(doc) {
  const problems = [];
  const routes = [];
  const seenIds = new Map();
  const schemes = doc.components?.securitySchemes ?? {};

  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem);
    if (!isQuotable(path)) problems.push(`path ${JSON.stringify(path)} contains a quote, backslash or line break`);
    for (const method of Object.keys(item)) {
      if (!METHODS.includes(method) && !['parameters', 'summary', 'description', 'servers', '$ref'].includes(method) && !method.startsWith('x-')) {
        problems.push(`${path}: unknown path item field '${method}'`);
      }
    }
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const id = op.operationId;
      if (typeof id !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(id)) {
        problems.push(`${where}: operationId ${JSON.stringify(id)} must be present and a JavaScript identifier`);
        continue;
      }
      if (seenIds.has(id)) problems.push(`${where}: operationId '${id}' is also used by ${seenIds.get(id)}`);
      seenIds.set(id, where);
      if (!SUPPORTED_METHODS.has(method)) problems.push(`${where} (${id}): method '${method}' is not in RouteDefinition's HttpMethod`);

      // Tags: the generator groups operations by tag, so an operation with two tags would be
      // rendered twice (duplicate keys); one without tags would be put under 'default'.
      const tags = op.tags ?? [];
      if (tags.length !== 1) problems.push(`${id}: needs exactly one tag (the koa-stubs templates group operations by tag), has ${tags.length}`);
      for (const tag of tags) if (!isQuotable(tag)) problems.push(`${id}: tag ${JSON.stringify(tag)} contains a quote or backslash`);

      if (typeof op.summary === 'string' && (op.summary.includes('*/') || /[\n\r]/.test(op.summary.trim()))) {
        problems.push(`${id}: summary must be one line without '*/' (it becomes a JSDoc comment)`);
      }

      // Security: `authenticated` is whether the effective requirement list demands a scheme.
      const security = op.security ?? doc.security ?? [];
      const requirements = Array.isArray(security) ? security : [];
      const empty = requirements.filter((r) => Object.keys(r ?? {}).length === 0).length;
      if (empty > 0 && empty < requirements.length) {
        problems.push(`${id}: security mixes {} (anonymous) with schemes; optional authentication is not supported by the route table`);
      }
      for (const requirement of requirements) {
        for (const scheme of Object.keys(requirement ?? {})) {
          if (!schemes[scheme]) problems.push(`${id}: security names the undefined scheme '${scheme}' (openapi-generator would drop it and the operation would look unauthenticated)`);
        }
      }
      const authenticated = requirements.length > 0 && empty === 0;

      const scopes = op['x-required-scopes'] ?? [];
      if (!Array.isArray(scopes) || !scopes.every(isQuotable)) {
        problems.push(`${id}: x-required-scopes must be a list of strings`);
      } else if (scopes.length > 0 && !authenticated) {
        problems.push(`${id}: x-required-scopes on an operation without authentication`);
      }

      // Parameters: operation-level first, then the path item's ones it does not override.
      const opParams = (op.parameters ?? []).map((p) => deref(doc, p));
      const itemParams = (item.parameters ?? []).map((p) => deref(doc, p));
      const params = [
        ...opParams,
        ...itemParams.filter((p) => !opParams.some((q) => q.name === p.name && q.in === p.in)),
      ];
      for (const p of params) {
        if (!isQuotable(p.name)) problems.push(`${id}: parameter name ${JSON.stringify(p.name)} contains a quote or backslash`);
      }
      const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
      const headerParams = params.filter((p) => p.in === 'header').map((p) => p.name);
      const queryParams = params.filter((p) => p.in === 'query').map((p) => p.name);
      const templated = [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]);
      if ([...templated].sort().join() !== [...pathParams].sort().join()) {
        problems.push(`${id}: path template parameters {${templated.join('}, {')}} do not match its path parameters [${pathParams.join(', ')}]`);
      }

      // Request body: JSON only (the runtime parses JSON; other media types would need templates).
      const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
      if (body) {
        const types = Object.keys(body.content ?? {});
        if (types.length !== 1 || types[0] !== 'application/json') {
          problems.push(`${id}: request body media types [${types.join(', ')}]; only application/json is supported`);
        }
      }

      // Responses: at least one 2xx, each a concrete status code.
      const codes = Object.keys(op.responses ?? {});
      const success = codes.filter((c) => /^2/.test(c));
      for (const code of success) {
        if (!/^2\d\d$/.test(code)) problems.push(`${id}: response '${code}': 2xx ranges are not supported, list concrete statuses`);
        const response = deref(doc, op.responses[code]);
        for (const type of Object.keys(response?.content ?? {})) {
          if (!isQuotable(type)) problems.push(`${id}: media type ${JSON.stringify(type)} contains a quote or backslash`);
        }
      }
      const numeric = success.filter((c) => /^2\d\d$/.test(c)).map(Number);
      if (numeric.length === 0) problems.push(`${id}: documents no 2xx response`);

      routes.push({
        operationId: id,
        method,
        path,
        koaPath: toKoaPath(path),
        tags,
        authenticated,
        requiredScopes: Array.isArray(scopes) ? scopes : [],
        hasRequestBody: Boolean(body),
        successStatus: numeric.length ? Math.min(...numeric) : NaN,
        pathParams,
        headerParams,
        queryParams,
      });
    }
  }
  if (routes.length === 0) problems.push('the document has no operations');
  if (problems.length) throw new SpecProblems(`${SPEC_FILE} cannot be turned into the route table`, problems);
  return routes;
}

/** The error catalog and the known-value lists, checked against each other. */
function analyseErrors(doc) {
  const schemas = doc.components?.schemas ?? {};
  const problems = [];
  const list = (name) => {
    const values = schemas[name]?.['x-extensible-enum'];
    if (!Array.isArray(values) || values.length === 0) {
      problems.push(`components.schemas.${name} has no x-extensible-enum list`);
      return [];
    }
    const seen = new Set();
    for (const value of values) {
      if (typeof value !== 'string' || !/^[a-z][a-z0-9_]*$/.test(value)) problems.push(`${name} x-extensible-enum: ${JSON.stringify(value)} is not a snake_case string`);
      if (seen.has(value)) problems.push(`${name} x-extensible-enum: '${value}' is listed twice`);
      seen.add(value);
    }
    return values;
  };
  const errorCodes = list('ErrorCode');
  const errorTypes = list('ErrorType');
  const messageErrorCodes = list('MessageErrorCode');
  const messageStatuses = list('MessageStatus');
  const messageTypes = list('MessageType');

  const catalog = schemas.ErrorCode?.['x-error-catalog'];
  const apiErrorProperties = Object.keys(deref(doc, schemas.ApiError)?.properties ?? {});
  if (!catalog || typeof catalog !== 'object' || Array.isArray(catalog)) {
    problems.push('components.schemas.ErrorCode has no x-error-catalog mapping');
  } else {
    const keys = Object.keys(catalog);
    const notInCatalog = errorCodes.filter((c) => !keys.includes(c));
    const notInEnum = keys.filter((c) => !errorCodes.includes(c));
    if (notInCatalog.length) problems.push(`ErrorCode x-extensible-enum lists codes missing from x-error-catalog: ${notInCatalog.join(', ')}`);
    if (notInEnum.length) problems.push(`ErrorCode x-error-catalog has codes missing from x-extensible-enum: ${notInEnum.join(', ')}`);
    for (const [code, entry] of Object.entries(catalog)) {
      const unknown = Object.keys(entry ?? {}).filter((k) => !['status', 'type', 'extras'].includes(k));
      if (unknown.length) problems.push(`x-error-catalog.${code}: unknown field(s) ${unknown.join(', ')}`);
      if (!Number.isInteger(entry?.status) || entry.status < 400 || entry.status > 599) problems.push(`x-error-catalog.${code}: status must be an integer 400–599, got ${JSON.stringify(entry?.status)}`);
      if (!errorTypes.includes(entry?.type)) problems.push(`x-error-catalog.${code}: type ${JSON.stringify(entry?.type)} is not in ErrorType's x-extensible-enum`);
      const extras = entry?.extras ?? [];
      if (!Array.isArray(extras)) problems.push(`x-error-catalog.${code}: extras must be a list`);
      else {
        for (const extra of extras) {
          if (!apiErrorProperties.includes(extra)) problems.push(`x-error-catalog.${code}: extra '${extra}' is not a property of the ApiError schema`);
        }
      }
    }
  }
  if (problems.length) throw new SpecProblems(`${SPEC_FILE}: the error catalog and the x-extensible-enum lists disagree`, problems);
  const entries = errorCodes.map((code) => [code, { status: catalog[code].status, type: catalog[code].type, extras: catalog[code].extras ?? [] }]);
  return { entries, errorTypes, messageErrorCodes, messageStatuses, messageTypes };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function banner(spec, generator) {
  return [
    BANNER_FIRST_LINE,
    `// Source: ${SPEC_FILE} (${spec.doc.info?.title} ${spec.doc.info?.version}, sha256 ${spec.sha256})`,
    `// Generator: ${generator}`,
    '// Regenerate with: npm run generate',
    '',
  ].join('\n');
}

const q = (s) => `'${s}'`;
const list = (items) => `[${items.map(q).join(', ')}]`;
const block = (items) => `[\n${items.map((i) => `  ${q(i)},`).join('\n')}\n]`;

async function renderOpenApiTypes(spec) {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const { version } = require('openapi-typescript/package.json');
  const body = astToString(await openapiTS(spec.text));
  return `${banner(spec, `openapi-typescript ${version}`)}\n${body}`;
}

function renderErrorCatalog(spec, errors) {
  return `${banner(spec, 'scripts/generate.mjs, from components.schemas.ErrorCode x-error-catalog and the x-extensible-enum lists')}
import type { components } from './openapi-types.js';

/** The known error types (components.schemas.ErrorType x-extensible-enum). */
export const errorTypes = ${block(errors.errorTypes)} as const;

export type ErrorType = (typeof errorTypes)[number];

/** A field an error may carry besides type, code, message and correlation_id. */
export type ErrorExtraField = Exclude<keyof components['schemas']['ApiError'], 'type' | 'code' | 'message' | 'correlation_id'>;

export interface ErrorCatalogEntry {
  readonly status: number;
  readonly type: ErrorType;
  readonly extras: readonly ErrorExtraField[];
}

/**
 * Every known error code with its HTTP status, its type and the extra fields it carries
 * (components.schemas.ErrorCode x-error-catalog, in x-extensible-enum order).
 */
export const errorCatalog = {
${errors.entries
  .map(([code, e]) => `  ${code}: { status: ${e.status}, type: ${q(e.type)}, extras: ${list(e.extras)} },`)
  .join('\n')}
} as const satisfies Readonly<Record<string, ErrorCatalogEntry>>;

export type ErrorCode = keyof typeof errorCatalog;
`;
}

function renderErrorCodes(spec, errors) {
  return `${banner(spec, 'scripts/generate.mjs, from the x-extensible-enum lists of ErrorCode, ErrorType, MessageErrorCode, MessageStatus and MessageType')}
// The values the API documents today. The lists are extensible: a response may carry a value
// that is not listed here. Handle an unknown error code by its type, an unknown error type by the
// HTTP status, an unknown message error code as a generic failure, an unknown message status as
// not final, and a message of an unknown type like any other message.

/** Known values of \`error.code\` (components.schemas.ErrorCode). */
export const knownErrorCodes = ${block(errors.entries.map(([code]) => code))} as const;

export type KnownErrorCode = (typeof knownErrorCodes)[number];

/** Known values of \`error.type\` (components.schemas.ErrorType). */
export const knownErrorTypes = ${block(errors.errorTypes)} as const;

export type KnownErrorType = (typeof knownErrorTypes)[number];

/** Known values of a failed message's \`error.code\` (components.schemas.MessageErrorCode). */
export const knownMessageErrorCodes = ${block(errors.messageErrorCodes)} as const;

export type KnownMessageErrorCode = (typeof knownMessageErrorCodes)[number];

/** Known values of a message's \`status\` (components.schemas.MessageStatus). */
export const knownMessageStatuses = ${block(errors.messageStatuses)} as const;

export type KnownMessageStatus = (typeof knownMessageStatuses)[number];

/** Known values of a message's \`type\` (components.schemas.MessageType). */
export const knownMessageTypes = ${block(errors.messageTypes)} as const;

export type KnownMessageType = (typeof knownMessageTypes)[number];
`;
}

const shellSafe = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`);

/**
 * Renders routes.ts and handlers.ts with openapi-generator through the pinned npm wrapper
 * (@openapitools/openapi-generator-cli), which runs offline because ensureGeneratorJar() put the
 * jar where openapitools.json's storageDir says. Throws MissingToolError without java/mvn.
 */
async function renderWithOpenApiGenerator(spec, workDir) {
  ensureGeneratorJar({ log: (line) => console.log(line) });
  const outDir = join(workDir, 'openapi-generator');
  const wrapper = require.resolve('@openapitools/openapi-generator-cli/main.js');
  const baseGenerator = parseYaml(readFileSync(join(ROOT, GENERATOR_CONFIG), 'utf8'))?.generatorName;
  const args = [
    '--openapitools',
    relative(ROOT, generatorSettings().configFile),
    'generate',
    '--config',
    GENERATOR_CONFIG,
    '--input-spec',
    SPEC_FILE,
    '--output',
    outDir,
    `--additional-properties=specSha256=${spec.sha256},templateFolder=${TEMPLATE_FOLDER},baseGenerator=${baseGenerator}`,
  ].map(shellSafe); // the wrapper joins its arguments into one shell command line
  const { code, output } = await new Promise((resolve, reject) => {
    // The wrapper resolves openapitools.json and storageDir against $PWD, not process.cwd().
    const child = spawn(process.execPath, [wrapper, ...args], { cwd: ROOT, env: { ...process.env, PWD: ROOT }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `signal ${signal}` : status, output: text });
    });
  });
  if (code !== 0) {
    throw new Error(`openapi-generator failed (${code}):\n${output.trim().split('\n').slice(-40).join('\n')}`);
  }
  const files = {};
  for (const [name, destination] of Object.entries(JAR_OUTPUTS)) {
    const file = join(outDir, name);
    if (!existsSync(file)) throw new Error(`openapi-generator did not write ${name}; its output:\n${output.trim().split('\n').slice(-20).join('\n')}`);
    files[destination] = readFileSync(file, 'utf8');
  }
  return files;
}

/**
 * Checks the files rendered by openapi-generator: their banners, and the route table, which is
 * loaded and compared with the facts computed from the document.
 */
async function verifyJarOutputs(files, expected, expectedBanner) {
  const problems = [];
  const bannerLines = (text) => text.split('\n').slice(0, 4);
  for (const [rel, text] of Object.entries(files)) {
    const [want, got] = [bannerLines(expectedBanner), bannerLines(text)];
    for (const i of [0, 1, 3]) if (want[i] !== got[i]) problems.push(`${rel} banner line ${i + 1}: expected ${JSON.stringify(want[i])}, got ${JSON.stringify(got[i])}`);
  }
  const routesTs = files[JAR_OUTPUTS['routes.ts']];

  const ts = (await import('typescript')).default;
  const js = ts.transpileModule(routesTs, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  }).outputText;
  const mod = await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`);

  const order = (mod.routes ?? []).map((r) => r.operationId).join(', ');
  const wantOrder = expected.map((r) => r.operationId).join(', ');
  if (order !== wantOrder) problems.push(`routes order: expected [${wantOrder}], got [${order}]`);
  if ((mod.operationIds ?? []).join(', ') !== wantOrder) problems.push(`operationIds: expected [${wantOrder}], got [${(mod.operationIds ?? []).join(', ')}]`);
  const byId = mod.routesByOperationId ?? {};
  const extra = Object.keys(byId).filter((id) => !expected.some((r) => r.operationId === id));
  if (extra.length) problems.push(`routesByOperationId has unexpected entries: ${extra.join(', ')}`);
  for (const route of expected) {
    const actual = byId[route.operationId];
    if (!actual) {
      problems.push(`routesByOperationId.${route.operationId} is missing`);
      continue;
    }
    for (const [key, value] of Object.entries(route)) {
      if (JSON.stringify(actual[key]) !== JSON.stringify(value)) {
        problems.push(`${route.operationId}.${key}: expected ${JSON.stringify(value)}, the template rendered ${JSON.stringify(actual[key])}`);
      }
    }
    const unknown = Object.keys(actual).filter((k) => !(k in route));
    if (unknown.length) problems.push(`${route.operationId}: unexpected field(s) ${unknown.join(', ')}`);
  }
  if (problems.length) {
    throw new SpecProblems(
      `the route table rendered by openapi-generator with ${TEMPLATE_FOLDER}/ disagrees with ${SPEC_FILE} (fix the templates or the generator config)`,
      problems,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing and writing

function listGeneratedFiles() {
  const found = [];
  const walk = (dir) => {
    if (!existsSync(join(ROOT, dir))) return;
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else found.push(rel);
    }
  };
  GENERATED_DIRS.forEach(walk);
  return found.sort();
}

/** Myers' O((N+M)D) line diff: a list of ['=', i, j] | ['-', i] | ['+', j], or null when D is large. */
function diffLines(a, b, maxEdits = 1000) {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace = [];
  for (let d = 0; d <= n + m; d++) {
    if (d > maxEdits) return null;
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        // Walk the trace back from (n, m).
        const ops = [];
        let [cx, cy] = [n, m];
        for (let e = trace.length - 1; e >= 0; e--) {
          const w = trace[e];
          const ck = cx - cy;
          const pk = ck === -e || (ck !== e && w[offset + ck - 1] < w[offset + ck + 1]) ? ck + 1 : ck - 1;
          const px = w[offset + pk];
          const py = px - pk;
          while (cx > px && cy > py) ops.push(['=', --cx, --cy]);
          if (e > 0) ops.push(cx === px ? ['+', --cy] : ['-', --cx]);
          [cx, cy] = [px, py];
        }
        return ops.reverse();
      }
    }
  }
  return null;
}

/** The first hunks of a unified diff (2 lines of context), capped at maxLines lines. */
function shortDiff(name, before, after, maxLines = 30) {
  const a = before.split('\n');
  const b = after.split('\n');
  const ops = diffLines(a, b) ?? [
    // Too different for a short diff: show it as one replacement.
    ...a.map((_, i) => ['-', i]),
    ...b.map((_, j) => ['+', j]),
  ];
  const out = [`--- ${name} (work tree)`, `+++ ${name} (generated from ${SPEC_FILE})`];
  const context = 2;
  let i = 0;
  while (i < ops.length) {
    if (ops[i][0] === '=') {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2 * context unchanged lines further.
    let start = i;
    while (start > 0 && i - start < context && ops[start - 1][0] === '=') start--;
    let end = i;
    for (let j = i, gap = 0; j < ops.length && gap <= 2 * context; j++) {
      if (ops[j][0] === '=') gap++;
      else {
        gap = 0;
        end = j;
      }
    }
    const stop = Math.min(ops.length, end + 1 + context);
    const hunk = ops.slice(start, stop);
    const firstA = (hunk.find((o) => o[0] !== '+')?.[1] ?? 0) + 1;
    const inB = hunk.find((o) => o[0] !== '-');
    const firstB = (inB ? (inB[0] === '=' ? inB[2] : inB[1]) : 0) + 1;
    const countA = hunk.filter((o) => o[0] !== '+').length;
    const countB = hunk.filter((o) => o[0] !== '-').length;
    out.push(`@@ -${firstA},${countA} +${firstB},${countB} @@`);
    for (const op of hunk) {
      if (op[0] === '=') out.push(` ${a[op[1]]}`);
      else if (op[0] === '-') out.push(`-${a[op[1]]}`);
      else out.push(`+${b[op[1]]}`);
    }
    i = stop;
  }
  const shown = out.slice(0, maxLines);
  if (out.length > shown.length) shown.push(`... (${out.length - shown.length} more diff lines)`);
  return shown.map((l) => `    ${l}`).join('\n');
}

function readIfExists(rel) {
  const file = join(ROOT, rel);
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
}

function missingToolsMessage(error) {
  return [
    `openapi-generator could not run: ${error.message}`,
    `  ${Object.values(JAR_OUTPUTS).join(' and ')} were NOT regenerated from ${SPEC_FILE}.`,
    '  Install the missing tool(s), then run `npm run generate` (or `npm run generator:fetch` to only fetch the jar).',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length) {
    console.error(`usage: node scripts/generate.mjs [--check]   (unknown argument: ${unknown.join(' ')})`);
    return 64;
  }
  const check = args.includes('--check');

  const spec = loadSpec();
  const expectedRoutes = analyseOperations(spec.doc);
  const errors = analyseErrors(spec.doc);

  const workDir = mkdtempSync(join(tmpdir(), 'mojeeb-generate-'));
  // openapi-generator (a JVM, a few seconds) runs while the rest is rendered in-process.
  const jarJob = renderWithOpenApiGenerator(spec, workDir).then(
    (files) => ({ files }),
    (error) => ({ error }),
  );
  try {
    const openapiTypes = await renderOpenApiTypes(spec);
    /** @type {Record<string, string>} */
    const outputs = {
      'server/src/generated/openapi-types.ts': openapiTypes,
      'sdk/src/generated/openapi.ts': openapiTypes,
      'server/src/generated/error-catalog.ts': renderErrorCatalog(spec, errors),
      'sdk/src/generated/error-codes.ts': renderErrorCodes(spec, errors),
    };
    const jar = await jarJob;
    let toolsMissing;
    if (jar.error instanceof MissingToolError) {
      toolsMissing = jar.error;
    } else if (jar.error) {
      throw jar.error;
    } else {
      await verifyJarOutputs(jar.files, expectedRoutes, banner(spec, 'openapi-generator'));
      Object.assign(outputs, jar.files);
    }
    // Without the jar, the committed route table and handler interface are kept as they are.
    const kept = toolsMissing ? Object.values(JAR_OUTPUTS) : [];
    const expectedFiles = new Set([...Object.keys(outputs), ...kept]);

    if (check) {
      // Generate into a temporary folder, then compare byte-for-byte with the work tree.
      const staged = join(workDir, 'generated');
      for (const [rel, content] of Object.entries(outputs)) {
        mkdirSync(dirname(join(staged, rel)), { recursive: true });
        writeFileSync(join(staged, rel), content);
      }
      const differing = [];
      for (const rel of Object.keys(outputs).sort()) {
        const committed = readIfExists(rel);
        const generated = readFileSync(join(staged, rel), 'utf8');
        if (committed === undefined) differing.push({ rel, reason: 'missing' });
        else if (committed !== generated) differing.push({ rel, reason: 'differs', diff: shortDiff(rel, committed, generated) });
      }
      for (const rel of kept) if (readIfExists(rel) === undefined) differing.push({ rel, reason: 'missing (and cannot be generated here)' });
      for (const rel of listGeneratedFiles()) if (!expectedFiles.has(rel)) differing.push({ rel, reason: 'extra file (not generated from the spec)' });

      if (differing.length) {
        console.error(`generate:check FAILED: the generated folders do not match ${SPEC_FILE} (sha256 ${spec.sha256.slice(0, 12)}…), ${differing.length} file(s):`);
        for (const { rel, reason, diff } of differing) {
          console.error(`  ${rel}: ${reason}`);
          if (diff) console.error(diff);
        }
        console.error('Run `npm run generate` and commit the result.');
      }
      if (toolsMissing) {
        console.error(`generate:check INCOMPLETE: ${missingToolsMessage(toolsMissing)}`);
        console.error(`  (the other ${Object.keys(outputs).length} files were ${differing.length ? 'checked, see above' : 'checked and match'}; a check that could not check everything does not pass)`);
        return 2;
      }
      if (differing.length) return 1;
      console.log(`generate:check OK: ${Object.keys(outputs).length} generated files match ${SPEC_FILE} (sha256 ${spec.sha256.slice(0, 12)}…) [${elapsed()}]`);
      return 0;
    }

    const changed = [];
    for (const [rel, content] of Object.entries(outputs)) {
      if (readIfExists(rel) === content) continue;
      mkdirSync(dirname(join(ROOT, rel)), { recursive: true });
      writeFileSync(join(ROOT, rel), content);
      changed.push(rel);
    }
    const removed = [];
    for (const rel of listGeneratedFiles()) {
      if (expectedFiles.has(rel)) continue;
      const content = readIfExists(rel) ?? '';
      if (content.startsWith(BANNER_FIRST_LINE)) {
        rmSync(join(ROOT, rel));
        removed.push(rel);
      } else {
        console.warn(`warning: ${rel} is in a generated folder but was not generated; move it elsewhere (generate:check reports it).`);
      }
    }
    for (const rel of changed) console.log(`  wrote   ${rel}`);
    for (const rel of removed) console.log(`  removed ${rel} (no longer generated)`);
    const total = Object.keys(outputs).length;
    console.log(`generate: ${changed.length} of ${total} files changed${removed.length ? `, ${removed.length} removed` : ''} (${SPEC_FILE} sha256 ${spec.sha256.slice(0, 12)}…) [${elapsed()}]`);
    if (toolsMissing) {
      for (const rel of kept) if (readIfExists(rel) === undefined) console.error(`error: ${rel} does not exist and cannot be generated without openapi-generator.`);
      console.error(`WARNING: ${missingToolsMessage(toolsMissing)}`);
      return kept.every((rel) => readIfExists(rel) !== undefined) ? 0 : 1;
    }
    return 0;
  } finally {
    await jarJob; // never rejects; do not pull the folder from under a running generator
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const label = process.argv.includes('--check') ? 'generate:check' : 'generate';
    console.error(`${label} FAILED: ${error instanceof SpecProblems ? error.message : error.stack ?? error}`);
    process.exit(1);
  },
);
