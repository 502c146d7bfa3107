/**
 * Static assets of the reference page, served by this server so that /docs needs no CDN: today
 * only Redoc's standalone bundle, from the locally installed `redoc` package. These routes are
 * not API operations and are not in openapi.yaml.
 *
 * The bundle is served with one change: Redoc's footer ("API docs by Redocly") shows a logo
 * it fetches from cdn.redoc.ly, which no option turns off. Its URL is replaced by an inline
 * (data:) image, so the page requests nothing from another host; /docs' Content-Security-Policy
 * (img-src 'self' data:) would block the request anyway.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { REDOC_SCRIPT_PATH } from '../operations/getApiReference.ts';
import type { AppMiddleware } from './context.ts';

export { REDOC_SCRIPT_PATH };

/** The remote logo of Redoc's footer, and what stands in for it: an empty 1×1 SVG, inline. */
export const REDOC_REMOTE_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
export const REDOC_LOCAL_LOGO = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";

export function redocScriptFile(): string {
  return createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
}

/** The bundle as served: the installed file with the remote logo replaced. */
export function redocScriptContent(): Buffer {
  return Buffer.from(readFileSync(redocScriptFile(), 'utf8').split(REDOC_REMOTE_LOGO).join(REDOC_LOCAL_LOGO), 'utf8');
}

export function redocScript(): AppMiddleware {
  const content = redocScriptContent();
  return async (ctx) => {
    ctx.status = 200;
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    // For HEAD, Koa answers with these headers and no body.
    if (ctx.method !== 'HEAD') ctx.body = content;
    ctx.length = content.length;
  };
}
