/**
 * The rules of event delivery that need no database: which addresses a live endpoint may reach
 * (also when DNS answers with a private one at connection time), the retry schedule with its
 * jitter, secrets at rest, and the signature scheme against the `standardwebhooks` library.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { postEvent } from '../../server/src/delivery/events/post.ts';
import { DEFAULT_RETRY_SCHEDULE_MS, retryDelayMs, retryScheduleFromEnv } from '../../server/src/delivery/events/schedule.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { newSigningSecret, signedHeaders } from '../../server/src/domain/webhooks/signing.ts';
import { checkEndpointUrl, forbiddenAddress } from '../../server/src/domain/webhooks/ssrf.ts';
import { openSecret, sealSecret } from '../../server/src/domain/webhooks/stored-secret.ts';

describe('webhook delivery rules', () => {
  it('refuses loopback, private, link-local, unique-local, CGNAT and reserved addresses; accepts public ones', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd12::1',
      '::ffff:10.0.0.1',
      '224.0.0.1',
      '255.255.255.255',
    ]) {
      expect(forbiddenAddress(a), a).to.be.a('string');
    }
    for (const a of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(forbiddenAddress(a), a).to.equal(null);
  });

  it('checks URLs: https for live, anything local for test mode or with the operator flag', async () => {
    expect(await checkEndpointUrl('http://127.0.0.1:8080/x', false, false)).to.equal(null);
    expect(await checkEndpointUrl('http://localhost:8080/x', false, false)).to.equal(null);
    // Test mode: loopback for a local receiver, but no other private address.
    for (const url of ['http://10.0.0.5/x', 'http://169.254.169.254/latest', 'http://[fd00::1]/x'])
      expect((await checkEndpointUrl(url, false, false))?.code, url).to.equal('webhook_url_forbidden');
    expect(forbiddenAddress('127.0.0.1', 'public-or-loopback')).to.equal(null);
    expect(forbiddenAddress('10.0.0.1', 'public-or-loopback')).to.be.a('string');
    expect(forbiddenAddress('10.0.0.1', 'any')).to.equal(null);
    expect((await checkEndpointUrl('http://example.com/x', true, false))?.code).to.equal('webhook_url_invalid');
    expect((await checkEndpointUrl('https://localhost/x', true, false))?.code).to.equal('webhook_url_forbidden');
    expect(await checkEndpointUrl('http://localhost/x', true, true)).to.equal(null);
  });

  it('counts a host whose lookup never answers as not resolving, instead of waiting for the resolver', async () => {
    let asked = '';
    const silent = (host: string) => {
      asked = host;
      return new Promise<string[]>(() => {});
    };
    const problem = await checkEndpointUrl('https://hooks.example.org/x', true, false, { lookup: silent, timeoutMs: 50 });
    expect(asked).to.equal('hooks.example.org');
    expect(problem?.code).to.equal('webhook_url_invalid');
    expect(problem?.message).to.equal("The host 'hooks.example.org' does not resolve.");
    const answered = await checkEndpointUrl('https://hooks.example.org/x', true, false, { lookup: async () => ['93.184.215.14'] });
    expect(answered).to.equal(null);
  });

  it('refuses at connection time a host that resolves to a loopback address, and connects when allowed', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits += 1;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const refused = await postEvent(`http://localhost:${port}/`, {}, '{}', { timeoutMs: 2_000, policy: 'public' });
      expect(refused.status).to.equal(null);
      expect(refused.error).to.match(/^refused: localhost resolves to/);
      const literal = await postEvent(`http://127.0.0.1:${port}/`, {}, '{}', { timeoutMs: 2_000, policy: 'public' });
      expect(literal.error).to.match(/^refused: 127\.0\.0\.1 is a loopback address/);
      expect(hits).to.equal(0);
      const allowed = await postEvent(`http://127.0.0.1:${port}/`, {}, '{}', { timeoutMs: 2_000, policy: 'any' });
      expect(allowed).to.include({ status: 200, error: null });
      expect(hits).to.equal(1);
    } finally {
      server.close();
    }
  });

  it('treats a redirect as a failure and does not follow it; times out a silent endpoint', async () => {
    let followed = false;
    const server = http.createServer((req, res) => {
      if (req.url === '/elsewhere') followed = true;
      if (req.url === '/silent') return; // never answers
      res.writeHead(302, { location: '/elsewhere' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const redirected = await postEvent(`http://127.0.0.1:${port}/`, {}, '{}', { timeoutMs: 2_000, policy: 'any' });
      expect(redirected).to.include({ status: 302, error: 'HTTP 302' });
      expect(followed).to.equal(false);
      const silent = await postEvent(`http://127.0.0.1:${port}/silent`, {}, '{}', { timeoutMs: 300, policy: 'any' });
      expect(silent).to.include({ status: null, error: 'timed out after 300 ms' });
      expect(silent.latencyMs).to.be.within(250, 2_000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('retries on the documented schedule, jittered by ±20 %, for about 3 days', () => {
    const total = DEFAULT_RETRY_SCHEDULE_MS.reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).to.be.within(70, 72);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, 0, () => 0)).to.equal(4_000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, 0, () => 1)).to.equal(6_000);
    expect(retryDelayMs(DEFAULT_RETRY_SCHEDULE_MS, DEFAULT_RETRY_SCHEDULE_MS.length)).to.equal(null);
    expect(retryScheduleFromEnv({ WEBHOOK_RETRY_SCHEDULE_MS: '100, 200' })).to.deep.equal([100, 200]);
    expect(() => retryScheduleFromEnv({ WEBHOOK_RETRY_SCHEDULE_MS: 'soon' })).to.throw(/milliseconds/);
  });

  it('keeps secrets encrypted at rest with the service key, and signs so that standardwebhooks verifies (both secrets after a rotation)', () => {
    const box = new SecretBox(randomBytes(32));
    const secret = newSigningSecret();
    expect(secret).to.match(/^whsec_[A-Za-z0-9+/]{32}$/);
    const sealed = sealSecret(box, secret);
    expect(sealed).not.to.include(secret.slice(6));
    expect(openSecret(box, sealed)).to.equal(secret);
    expect(() => openSecret(null, sealed)).to.throw(/encryption key/);

    const previous = newSigningSecret();
    const body = JSON.stringify({ id: 'evt_1', type: 'message.sent' });
    const headers = signedHeaders([secret, previous], 'evt_1', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature']!.split(' ')).to.have.length(2);
    for (const s of [secret, previous]) expect(new Webhook(s).verify(body, headers)).to.deep.equal(JSON.parse(body));
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).to.throw();
  });
});
