/**
 * GET /docs — the contract rendered by Redoc. Everything the page loads comes from this server:
 * the Redoc bundle from the installed `redoc` package (served at REDOC_SCRIPT_PATH, its remote
 * footer logo replaced) and the document from /openapi.json. No CDN, no font service, no
 * external URL, and a Content-Security-Policy that enforces it: scripts from this server plus
 * the one inline `Redoc.init` (by its hash), Redoc's styles (it injects them inline), images
 * from here or inline, fetches to here, and the search worker Redoc starts from a blob: URL.
 */
import { createHash } from 'node:crypto';
import type { OperationImplementation } from './context.ts';

/** Where the page loads Redoc from; http/docs-assets.ts serves the bundle there. */
export const REDOC_SCRIPT_PATH = '/docs/redoc.standalone.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const INIT_SCRIPT = `
  Redoc.init('/openapi.json', { hideDownloadButton: false, expandResponses: '200,202' }, document.getElementById('redoc-container'));
`;

export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${createHash('sha256').update(INIT_SCRIPT).digest('base64')}'`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function referencePage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body { margin: 0; padding: 0; }</style>
</head>
<body>
<div id="redoc-container"></div>
<script src="${REDOC_SCRIPT_PATH}"></script>
<script>${INIT_SCRIPT}</script>
</body>
</html>
`;
}

export const getApiReference: OperationImplementation<'getApiReference'> = async (_request, ctx) => {
  const info = ctx.services.spec.document.info as { title?: unknown } | undefined;
  const title = typeof info?.title === 'string' ? info.title : 'API reference';
  return {
    status: 200,
    body: referencePage(title),
    contentType: 'text/html',
    headers: { 'Content-Security-Policy': DOCS_CONTENT_SECURITY_POLICY },
  };
};
