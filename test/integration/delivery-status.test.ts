import { expect } from 'chai';
import { markAccepted, recordStatusEvent, type ReportedStatus } from '../../server/src/domain/delivery-status.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';

async function queuedMessage(): Promise<string> {
  const tenant = await newTenant(harness.db);
  const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
  await upsertTemplate(harness.db, connection.id, templateFromMeta(EXAMPLE_TEMPLATES[0]));
  const { plaintext } = await tenant.key();
  const res = await harness.server.anonymous.withKey(plaintext).post('/v1/whatsapp/templates', {
    agent_id: tenant.agent.id,
    from: tenant.from,
    to: randomE164(),
    template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'S', tracking_url: 'u' } },
  });
  expect(res.status).to.equal(202);
  return res.body.id as string;
}

const at = (second: number) => new Date(Date.UTC(2026, 10, 24, 10, 0, second));

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('delivery statuses (forward only)', () => {
  it('ends at read with every timestamp, whatever the order and however many duplicates', async function () {
    this.timeout(60_000);
    const events: Array<[ReportedStatus, number]> = [
      ['sent', 1],
      ['delivered', 3],
      ['read', 7],
    ];
    for (let seed = 1; seed <= 12; seed++) {
      const id = await queuedMessage();
      const wamid = `wamid.order.${seed}.${Date.now()}`;
      await markAccepted(harness.db, id, { platformMessageId: wamid, platformStatus: 'accepted', at: at(0) });
      const stream = shuffled([...events, ...events, events[seed % 3]!], seed);
      const outcomes = [];
      for (const [status, second] of stream) {
        outcomes.push(await recordStatusEvent(harness.db, { platformMessageId: wamid, status, occurredAt: at(second) }));
        const row = await harness.db('messages').where({ id }).first('status');
        expect(['sent', 'delivered', 'read']).to.include(row.status);
      }
      expect(outcomes.filter((o) => o === 'duplicate')).to.have.length(stream.length - 3);
      const row = await harness.db('messages').where({ id }).first();
      expect(row.status).to.equal('read');
      expect([row.sent_at, row.delivered_at, row.read_at].map((d: Date) => d.toISOString())).to.deep.equal(
        [at(0), at(3), at(7)].map((d) => d.toISOString()),
      );
    }
  });

  it('takes read alone as delivered too, and ignores a failure after delivery', async () => {
    const id = await queuedMessage();
    const wamid = `wamid.read-only.${Date.now()}`;
    await markAccepted(harness.db, id, { platformMessageId: wamid, platformStatus: 'accepted', at: at(0) });
    await recordStatusEvent(harness.db, { platformMessageId: wamid, status: 'read', occurredAt: at(5) });
    await recordStatusEvent(harness.db, {
      platformMessageId: wamid,
      status: 'failed',
      occurredAt: at(9),
      error: { code: 'recipient_unavailable', message: 'x', metaErrorCode: 131026 },
    });
    const row = await harness.db('messages').where({ id }).first();
    expect(row).to.include({ status: 'read', error_code: null, failed_at: null });
    expect(row.delivered_at.toISOString()).to.equal(at(5).toISOString());
  });

  it('fails a message not yet delivered, with the mapped error, and keeps it failed', async () => {
    const id = await queuedMessage();
    const wamid = `wamid.failed.${Date.now()}`;
    await markAccepted(harness.db, id, { platformMessageId: wamid, platformStatus: 'accepted', at: at(0) });
    await recordStatusEvent(harness.db, {
      platformMessageId: wamid,
      status: 'failed',
      occurredAt: at(2),
      error: { code: 'recipient_unavailable', message: 'Undeliverable', metaErrorCode: 131026 },
    });
    await recordStatusEvent(harness.db, { platformMessageId: wamid, status: 'delivered', occurredAt: at(4) });
    const row = await harness.db('messages').where({ id }).first();
    expect(row).to.include({ status: 'failed', error_code: 'recipient_unavailable', meta_error_code: 131026, delivered_at: null });
  });

  it('keeps events for an unknown wamid and applies them once the message learns it', async () => {
    const id = await queuedMessage();
    const wamid = `wamid.early.${Date.now()}`;
    expect(await recordStatusEvent(harness.db, { platformMessageId: wamid, status: 'delivered', occurredAt: at(3) })).to.equal('unmatched');
    expect(
      await harness.db('message_events').where({ platform_message_id: wamid }).whereNull('message_id').count('id as n').first(),
    ).to.deep.equal({ n: '1' });
    await markAccepted(harness.db, id, { platformMessageId: wamid, platformStatus: 'accepted', at: at(1) });
    const row = await harness.db('messages').where({ id }).first();
    expect(row.status).to.equal('delivered');
    expect(row.platform_message_id).to.equal(wamid);
  });

  it('matches an event by our message id (biz_opaque_callback_data) when the wamid was never recorded', async () => {
    const id = await queuedMessage();
    const wamid = `wamid.callback.${Date.now()}`;
    expect(await recordStatusEvent(harness.db, { platformMessageId: wamid, status: 'sent', occurredAt: at(1), callbackData: id })).to.equal(
      'applied',
    );
    const row = await harness.db('messages').where({ id }).first();
    expect(row).to.include({ status: 'sent', platform_message_id: wamid });
  });
});

describe('housekeeping', () => {
  it('drops idempotency records older than 24 hours and rate-limit windows that ended, and keeps current ones', async () => {
    const { runHousekeeping } = await import('../../server/src/domain/housekeeping.ts');
    const tenant = await newTenant(harness.db);
    const { record } = await tenant.key();
    const row = (key: string, hoursAgo: number) => ({
      api_key_id: record.id,
      idempotency_key: key,
      operation_id: 'sendWhatsAppTemplate',
      request_hash: 'x',
      correlation_id: 'req_x',
      response_status: 202,
      response_body: '{}',
      created_at: new Date(Date.now() - hoursAgo * 3_600_000),
    });
    await harness.db('idempotency_keys').insert([row('old', 25), row('fresh', 23)]);
    await harness.db('rate_limit_windows').insert([
      { api_key_id: record.id, window_start: new Date(Date.now() - 3_600_000), request_count: 5 },
      { api_key_id: record.id, window_start: new Date(), request_count: 5 },
    ]);
    await runHousekeeping(harness.db);
    expect(await harness.db('idempotency_keys').where({ api_key_id: record.id }).pluck('idempotency_key')).to.deep.equal(['fresh']);
    expect(await harness.db('rate_limit_windows').where({ api_key_id: record.id }).count('* as n').first()).to.deep.equal({ n: '1' });
  });
});
