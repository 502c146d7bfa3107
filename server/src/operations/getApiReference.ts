/**
 * GET /docs — the contract rendered by Redoc. Everything the page loads comes from this server:
 * the Redoc bundle from the installed `redoc` package (served at REDOC_SCRIPT_PATH) and the
 * document from /openapi.json. No CDN, no font service, no external URL.
 */
import { REDOC_SCRIPT_PATH } from '../http/docs-assets.ts';
import type { OperationImplementation } from './context.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

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
<script>
  Redoc.init('/openapi.json', { hideDownloadButton: false, expandResponses: '200,202' }, document.getElementById('redoc-container'));
</script>
</body>
</html>
`;
}

export const getApiReference: OperationImplementation<'getApiReference'> = async (_request, ctx) => {
  const info = ctx.services.spec.document.info as { title?: unknown } | undefined;
  const title = typeof info?.title === 'string' ? info.title : 'API reference';
  return { status: 200, body: referencePage(title), contentType: 'text/html' };
};
