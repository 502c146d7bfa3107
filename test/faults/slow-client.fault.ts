/**
 * Slow clients: connections that send their headers, or their body, at 1 byte per second (raw
 * sockets on loopback) are cut at the server's HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS
 * (2 s and 3 s here), while other clients' requests are served as usual meanwhile.
 */
import { expect } from 'chai';
import net from 'node:net';
import { ContractClient } from '../support/contract.ts';
import { startListeningServer, type ListeningServer } from '../support/processes.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { recordFigure } from './support/figures.ts';
import { prepareSender, TEMPLATES_PATH, type Sender } from './support/sender.ts';

const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 3_000;
const SLOW_CLIENTS_EACH = 10;
/** A slow client not cut by then fails the test. */
const GIVE_UP_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Cut {
  /** From the connection to the server closing it. */
  readonly ms: number;
  /** The status line the server answered before closing, if any. */
  readonly answer: string | null;
  readonly bytesSent: number;
}

/** Connects, writes `head` at once, then `trickle` one byte per second until the server closes the connection. */
function slowClient(url: URL, head: string, trickle: string): Promise<Cut> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(Number(url.port), url.hostname);
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`a slow client was not cut within ${GIVE_UP_MS} ms (sent ${sent} bytes)`));
    }, GIVE_UP_MS);
    const drip = () => {
      if (sent < trickle.length && !socket.destroyed) socket.write(trickle[sent++]!);
      timer = setTimeout(drip, 1_000);
    };
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      if (head !== '') socket.write(head);
      drip();
    });
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined); // a reset is a cut too
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve({ ms: performance.now() - started, answer: received === '' ? null : received.split('\r\n')[0]!, bytesSent: sent });
    });
  });
}

describe('fault: slow clients', function () {
  let cluster: Cluster;
  let sender: Sender;
  let server: ListeningServer;
  before(async () => {
    cluster = await startCluster();
    sender = await prepareSender(cluster.url(), 'slowclient');
    server = await startListeningServer(sender.database.connectionString, {
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
  });
  after(async () => {
    await server?.stop();
    await sender?.close();
    await cluster?.destroy();
  });

  it('cuts a client sending its headers or its body at 1 byte/s at the timeouts, and serves the others meanwhile', async function () {
    this.timeout(60_000);
    const figure = (name: string, value: number | string) =>
      recordFigure(`slow clients (headers ${HEADERS_TIMEOUT_MS} ms, request ${REQUEST_TIMEOUT_MS} ms)`, name, value);
    const url = new URL(server.baseUrl);
    const client = new ContractClient(server.baseUrl, undefined, sender.apiKey);
    const warm = await client.post(TEMPLATES_PATH, sender.body(-1));
    expect(warm.status, warm.text).to.equal(202);

    const request = (body: string) =>
      `POST ${TEMPLATES_PATH} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${sender.apiKey}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const body = JSON.stringify(sender.body(0));
    const slowHeaders = Array.from({ length: SLOW_CLIENTS_EACH }, () => slowClient(url, '', request(body) + body));
    const slowBodies = Array.from({ length: SLOW_CLIENTS_EACH }, () => slowClient(url, request(body), body));
    const slow = Promise.all([Promise.all(slowHeaders), Promise.all(slowBodies)]);

    // Meanwhile, other clients: a send and a /healthz every 100 ms, until every slow client is cut.
    let cut = false;
    void slow.finally(() => (cut = true));
    const latencies: number[] = [];
    const statuses: number[] = [];
    let i = 0;
    while (!cut) {
      const started = performance.now();
      const [send, health] = await Promise.all([client.post(TEMPLATES_PATH, sender.body(++i)), client.get('/healthz')]);
      latencies.push(performance.now() - started);
      statuses.push(send.status, health.status);
      await sleep(100);
    }
    const [headerCuts, bodyCuts] = await slow;

    const max = (xs: readonly number[]) => Math.max(...xs);
    const min = (xs: readonly number[]) => Math.min(...xs);
    const sorted = [...latencies].sort((a, b) => a - b);
    figure('slow-header clients', headerCuts.length);
    figure('slow-header clients cut after (ms, min)', min(headerCuts.map((c) => c.ms)));
    figure('slow-header clients cut after (ms, max)', max(headerCuts.map((c) => c.ms)));
    figure('slow-header answer', [...new Set(headerCuts.map((c) => c.answer ?? '(closed)'))].join(', '));
    figure('slow-body clients', bodyCuts.length);
    figure('slow-body clients cut after (ms, min)', min(bodyCuts.map((c) => c.ms)));
    figure('slow-body clients cut after (ms, max)', max(bodyCuts.map((c) => c.ms)));
    figure('slow-body answer', [...new Set(bodyCuts.map((c) => c.answer ?? '(closed)'))].join(', '));
    figure('concurrent normal request pairs', latencies.length);
    figure('their latency (ms, median)', sorted[Math.floor(sorted.length / 2)]!);
    figure('their latency (ms, max)', max(latencies));

    for (const c of headerCuts) {
      expect(c.ms, 'slow headers cut at the headers timeout').to.be.within(HEADERS_TIMEOUT_MS - 200, HEADERS_TIMEOUT_MS + 2_000);
      expect(c.answer).to.be.oneOf([null, 'HTTP/1.1 408 Request Timeout']);
    }
    for (const c of bodyCuts) {
      expect(c.ms, 'a slow body cut at the request timeout').to.be.within(REQUEST_TIMEOUT_MS - 200, REQUEST_TIMEOUT_MS + 2_000);
      expect(c.bytesSent, 'the body was not complete').to.be.below(body.length);
    }
    expect(
      statuses.filter((s) => s !== 202 && s !== 200),
      'other clients served normally',
    ).to.deep.equal([]);
    expect(latencies.length).to.be.at.least(5);
    expect(max(latencies), 'other clients are not slowed down').to.be.below(1_000);
  });
});
