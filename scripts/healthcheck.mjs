#!/usr/bin/env node
// The container's health check (Dockerfile HEALTHCHECK), runnable anywhere with Node.js alone:
// slim images have no curl or wget.
//
//   node scripts/healthcheck.mjs [url]
//
// Asks `url` (default: HEALTHCHECK_URL, else http://127.0.0.1:$PORT/readyz, PORT defaulting to
// 3000; a HOST of one interface is used instead of 127.0.0.1) and exits 0 when it answers 200
// within HEALTHCHECK_TIMEOUT_MS (default 3000), 1 otherwise (any other status, no answer, a
// timeout), with one line on stderr saying why. /readyz answers 503 while the database is
// unreachable (or the in-process worker has been down too long), so the orchestrator sees it.
const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS ?? 3000);

function defaultUrl() {
  if (process.env.HEALTHCHECK_URL) return process.env.HEALTHCHECK_URL;
  const port = process.env.PORT && process.env.PORT.trim() !== '' ? process.env.PORT.trim() : '3000';
  const host = (process.env.HOST ?? '').trim();
  const local = host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${local}:${port}/readyz`;
}

const url = process.argv[2] ?? defaultUrl();
try {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 3000),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  if (response.status === 200) process.exit(0);
  console.error(`healthcheck: ${url} answered ${response.status}`);
  process.exit(1);
} catch (error) {
  const reason =
    error?.name === 'TimeoutError'
      ? `no answer within ${timeoutMs} ms`
      : `${error?.message ?? error}${error?.cause?.code ? ` (${error.cause.code})` : ''}`;
  console.error(`healthcheck: ${url}: ${reason}`);
  process.exit(1);
}
