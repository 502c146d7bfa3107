/**
 * The Cloud API client's own connections (no injected fetch), against real HTTP servers on
 * loopback: answers, a redirect (never followed), a refused connection, a reset after the
 * request was written and a server that never answers are told apart as delivery needs them.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createCloudApiClient, MetaApiError, MetaTransportError } from '../../server/src/whatsapp/cloud-api.ts';
import type { MetaMessageBody } from '../../server/src/whatsapp/message-builder.ts';
import { freePort } from '../support/postgres.ts';

const TOKEN = 'EAAG-transport-token-654321';
const BODY: MetaMessageBody = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '+15551234567',
  biz_opaque_callback_data: 'msg-1',
  type: 'text',
  text: { body: 'hi', preview_url: false },
};

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body };
      seen.push(s);
      handler(req, res, s);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const client = (baseUrl: string, timeoutMs = 2_000) => createCloudApiClient({ baseUrl, graphVersion: 'v23.0', timeoutMs });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('WhatsApp Cloud API client (its own keep-alive connections, real HTTP on loopback)', function () {
  this.timeout(15_000);

  it('sends with the bearer token, reads the wamid and the trace id, and reuses its connection', async () => {
    const sockets = new Set<unknown>();
    const meta = await serve((req, res) => {
      sockets.add(req.socket);
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-fb-trace-id', 'trace-9');
      res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ wa_id: '15551234567' }], messages: [{ id: 'wamid.T' }] }));
    });
    try {
      const api = client(meta.url);
      for (let i = 0; i < 10; i++) {
        const sent = await api.sendMessage('106540352242922', TOKEN, BODY);
        expect(sent).to.deep.equal({ wamid: 'wamid.T', messageStatus: null, waId: '15551234567', fbTraceId: 'trace-9' });
      }
      expect(meta.seen.map((s) => [s.method, s.url, s.authorization])).to.deep.equal(
        Array.from({ length: 10 }, () => ['POST', '/v23.0/106540352242922/messages', `Bearer ${TOKEN}`]),
      );
      expect(JSON.parse(meta.seen[0]!.body)).to.deep.equal(BODY);
      expect(sockets.size, 'keep-alive: ten calls one after the other reuse their connection').to.be.at.most(2);
    } finally {
      await meta.close();
    }
  });

  it('a Graph error is a MetaApiError; a redirect is not followed and its outcome is unknown', async () => {
    const meta = await serve((req, res) => {
      if (req.url?.includes('/1/')) {
        res.statusCode = 400;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: { code: 131030, message: 'Recipient not in allowed list', fbtrace_id: 'f1' } }));
      } else {
        res.statusCode = 307;
        res.setHeader('location', 'http://127.0.0.1:9/elsewhere');
        res.end();
      }
    });
    try {
      const api = client(meta.url);
      expect(await rejection(api.sendMessage('1', TOKEN, BODY)))
        .to.be.instanceOf(MetaApiError)
        .and.deep.include({ httpStatus: 400, code: 131030, fbtraceId: 'f1' });
      const redirected = await rejection(api.sendMessage('2', TOKEN, BODY));
      expect(redirected).to.be.instanceOf(MetaTransportError).and.deep.include({ reason: 'network', requestMayHaveArrived: true });
      expect(meta.seen.map((s) => s.url)).to.deep.equal(['/v23.0/1/messages', '/v23.0/2/messages']);
    } finally {
      await meta.close();
    }
  });

  it('refused: never arrived; reset after the request was written, or no answer in time: may have arrived', async () => {
    const refused = await rejection(client(`http://127.0.0.1:${await freePort()}`).sendMessage('1', TOKEN, BODY));
    expect(refused).to.be.instanceOf(MetaTransportError).and.deep.include({ reason: 'connection_refused', requestMayHaveArrived: false });

    const resetting = await serve((req) => req.socket.destroy());
    const silent = await serve(() => {});
    try {
      const reset = await rejection(client(resetting.url).sendMessage('1', TOKEN, BODY));
      expect(reset).to.be.instanceOf(MetaTransportError).and.deep.include({ reason: 'connection_reset', requestMayHaveArrived: true });
      const timeout = await rejection(client(silent.url, 200).sendMessage('1', TOKEN, BODY));
      expect(timeout).to.be.instanceOf(MetaTransportError).and.deep.include({ reason: 'timeout', requestMayHaveArrived: true });
      for (const error of [refused, reset, timeout]) expect(error.message).not.to.include(TOKEN);
    } finally {
      await resetting.close();
      await silent.close();
    }
  });
});
