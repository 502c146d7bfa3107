import { expect } from 'chai';
import { markAccepted, markAcceptedMany } from '../../server/src/domain/delivery-status.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';

// markAcceptedMany writes its own bulk SQL; it must leave every message exactly as markAccepted
// (the single-event rules) would, whatever state the message was already in.

const at = (second: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, second));

async function queuedMessages(count: number): Promise<string[]> {
  const tenant = await newTenant(harness.db);
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  await upsertTemplate(harness.db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
  const { plaintext } = await tenant.key();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await harness.server.anonymous.withKey(plaintext).post('/v1/whatsapp/templates', {
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: randomE164(),
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'u' } },
    });
    expect(res.status).to.equal(202);
    ids.push(res.body.id as string);
  }
  return ids;
}

/** Starting states, as column values set on a queued message (`wamid` true: it already has one). */
const STATES: ReadonlyArray<{ name: string; set: Record<string, unknown>; wamid?: boolean }> = [
  { name: 'queued', set: { status: 'queued' } },
  { name: 'sent earlier', set: { status: 'sent', sent_at: at(1) }, wamid: true },
  { name: 'sent later', set: { status: 'sent', sent_at: at(9) }, wamid: true },
  { name: 'delivered', set: { status: 'delivered', sent_at: at(2), delivered_at: at(3) }, wamid: true },
  { name: 'read', set: { status: 'read', sent_at: at(2), delivered_at: at(3), read_at: at(4) }, wamid: true },
  { name: 'failed', set: { status: 'failed', failed_at: at(2), error_code: 'upstream_rejected', error_message: 'no' } },
];

const COMPARED = [
  'status',
  'sent_at',
  'delivered_at',
  'read_at',
  'failed_at',
  'error_code',
  'error_message',
  'meta_error_code',
  'platform_message_status',
];

describe('markAcceptedMany', () => {
  it('leaves each message as markAccepted would, from every starting state', async function () {
    this.timeout(60_000);
    const ids = await queuedMessages(STATES.length * 2);
    const stamp = Date.now();
    const single: string[] = [];
    const bulk: Array<{ messageId: string; platformMessageId: string; platformStatus: string; at: Date }> = [];
    for (const [i, state] of STATES.entries()) {
      const [a, b] = [ids[2 * i]!, ids[2 * i + 1]!];
      for (const [id, side] of [
        [a, 'one'],
        [b, 'many'],
      ] as const) {
        const preset = state.wamid ? { platform_message_id: `wamid.preset.${side}.${i}.${stamp}` } : {};
        await harness
          .db('messages')
          .where({ id })
          .update({ ...state.set, ...preset });
      }
      await markAccepted(harness.db, a, { platformMessageId: `wamid.one.${i}.${stamp}`, platformStatus: 'accepted', at: at(5) });
      single.push(a);
      bulk.push({ messageId: b, platformMessageId: `wamid.many.${i}.${stamp}`, platformStatus: 'accepted', at: at(5) });
    }
    await markAcceptedMany(harness.db, bulk);

    for (const [i, state] of STATES.entries()) {
      const one = await harness.db('messages').where({ id: single[i] }).first();
      const many = await harness.db('messages').where({ id: bulk[i]!.messageId }).first();
      const pick = (row: Record<string, unknown>) =>
        Object.fromEntries(COMPARED.map((c) => [c, row[c] instanceof Date ? (row[c] as Date).toISOString() : row[c]]));
      expect(pick(many), state.name).to.deep.equal(pick(one));
      const expectedPrefix = state.wamid ? 'wamid.preset.' : 'wamid.';
      expect(String(one.platform_message_id).startsWith(expectedPrefix), `${state.name}: one`).to.equal(true);
      expect(String(many.platform_message_id).startsWith(state.wamid ? 'wamid.preset.many' : 'wamid.many'), `${state.name}: many`).to.equal(
        true,
      );
    }
    // The outcomes themselves, so that both paths being wrong the same way fails too.
    const statuses = await Promise.all(bulk.map((b) => harness.db('messages').where({ id: b.messageId }).first('status', 'sent_at')));
    expect(statuses.map((s) => s.status)).to.deep.equal(['sent', 'sent', 'sent', 'delivered', 'read', 'failed']);
    expect(statuses.map((s) => s.sent_at?.toISOString() ?? null)).to.deep.equal(
      [at(5), at(1), at(5), at(2), at(2), at(5)].map((d) => d?.toISOString() ?? null),
    );
  });
});
