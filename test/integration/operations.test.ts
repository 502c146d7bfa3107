/**
 * What operators get: Prometheus metrics (process defaults, request and delivery latency,
 * rate-limit rejections, the pool), /metrics behind a token or on its own port, the access
 * log's ids and client IP (TRUST_PROXY), and stdout holding JSON log lines only.
 */
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { deliverMessage } from '../../server/src/delivery/deliver.ts';
import { createMetricsServer, metricsAuthorized } from '../../server/src/http/metrics-endpoint.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { setPoolProbe } from '../../server/src/metrics.ts';
import type { CloudApiClient } from '../../server/src/whatsapp/cloud-api.ts';
import { requestExample } from '../support/contract.ts';
import { harness, startServer, type TestServer } from '../support/harness.ts';
import { startListeningServer } from '../support/processes.ts';
import { newTenant } from '../support/tenants.ts';

const TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one series in a text exposition (0 when absent). */
function value(text: string, series: string): number {
  const escaped = series.replace(/[{}"+.\\[\]()*?^$|]/g, '\\$&');
  const match = new RegExp(`^${escaped} ([0-9.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${baseUrl}/metrics`, { headers });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('operations: metrics', function () {
  this.timeout(30_000);

  it('has the process and Node.js defaults, request latency by operation and status, and the pool gauges', async () => {
    setPoolProbe(harness.db);
    const sent = await harness.api.post('/v1/whatsapp/templates', requestExample('sendWhatsAppTemplate', 'named'));
    expect(sent.status).to.equal(202);
    const { status, text } = await scrape(harness.server.baseUrl);
    expect(status).to.equal(200);
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).to.match(new RegExp(`^${name} `, 'm'));
    }
    expect(text).to.include('# TYPE mojeeb_http_request_duration_seconds histogram');
    expect(value(text, 'mojeeb_http_request_duration_seconds_count{operation="sendWhatsAppTemplate",status="202"}')).to.be.at.least(1);
    expect(text).to.match(/^mojeeb_http_request_duration_seconds_bucket\{le="0\.05",operation="sendWhatsAppTemplate",status="202"\} \d+$/m);
    // The existing names are kept.
    expect(value(text, 'mojeeb_http_requests_total{operation="sendWhatsAppTemplate",status="202"}')).to.be.at.least(1);
    const pool = (harness.db.client as { pool: { max: number } }).pool;
    expect(value(text, 'mojeeb_db_pool_connections_max')).to.equal(pool.max);
    for (const name of [
      'mojeeb_db_pool_connections_used',
      'mojeeb_db_pool_connections_free',
      'mojeeb_db_pool_pending_acquires',
      'mojeeb_db_pool_pending_creates',
    ]) {
      expect(text).to.match(new RegExp(`^${name} \\d+$`, 'm'));
    }
    expect(value(text, 'mojeeb_db_pool_connections_used') + value(text, 'mojeeb_db_pool_connections_free')).to.be.at.least(1);
    expect(text).not.to.include(harness.fixture.apiKey.slice(8, 30));
  });

  it('reads the pool when scraped: a held connection shows as used', async () => {
    setPoolProbe(harness.db);
    await harness.db.transaction(async (trx) => {
      await trx.raw('select 1');
      // Other work of the run may hold connections too: at least this one is lent out.
      const during = value((await scrape(harness.server.baseUrl)).text, 'mojeeb_db_pool_connections_used');
      expect(during).to.be.at.least(1);
    });
  });

  it('counts rate-limit rejections', async () => {
    const tenant = await newTenant(harness.db);
    const { plaintext } = await tenant.key({ rateLimitPerMinute: 1 });
    const client = harness.api.withKey(plaintext);
    const series = 'mojeeb_rate_limit_rejections_total{environment="test"}';
    const before = value((await scrape(harness.server.baseUrl)).text, series);
    await client.get('/v1/whatsapp/messages/00000000-0000-4000-8000-000000000000');
    const limited = await client.get('/v1/whatsapp/messages/00000000-0000-4000-8000-000000000000');
    expect(limited.status).to.equal(429);
    expect(value((await scrape(harness.server.baseUrl)).text, series) - before).to.equal(1);
  });

  it('observes the delivery latency (acceptance to hand-over) when the delivery records the hand-over', async () => {
    const sent = await harness.api.post('/v1/whatsapp/templates', requestExample('sendWhatsAppTemplate', 'named'));
    expect(sent.status).to.equal(202);
    const id = (sent.body as { id: string }).id;
    // Accepted a while ago, as far as the latency is concerned.
    await harness
      .db('messages')
      .where({ id })
      .update({ created_at: harness.db.raw("now() - interval '3 seconds'") });
    const series = 'mojeeb_delivery_latency_seconds_count{channel="sandbox"}';
    const before = (await scrape(harness.server.baseUrl)).text;
    const cloudApi = { sendMessage: async () => Promise.reject(new Error('not used by the sandbox')) } as unknown as CloudApiClient;
    await deliverMessage({ db: harness.db, cloudApi, secrets: null, logger: silentLogger, sandboxStepMs: 60_000 }, id, 1);
    expect((await harness.db('messages').where({ id }).first('status')).status).to.equal('sent');
    const after = (await scrape(harness.server.baseUrl)).text;
    expect(value(after, series) - value(before, series)).to.equal(1);
    const sum =
      value(after, 'mojeeb_delivery_latency_seconds_sum{channel="sandbox"}') -
      value(before, 'mojeeb_delivery_latency_seconds_sum{channel="sandbox"}');
    expect(sum).to.be.within(2.9, 30);
    expect(after).to.include('# TYPE mojeeb_delivery_latency_seconds histogram');
    // Delivering again (the job rerun) hands nothing over and observes nothing.
    await deliverMessage({ db: harness.db, cloudApi, secrets: null, logger: silentLogger, sandboxStepMs: 60_000 }, id, 2);
    expect(value((await scrape(harness.server.baseUrl)).text, series)).to.equal(value(after, series));
  });
});

describe('operations: /metrics protection', function () {
  this.timeout(30_000);
  const servers: TestServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('METRICS_TOKEN: the bearer token is required', async () => {
    const server = await startServer({ db: harness.db, config: { metricsToken: TOKEN } });
    servers.push(server);
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer wrong-token-0123456789abcdef' },
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const refused = await scrape(server.baseUrl, headers);
      expect(refused.status, JSON.stringify(headers)).to.equal(401);
      expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="metrics"');
      expect(refused.text).not.to.include('mojeeb_');
    }
    const allowed = await scrape(server.baseUrl, { Authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).to.equal(200);
    expect(allowed.text).to.include('mojeeb_http_requests_total');
    // The API itself is unaffected.
    expect((await server.anonymous.get('/healthz')).status).to.equal(200);
  });

  it('the comparison: exact token only, any length', () => {
    expect(metricsAuthorized(undefined, undefined)).to.equal(true);
    expect(metricsAuthorized(`Bearer ${TOKEN}`, TOKEN)).to.equal(true);
    expect(metricsAuthorized(`bearer ${TOKEN}`, TOKEN)).to.equal(true);
    expect(metricsAuthorized(undefined, TOKEN)).to.equal(false);
    expect(metricsAuthorized('Bearer ', TOKEN)).to.equal(false);
    expect(metricsAuthorized(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).to.equal(false);
    expect(metricsAuthorized(`Basic ${TOKEN}`, TOKEN)).to.equal(false);
  });

  it('METRICS_PORT: the API port answers 404 for /metrics; the metrics server serves it alone (with the token)', async () => {
    const server = await startServer({ db: harness.db, config: { metricsPort: 0 } });
    servers.push(server);
    const api = await fetch(`${server.baseUrl}/metrics`);
    expect(api.status).to.equal(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('endpoint_not_found');

    const metricsServer = createMetricsServer(TOKEN);
    await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
      expect((await scrape(base)).status).to.equal(401);
      const ok = await scrape(base, { Authorization: `Bearer ${TOKEN}` });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      expect(ok.text).to.include('process_cpu_seconds_total');
      expect((await fetch(`${base}/v1/whatsapp/messages/x`)).status).to.equal(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } })).status).to.equal(405);
    } finally {
      await new Promise((resolve) => metricsServer.close(resolve));
    }
  });
});

