import { expect } from 'chai';
import { REDOC_LOCAL_LOGO, REDOC_REMOTE_LOGO, redocScriptContent, redocScriptFile } from '../../server/src/http/docs-assets.ts';
import { readRepoFile, requestExample } from '../support/contract.ts';
import { freePort } from '../support/postgres.ts';
import { harness, startServer, unreachableDatabase } from '../support/harness.ts';
import { statSync } from 'node:fs';
import { parse } from 'yaml';

describe('service endpoints', () => {
  describe('GET /healthz (getHealth)', () => {
    it('answers 200 {status: ok}', async () => {
      const res = await harness.api.get('/healthz');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ok' });
      expect(res.operationId).to.equal('getHealth');
    });

    it('answers HEAD like GET, without a body', async () => {
      const res = await harness.api.head('/healthz');
      expect(res.status).to.equal(200);
      expect(res.bytes.length).to.equal(0);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      expect(res.headers.get('content-length')).to.equal(String(Buffer.byteLength('{"status":"ok"}')));
    });
  });

  describe('GET /readyz (getReadiness)', () => {
    it('answers 200 ready while the database answers', async () => {
      const res = await harness.api.get('/readyz');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ready', checks: { database: 'ok' } });
    });

    it('answers the documented 503 (not an error envelope) when the database is unreachable', async () => {
      const db = unreachableDatabase(await freePort());
      const other = await startServer({ db, readinessTimeoutMs: 500 });
      try {
        const started = Date.now();
        const res = await other.api.get('/readyz');
        expect(res.status).to.equal(503);
        expect(res.body).to.deep.equal({ status: 'unavailable', checks: { database: 'unavailable' } });
        expect(Date.now() - started).to.be.below(3_000);
        // liveness does not depend on the database
        expect((await other.api.get('/healthz')).status).to.equal(200);
      } finally {
        await other.close();
        await db.destroy();
      }
    });
  });

  describe('GET /readyz with the delivery worker of the process (checks.worker)', () => {
    const probe = (state: 'running' | 'starting' | 'restarting' | 'stopped', downForMs: number) => ({
      state: () => state,
      downForMs: () => downForMs,
      graceMs: 30_000,
    });
    const cases = [
      { worker: probe('running', 0), status: 200, body: { status: 'ready', checks: { database: 'ok', worker: 'running' } } },
      // Restarting within READINESS_WORKER_GRACE_MS: still ready (sends are accepted and wait in the queue).
      { worker: probe('restarting', 29_000), status: 200, body: { status: 'ready', checks: { database: 'ok', worker: 'restarting' } } },
      // Down for longer than the grace period: not ready.
      {
        worker: probe('restarting', 31_000),
        status: 503,
        body: { status: 'unavailable', checks: { database: 'ok', worker: 'restarting' } },
      },
      { worker: probe('stopped', 0), status: 503, body: { status: 'unavailable', checks: { database: 'ok', worker: 'stopped' } } },
    ];
    for (const c of cases) {
      it(`worker ${c.worker.state()} for ${c.worker.downForMs()} ms (grace 30 s) → ${c.status}`, async () => {
        const other = await startServer({ db: harness.db, worker: c.worker });
        try {
          const res = await other.api.get('/readyz');
          expect(res.status).to.equal(c.status);
          expect(res.body).to.deep.equal(c.body);
        } finally {
          await other.close();
        }
      });
    }
  });

  describe('GET /openapi.yaml (getOpenApiYaml)', () => {
    it('serves the exact bytes of openapi.yaml as application/yaml', async () => {
      const res = await harness.api.get('/openapi.yaml');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/yaml/);
      expect(res.bytes.equals(readRepoFile('openapi.yaml'))).to.equal(true);
    });
  });

  describe('GET /openapi.json (getOpenApiJson)', () => {
    it('serves the same document converted to JSON', async () => {
      const res = await harness.api.get('/openapi.json');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal(parse(readRepoFile('openapi.yaml').toString('utf8')));
    });
  });

  describe('GET /docs (getApiReference)', () => {
    it('renders the reference with the locally served Redoc bundle and no external URL', async () => {
      const res = await harness.api.get('/docs');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.text).to.include('<script src="/docs/redoc.standalone.js"></script>');
      expect(res.text).to.include("Redoc.init('/openapi.json'");
      expect(res.text).to.include('<title>Mojeeb Public API</title>');
      expect(res.text).not.to.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    });

    it('answers with a Content-Security-Policy that allows only this server (and the inline init script, by hash)', async () => {
      const res = await harness.api.get('/docs');
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name!, values]),
      );
      expect(directives.get('default-src')).to.deep.equal(["'none'"]);
      expect(directives.get('script-src')?.[0]).to.equal("'self'");
      expect(directives.get('script-src')?.[1]).to.match(/^'sha256-[A-Za-z0-9+/]+=*'$/);
      expect(directives.get('img-src')).to.deep.equal(["'self'", 'data:']);
      expect(directives.get('connect-src')).to.deep.equal(["'self'"]);
      expect(directives.get('frame-ancestors')).to.deep.equal(["'none'"]);
      expect(csp, 'no other host').not.to.match(/https?:|\*/);
      // The hash is the hash of the page's one inline script.
      const inline = /<script>([\s\S]*?)<\/script>/.exec(res.text)?.[1] ?? '';
      const { createHash } = await import('node:crypto');
      expect(directives.get('script-src')?.[1]).to.equal(`'sha256-${createHash('sha256').update(inline).digest('base64')}'`);
    });

    it('serves the Redoc standalone bundle from the installed redoc package', async () => {
      const res = await harness.api.get('/docs/redoc.standalone.js');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/javascript/);
      expect(res.bytes.length).to.equal(redocScriptContent().length);
      expect(res.operationId).to.equal('asset');
    });

    it("serves the bundle without Redoc's remote footer logo (an inline image instead)", async () => {
      expect(statSync(redocScriptFile()).size, 'the installed bundle still has it').to.be.greaterThan(0);
      const res = await harness.api.get('/docs/redoc.standalone.js');
      expect(res.text).not.to.include(REDOC_REMOTE_LOGO);
      expect(res.text).not.to.include('cdn.redoc.ly');
      expect(res.text).to.include(REDOC_LOCAL_LOGO);
      expect(res.text).not.to.match(/src:"https?:/);
    });

    it('answers HEAD for the bundle with its length and no body', async () => {
      const res = await harness.api.head('/docs/redoc.standalone.js');
      expect(res.status).to.equal(200);
      expect(res.bytes.length).to.equal(0);
      expect(res.headers.get('content-length')).to.equal(String(redocScriptContent().length));
    });

    it('answers 405 for other methods on the bundle', async () => {
      const res = await harness.api.request('POST', '/docs/redoc.standalone.js');
      expect(res.status).to.equal(405);
      expect(res.headers.get('allow')).to.equal('GET, HEAD');
    });
  });
});

describe('Prometheus metrics (/metrics, for operators)', () => {
  it('counts requests by operation and status, and accepted sends by type and environment', async () => {
    const read = async () => (await harness.server.anonymous.get('/metrics')).text;
    const value = (text: string, series: string) =>
      Number(new RegExp(`^${series.replace(/[{}"+]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    const before = await read();
    const sent = await harness.api.post('/v1/whatsapp/templates', requestExample('sendWhatsAppTemplate', 'named'));
    expect(sent.status).to.equal(202);
    const res = await harness.server.anonymous.get('/metrics');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
    const after = res.text;
    expect(after).to.include('# TYPE mojeeb_http_requests_total counter');
    const accepted = 'mojeeb_messages_accepted_total{environment="test",type="template"}';
    expect(value(after, accepted) - value(before, accepted)).to.equal(1);
    const requests = 'mojeeb_http_requests_total{operation="sendWhatsAppTemplate",status="202"}';
    expect(value(after, requests) - value(before, requests)).to.be.at.least(1);
    expect(after).not.to.include(harness.fixture.apiKey.slice(8, 30));
  });
});
