/**
 * Static assets of the reference page, served by this server so that /docs needs no CDN: today
 * only Redoc's standalone bundle, from the locally installed `redoc` package. These routes are
 * not API operations and are not in openapi.yaml.
 */
import { createReadStream, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AppMiddleware } from './context.ts';

export const REDOC_SCRIPT_PATH = '/docs/redoc.standalone.js';

export function redocScriptFile(): string {
  return createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
}

export function redocScript(): AppMiddleware {
  const file = redocScriptFile();
  const { size } = statSync(file);
  return async (ctx) => {
    ctx.status = 200;
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    // For HEAD, Koa answers with these headers and no body; opening the file would leak it.
    if (ctx.method !== 'HEAD') ctx.body = createReadStream(file);
    ctx.length = size;
  };
}