describe('operations: the access log', function () {
  this.timeout(30_000);
  const servers: TestServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it("an authenticated send's line has organization_id, key_id, message_id and client_ip, never the key or the body", async () => {
    const sent = await harness.api.post('/v1/whatsapp/templates', requestExample('sendWhatsAppTemplate', 'named'));
    expect(sent.status).to.equal(202);
    const [line] = harness.server.logs.withCorrelationId(sent.correlationId).filter((l) => l.msg === 'request');
    expect(line).to.deep.include({
      status: 202,
      operation_id: 'sendWhatsAppTemplate',
      organization_id: harness.fixture.organizationId,
      key_id: harness.fixture.keyId,
      message_id: (sent.body as { id: string }).id,
      client_ip: '127.0.0.1',
    });
    const read = await harness.api.get(`/v1/whatsapp/messages/${(sent.body as { id: string }).id}`);
    const [readLine] = harness.server.logs.withCorrelationId(read.correlationId).filter((l) => l.msg === 'request');
    expect(readLine).to.deep.include({ status: 200, message_id: (sent.body as { id: string }).id, key_id: harness.fixture.keyId });
    const raw = harness.server.logs.raw.join('\n');
    expect(raw).not.to.include(harness.fixture.apiKey);
    expect(raw).not.to.include(harness.fixture.apiKey.slice(8));
    expect(raw).not.to.include('tracking_url'); // a field of the body
  });

  it('a refused request of a known key carries its ids; an unknown key none', async () => {
    const tenant = await newTenant(harness.db);
    const key = await tenant.key({ rateLimitPerMinute: 1 });
    const client = harness.api.withKey(key.plaintext);
    await client.get('/v1/whatsapp/messages/00000000-0000-4000-8000-000000000000');
    const limited = await client.get('/v1/whatsapp/messages/00000000-0000-4000-8000-000000000000');
    expect(limited.status).to.equal(429);
    const [line] = harness.server.logs.withCorrelationId(limited.correlationId).filter((l) => l.msg === 'request');
    expect(line).to.deep.include({ status: 429, organization_id: tenant.organization.id, key_id: key.record.id });
    expect(line).not.to.have.property('message_id');
    const anonymous = await harness.server.anonymous.get('/v1/whatsapp/messages/00000000-0000-4000-8000-000000000000');
    const [anonymousLine] = harness.server.logs.withCorrelationId(anonymous.correlationId).filter((l) => l.msg === 'request');
    expect(anonymousLine).to.include({ status: 401, client_ip: '127.0.0.1' });
    expect(anonymousLine).not.to.have.any.keys('organization_id', 'key_id');
  });

  it('TRUST_PROXY off: the socket address, whatever X-Forwarded-For says', async () => {
    const response = await harness.server.anonymous.get('/healthz', { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    const [line] = harness.server.logs.withCorrelationId(response.correlationId).filter((l) => l.msg === 'request');
    expect(line).to.include({ client_ip: '127.0.0.1' });
  });

  it('TRUST_PROXY on: the client IP from X-Forwarded-For, as the trusted proxies saw it', async () => {
    for (const [trustProxy, expected] of [
      [1, '198.51.100.2'],
      [2, '203.0.113.7'],
    ] as const) {
      const server = await startServer({ db: harness.db, config: { trustProxy } });
      servers.push(server);
      const response = await server.anonymous.get('/healthz', { headers: { 'X-Forwarded-For': '203.0.113.7, 198.51.100.2' } });
      const [line] = server.logs.withCorrelationId(response.correlationId).filter((l) => l.msg === 'request');
      expect(line, `TRUST_PROXY=${trustProxy}`).to.include({ client_ip: expected });
      const direct = await server.anonymous.get('/healthz');
      const [directLine] = server.logs.withCorrelationId(direct.correlationId).filter((l) => l.msg === 'request');
      expect(directLine).to.include({ client_ip: '127.0.0.1' });
    }
  });
});

describe('operations: the server process (METRICS_PORT, METRICS_TOKEN, stdout)', function () {
  this.timeout(60_000);

  it('serves /metrics on its own loopback port with the token, and writes only JSON lines to stdout', async () => {
    const server = await startListeningServer(harness.database.connectionString, { METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
    try {
      const [, metricsUrl] = await server.waitFor(/"msg":"metrics listening"[^\n]*"url":"([^"]+)"/, 10_000);
      expect(metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(metricsUrl!)).status).to.equal(401);
      const scraped = await fetch(metricsUrl!, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(scraped.status).to.equal(200);
      const text = await scraped.text();
      expect(text).to.include('process_cpu_seconds_total');
      expect(text).to.match(/^mojeeb_db_pool_connections_max 10$/m);
      expect((await fetch(`${server.baseUrl}/metrics`)).status).to.equal(404);
      expect(server.stderr()).to.include('listening on http://127.0.0.1:');
      for (const line of server
        .stdout()
        .split('\n')
        .filter((l) => l.trim() !== ''))
        expect(() => JSON.parse(line), line).not.to.throw();
      expect(server.stdout()).not.to.include(TOKEN);
    } finally {
      expect(await server.stop()).to.equal(0);
    }
  });
});
