/**
 * Authentication (401), scope (403), rate limit (429) and failures (500, 501, 503) of every list
 * operation: the messages and conversations lists, a conversation by id, the window.
 */
import { expect } from 'chai';
import type { Implementations } from '../../server/src/operations/context.ts';
import { harness, startServer, unreachableDatabase } from '../support/harness.ts';
import { awayFromMinuteBoundary } from '../support/tenants.ts';
import { CONVERSATIONS, expectStatus, listsScene, MESSAGES, q, UNKNOWN_ID, WINDOW } from './lists-support.ts';

describe('lists, conversations and the window', () => {
  const s = listsScene();

  describe('authentication, scope, rate limit and failures, for every new operation', () => {
    const paths = () => [MESSAGES, CONVERSATIONS, `${CONVERSATIONS}/${UNKNOWN_ID}`, WINDOW + q({ from: s.tenant.from, to: s.customer })];

    it('401 invalid_api_key without a key', async () => {
      for (const path of paths()) expectStatus(await harness.server.anonymous.get(path), 401, 'invalid_api_key');
    });

    it('403 insufficient_scope for a key without whatsapp:read or whatsapp:send; either one suffices', async () => {
      const none = harness.server.anonymous.withKey((await s.tenant.key({ scopes: ['messenger:send'] })).plaintext);
      for (const path of paths()) {
        const res = await none.get(path);
        expectStatus(res, 403, 'insufficient_scope');
        expect(res.body.error.required_scope).to.equal('whatsapp:read');
      }
      for (const scopes of [['whatsapp:read'], ['whatsapp:send']] as const) {
        const client = harness.server.anonymous.withKey((await s.tenant.key({ scopes, rateLimitPerMinute: 1000 })).plaintext);
        for (const path of paths()) expect((await client.get(path)).status).to.be.oneOf([200, 404]);
      }
    });

    it("429 rate_limit_exceeded: lists spend the key's own budget", async function () {
      // It may wait for the next minute (awayFromMinuteBoundary): up to 10 s more than the default.
      this.timeout(30_000);
      await awayFromMinuteBoundary(harness.db);
      for (const path of paths()) {
        const client = harness.server.anonymous.withKey((await s.tenant.key({ rateLimitPerMinute: 1 })).plaintext);
        expect((await client.get(path)).status).to.be.oneOf([200, 404]);
        expectStatus(await client.get(path), 429, 'rate_limit_exceeded');
      }
    });

    it('500, 501 and 503', async function () {
      this.timeout(40_000);
      const key = (await s.tenant.key({ rateLimitPerMinute: 1000 })).plaintext;
      const failing = async () => {
        throw new Error('boom: secret internals');
      };
      const handlers: Implementations = {
        listWhatsAppMessages: failing,
        listWhatsAppConversations: failing,
        getWhatsAppConversation: failing,
        getWhatsAppWindow: failing,
      };
      for (const [options, status, code] of [
        [{ handlers }, 500, 'internal_error'],
        [{ handlers: {} }, 501, 'not_implemented'],
      ] as const) {
        const server = await startServer({ db: harness.db, apiKey: key, ...options });
        try {
          for (const path of paths()) {
            const res = await server.api.get(path);
            expectStatus(res, status, code);
            expect(res.text).not.to.include('boom');
          }
        } finally {
          await server.close();
        }
      }
      const db = unreachableDatabase(1);
      const server = await startServer({ db, apiKey: key });
      try {
        for (const path of paths()) expectStatus(await server.api.get(path), 503, 'service_unavailable');
      } finally {
        await server.close();
        await db.destroy();
      }
    });
  });
});
