/**
 * Pagination under concurrent inserts: a walk through GET /v1/whatsapp/messages, page by page,
 * while other clients keep adding messages (sends through the API, inbound messages, and rows
 * whose creation time falls inside what the walk has not reached yet, as a transaction that
 * started earlier and commits late would write), returns every message that existed before the
 * walk began exactly once. Many of the pre-existing rows share one creation time (one INSERT
 * statement), so the position's tie-break on id is exercised too.
 */
import { expect } from 'chai';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';

const MESSAGES = '/v1/whatsapp/messages';
const PAGE = 37;

describe('pagination under concurrent inserts', function () {
  this.timeout(120_000);

  it('walks over 1,000 messages while others are inserted: every message that existed before the walk, exactly once', async () => {
    const tenant = await newTenant(harness.db, { quota: 10_000 });
    const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    for (const t of EXAMPLE_TEMPLATES) await upsertTemplate(harness.db, connection.id, templateFromMeta(t));
    const key = await tenant.key({ environment: 'test', rateLimitPerMinute: 100_000 });
    const client = harness.server.anonymous.withKey(key.plaintext);
    const customer = randomE164();
    const inbound = await client.post('/v1/whatsapp/sandbox/inbound', { agent_id: tenant.agent.id, from: tenant.from, to: customer });
    expect(inbound.status, inbound.text).to.equal(200);
    const conversationId: string = inbound.body.conversation_id;

    const insertRows = async (count: number, createdAt: string | null): Promise<void> => {
      await harness.db.raw(
        `INSERT INTO messages (organization_id, environment, agent_id, connection_id, conversation_id, type, from_number, to_number, content, status, created_at)
         SELECT ?, 'test', ?, ?, ?, 'text', ?, ?, '{"body":"hi"}'::jsonb, 'sent', coalesce(?::timestamptz, now()) FROM generate_series(1, ?)`,
        [tenant.organization.id, tenant.agent.id, connection.id, conversationId, tenant.from, customer, createdAt, count],
      );
    };
    // Before the walk: 600 rows with one creation time, 400 in 40 statements, 30 sends through
    // the API and 20 more inbound messages: 1,051 in all.
    await insertRows(600, null);
    for (let i = 0; i < 40; i++) await insertRows(10, null);
    for (let i = 0; i < 30; i++) {
      const sent = await client.post('/v1/whatsapp/templates', {
        agent_id: tenant.agent.id,
        from: tenant.from,
        to: customer,
        template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' } },
      });
      expect(sent.status, sent.text).to.equal(202);
    }
    for (let i = 0; i < 20; i++) {
      await recordInboundMessage(harness.db, {
        businessNumber: tenant.from,
        customerNumber: customer,
        platformMessageId: null,
        type: 'text',
        content: { body: `more ${i}`, simulated: true },
        receivedAt: new Date(),
      });
    }
    const before = await harness.db.raw<{ rows: Array<{ id: string; created_at: Date }> }>(
      `SELECT id, created_at FROM messages WHERE organization_id = ? AND environment = 'test'
       UNION ALL SELECT i.id, i.created_at FROM inbound_messages i WHERE i.conversation_id = ?`,
      [tenant.organization.id, conversationId],
    );
    const existing = new Set(before.rows.map((r) => r.id));
    expect(existing.size).to.be.greaterThan(1_000);
    const times = before.rows.map((r) => r.created_at.getTime());
    const [oldest, newest] = [Math.min(...times), Math.max(...times)];

    // Concurrent writers, until the walk ends.
    let walking = true;
    let added = 0;
    const writers = [
      (async () => {
        while (walking) {
          await insertRows(5, null);
          added += 5;
        }
      })(),
      (async () => {
        // Behind the walk's position: creation times among the existing rows'.
        while (walking) {
          const at = new Date(oldest + Math.random() * (newest - oldest)).toISOString();
          await insertRows(3, at);
          added += 3;
        }
      })(),
      (async () => {
        while (walking) {
          const sent = await client.post('/v1/whatsapp/templates', {
            agent_id: tenant.agent.id,
            from: tenant.from,
            to: randomE164(),
            template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://t.example/1' } },
          });
          expect(sent.status, sent.text).to.equal(202);
          added += 1;
        }
      })(),
    ];

    const seen = new Map<string, number>();
    let cursor: string | null = null;
    let pages = 0;
    try {
      do {
        const res = await client.get(`${MESSAGES}?limit=${PAGE}${cursor === null ? '' : `&cursor=${cursor}`}`);
        expect(res.status, res.text).to.equal(200);
        expect(res.body.data.length).to.be.at.most(PAGE);
        for (const item of res.body.data as Array<{ id: string }>) seen.set(item.id, (seen.get(item.id) ?? 0) + 1);
        cursor = res.body.next_cursor;
        expect(res.body.has_more).to.equal(cursor !== null);
        pages += 1;
        expect(pages).to.be.below(500);
        // Give the writers a turn between pages.
        await new Promise((resolve) => setTimeout(resolve, 5));
      } while (cursor !== null);
    } finally {
      walking = false;
      await Promise.all(writers);
    }

    const missing = [...existing].filter((id) => !seen.has(id));
    const repeated = [...seen].filter(([, n]) => n > 1);
    expect(missing, 'messages that existed before the walk and were skipped').to.deep.equal([]);
    expect(repeated, 'messages returned more than once').to.deep.equal([]);
    expect(added, 'rows the writers added during the walk').to.be.greaterThan(0);
    console.log(
      `      walked ${existing.size} existing messages in ${pages} pages of ${PAGE}; ${added} added meanwhile, ${seen.size - existing.size} of them seen`,
    );
  });
});
