/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every delivery
 * (raw body, headers, time) and answers as the test decides (a status, after a delay).
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
  readonly at: number;
  readonly event: { id: string; type: string; data: { object: { id: string; status?: string } } };
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Every request, answered 2xx or not. */
  readonly all: Received[];
  /** Deliveries answered so far (2xx or not). */
  requests: number;
  close(): Promise<void>;
}

export type Answer = (request: number, event: Received['event']) => { status: number; delayMs?: number };

export async function startReceiver(answer: Answer = () => ({ status: 200 })): Promise<Receiver> {
  const state = { requests: 0 };
  const received: Received[] = [];
  const all: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const item: Received = { body, headers: req.headers, at: Date.now(), event: JSON.parse(body) as Received['event'] };
      state.requests += 1;
      all.push(item);
      const { status, delayMs = 0 } = answer(state.requests, item.event);
      setTimeout(() => {
        if (status >= 200 && status < 300) received.push(item);
        res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      }, delayMs).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    all,
    get requests() {
      return state.requests;
    },
    set requests(n: number) {
      state.requests = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
