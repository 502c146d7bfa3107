/**
 * Data retention (domain/retention.ts) on a database of its own (a round deletes across every
 * organization, so the run's shared database would lose other tests' rows): what a round
 * deletes and keeps, its bounds, one round at a time, sends and status updates that never wait
 * on it, the round's log line, and the admin command.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { RetentionSettings } from '../../server/src/config.ts';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { recordInboundMessage } from '../../server/src/domain/conversations.ts';
import { recordStatusEvent } from '../../server/src/domain/delivery-status.ts';
import { runHousekeeping, startHousekeeping } from '../../server/src/domain/housekeeping.ts';
import { BATCH_STATEMENTS, runRetentionRound } from '../../server/src/domain/retention.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness, LogCapture, startServer } from '../support/harness.ts';
import { createFreshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { runAdmin } from '../support/processes.ts';
import { ago, count, prunedMetric, retentionLockReleased, Rows } from '../support/retention-rows.ts';
import { randomE164 } from '../support/tenants.ts';

const SETTINGS: RetentionSettings = {
  messageDays: 365,
  eventDays: 30,
  batchSize: 2,
  batchPauseMs: 0,
  roundMaxMs: 60_000,
  roundMaxRows: 1_000,
};

describe('data retention (integration, a database of its own)', function () {
  this.timeout(120_000);
  let fresh: FreshDatabase;
  let db: Knex;

  before(async () => {
    fresh = await createFreshDatabase(harness.postgres.adminUrl, 'retention');
    db = createDatabase({ connectionString: fresh.connectionString, poolMax: 4, logger: silentLogger });
    await migrateToLatest(db);
  });

  after(async () => {
    await db?.destroy();
    await fresh?.drop();
  });

  beforeEach(async () => {
    // Each test starts without messages or events (tenants stay; they are never pruned).
    for (const table of [
      'event_delivery_attempts',
      'event_deliveries',
      'events',
      'message_events',
      'inbound_messages',
      'messages',
      'conversations',
    ]) {
      await db(table).delete();
    }
  });

  it('deletes settled rows past their period across batches, and keeps recent, unsettled and still-queued ones', async () => {
    const rows = await Rows.create(db);
    const emptied = randomE164();
    const busy = randomE164();
    const c1 = await rows.conversation(emptied, ago(400)); // only old, settled rows: deleted with them
    const c2 = await rows.conversation(busy, ago(400)); // keeps messages that must stay
    const recent = await rows.conversation(randomE164(), ago(1));
    for (const status of ['delivered', 'read', 'failed', 'read', 'delivered'])
      await rows.message(c1, emptied, status, ago(400), ago(399), 2);
    await rows.inbound(c1, ago(398));
    await rows.message(c2, busy, 'read', ago(500), ago(500), 3); // deleted, its conversation stays
    const kept = [
      await rows.message(c2, busy, 'queued', ago(400)),
      await rows.message(c2, busy, 'sent', ago(400), ago(400), 1),
      await rows.message(c2, busy, 'read', ago(400), ago(10), 3), // read 10 days ago: activity
      await rows.message(recent, busy, 'read', ago(1), ago(1), 3),
    ];
    const withJob = await rows.message(c2, busy, 'failed', ago(400));
    await db.raw(`SELECT graphile_worker.add_job('deliver_message', json_build_object('message_id', ?::text), job_key => ?)`, [
      withJob,
      `deliver_message:${withJob}`,
    ]);
    kept.push(withJob);
    await rows.inbound(recent, ago(2));
    await rows.inbound(c2, ago(366));
    for (let i = 0; i < 3; i++) await rows.unmatchedStatusEvent(ago(370));
    await rows.unmatchedStatusEvent(ago(3));
    const oldEvents = [await rows.event(ago(40), 'succeeded', 2), await rows.event(ago(31), 'failed', 3), await rows.event(ago(35), null)];
    const keptEvents = [await rows.event(ago(45), 'pending', 4), await rows.event(ago(29), 'succeeded', 1)];
    const before = await prunedMetric('messages');

    const round = await runRetentionRound(db, SETTINGS);

    expect(round.ran).to.equal(true);
    expect(round.removed).to.deep.equal({
      messages: 6,
      message_events: 5 * 2 + 3 + 3, // their status events, and the unmatched ones
      inbound_messages: 2,
      conversations: 1,
      events: 3,
      event_deliveries: 2,
      event_delivery_attempts: 5,
    });
    expect(round.unfinished).to.deep.equal([]);
    expect(round.batches, 'batches of 2 rows: several per kind').to.be.at.least(3 + 1 + 2 + 2);
    expect(await prunedMetric('messages')).to.equal(before + 6);
    expect((await db('messages').pluck('id')).sort()).to.deep.equal([...kept].sort());
    expect((await db('conversations').pluck('id')).sort()).to.deep.equal([c2, recent].sort());
    expect(await count(db, 'inbound_messages')).to.equal(1);
    expect(await db('message_events').whereNull('message_id').count('* as n').first()).to.deep.equal({ n: '1' });
    expect((await db('events').pluck('id')).sort()).to.deep.equal([...keptEvents].sort());
    expect(await db('events').whereIn('id', oldEvents).count('* as n').first()).to.deep.equal({ n: '0' });
    expect(await count(db, 'event_delivery_attempts')).to.equal(5);

    const again = await runRetentionRound(db, SETTINGS);
    expect(Object.values(again.removed).every((n) => n === 0)).to.equal(true);
  });

  it('stops a round at its row bound and leaves the rest to the next round; 0 days keeps everything', async () => {
    const rows = await Rows.create(db);
    const to = randomE164();
    const c = await rows.conversation(to, ago(400));
    for (let i = 0; i < 5; i++) await rows.message(c, to, 'read', ago(400));
    await rows.event(ago(60), null);

    const kept = await runRetentionRound(db, { ...SETTINGS, messageDays: 0, eventDays: 0 });
    expect(kept).to.include({ ran: true, batches: 0 });
    expect(await count(db, 'messages')).to.equal(5);

    const first = await runRetentionRound(db, { ...SETTINGS, eventDays: 0, roundMaxRows: 3 });
    expect(first.removed.messages).to.equal(3);
    expect(first.unfinished).to.deep.equal(['messages']);
    const second = await runRetentionRound(db, { ...SETTINGS, eventDays: 0, roundMaxRows: 3 });
    expect(second.removed).to.include({ messages: 2, conversations: 1 });
    expect(second.unfinished).to.deep.equal([]);
    expect(await count(db, 'events')).to.equal(1);
  });

  it('runs in one process at a time: a round while another holds the retention lock does nothing', async () => {
    const rows = await Rows.create(db);
    await rows.event(ago(60), null);
    const other = await db.client.acquireConnection();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtextextended('mojeeb:retention', 0))`);
      const skipped = await runRetentionRound(db, SETTINGS);
      expect(skipped).to.include({ ran: false, batches: 0 });
      expect(await count(db, 'events')).to.equal(1);
      await other.query(`SELECT pg_advisory_unlock(hashtextextended('mojeeb:retention', 0))`);
    } finally {
      await db.client.releaseConnection(other);
    }
    expect((await runRetentionRound(db, SETTINGS)).removed.events).to.equal(1);
  });

  it('never holds up a send, a status update or an inbound message in the same conversation while its batches hold their locks', async () => {
    const rows = await Rows.create(db);
    await upsertTemplate(db, rows.connectionId, templateFromMeta(EXAMPLE_TEMPLATES[0]));
    const to = randomE164();
    const c = await rows.conversation(to, ago(1));
    for (let i = 0; i < 4; i++) await rows.message(c, to, 'read', ago(400), ago(400), 3);
    const recentWamid = `wamid.recent.${randomUUID()}`;
    const recent = await rows.message(c, to, 'queued', ago(0));
    await db('messages').where({ id: recent }).update({ status: 'sent', platform_message_id: recentWamid });
    for (let i = 0; i < 4; i++) await rows.inbound(c, ago(400));
    for (let i = 0; i < 4; i++) await rows.event(ago(40), 'succeeded', 1);

    // The concurrent work runs on connections that give up on any lock after 200 ms.
    const impatient = createDatabase({ connectionString: fresh.connectionString, poolMax: 4, lockTimeoutMs: 200, logger: silentLogger });
    const server = await startServer({ db: impatient });
    const client = server.anonymous.withKey((await rows.tenant.key()).plaintext);
    const done: string[] = [];
    const statuses = ['delivered', 'read'] as const;
    try {
      const round = await runRetentionRound(db, SETTINGS, {
        beforeCommit: async (kind) => {
          if (!['messages', 'inbound_messages', 'events'].includes(kind) || done.includes(kind)) return;
          done.push(kind);
          const sent = await client.post('/v1/whatsapp/templates', {
            agent_id: rows.tenant.agent.id,
            from: rows.tenant.from,
            to,
            template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'R', tracking_url: 'u' } },
          });
          expect(sent.status, `a send during the ${kind} batch: ${JSON.stringify(sent.body)}`).to.equal(202);
          const status = statuses[done.length - 1];
          if (status) {
            expect(await recordStatusEvent(impatient, { platformMessageId: recentWamid, status, occurredAt: new Date() })).to.equal(
              'applied',
            );
          }
          await recordInboundMessage(impatient, {
            businessNumber: rows.tenant.from,
            customerNumber: to,
            platformMessageId: `wamid.in.${randomUUID()}`,
            type: 'text',
            content: { text: 'during the round' },
            receivedAt: new Date(),
          });
        },
      });
      expect(done).to.deep.equal(['messages', 'inbound_messages', 'events']);
      expect(round.removed).to.include({ messages: 4, inbound_messages: 4, events: 4, conversations: 0 });
      expect(await db('messages').where({ id: recent }).first('status')).to.deep.equal({ status: 'read' });
      expect(await db('messages').where({ conversation_id: c }).count('* as n').first()).to.deep.equal({ n: '4' }); // 3 sends + the recent one
      expect(await db('inbound_messages').where({ conversation_id: c }).count('* as n').first()).to.deep.equal({ n: '3' });
    } finally {
      await server.close();
      await impatient.destroy();
    }
  });

  it('still prunes idempotency records and ended rate-limit windows, and housekeeping logs one line per round that deleted something', async () => {
    const rows = await Rows.create(db);
    const { record } = await rows.tenant.key();
    const idempotency = (key: string, hoursAgo: number) => ({
      api_key_id: record.id,
      idempotency_key: key,
      operation_id: 'sendWhatsAppTemplate',
      request_hash: 'x',
      correlation_id: 'req_x',
      response_status: 202,
      response_body: '{}',
      created_at: new Date(Date.now() - hoursAgo * 3_600_000),
    });
    await db('idempotency_keys').insert([idempotency('old', 25), idempotency('fresh', 23)]);
    await db('rate_limit_windows').insert([
      { api_key_id: record.id, window_start: new Date(Date.now() - 3_600_000), request_count: 5 },
      { api_key_id: record.id, window_start: new Date(), request_count: 5 },
    ]);
    const before = await prunedMetric('idempotency_keys');
    await runHousekeeping(db);
    expect(await db('idempotency_keys').where({ api_key_id: record.id }).pluck('idempotency_key')).to.deep.equal(['fresh']);
    expect(await db('rate_limit_windows').where({ api_key_id: record.id }).pluck('request_count')).to.deep.equal([5]);
    expect(
      await db('rate_limit_windows').where({ api_key_id: record.id }).where('window_start', '<', ago(0.001)).count('* as n').first(),
    ).to.deep.equal({ n: '0' });
    expect(await prunedMetric('idempotency_keys')).to.equal(before + 1);

    for (let i = 0; i < 3; i++) await rows.event(ago(40), 'succeeded', 1);
    const logs = new LogCapture();
    const stop = startHousekeeping(db, logs.logger, 100, SETTINGS);
    try {
      const until = Date.now() + 20_000;
      while (!logs.lines.some((l) => l.msg === 'retention round') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // more rounds, which delete nothing and log nothing
    } finally {
      stop();
      await retentionLockReleased(db);
    }
    const lines = logs.lines.filter((l) => l.msg === 'retention round');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({ removed: { events: 3, event_deliveries: 3, event_delivery_attempts: 3 }, unfinished: [] });
    expect(logs.lines.filter((l) => l.level === 'warn')).to.deep.equal([]);
  });

  it('finds each batch through an index (the plans, with sequential scans priced out)', async () => {
    const expected: Record<keyof typeof BATCH_STATEMENTS, string[]> = {
      messages: ['messages_retention', 'message_events_message_id_index'],
      inbound_messages: ['inbound_messages_list'],
      unmatched_status_events: ['message_events_unmatched_received_at'],
      events: ['events_created_at', 'event_deliveries_event_id_endpoint_id_unique', 'event_delivery_attempts_event_id_attempted_at_index'],
      conversations: ['conversations_pkey'],
    };
    const connection = await db.client.acquireConnection();
    try {
      await connection.query('BEGIN');
      await connection.query('SET LOCAL enable_seqscan = off');
      for (const [kind, sql] of Object.entries(BATCH_STATEMENTS)) {
        const values = kind === 'conversations' ? [365, [randomUUID()]] : [365, 500];
        const { rows } = await connection.query(`EXPLAIN ${sql}`, values);
        const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        for (const index of expected[kind as keyof typeof BATCH_STATEMENTS]) expect(plan, `${kind}:\n${plan}`).to.include(index);
        expect(plan, `${kind}:\n${plan}`).to.not.match(/Seq Scan on (messages|events|inbound_messages|message_events|conversations)\b/);
      }
    } finally {
      await connection.query('ROLLBACK');
      await db.client.releaseConnection(connection);
    }
  });

  it('admin retention run: one round now, with the rows deleted per table', async () => {
    const rows = await Rows.create(db);
    const to = randomE164();
    const c = await rows.conversation(to, ago(100));
    for (let i = 0; i < 3; i++) await rows.message(c, to, 'delivered', ago(100), ago(100), 2);
    await rows.event(ago(10), 'succeeded', 2);
    const env = {
      DATABASE_URL: fresh.connectionString,
      MESSAGE_RETENTION_DAYS: '90',
      EVENT_RETENTION_DAYS: '7',
      RETENTION_BATCH_SIZE: '2',
    };

    const human = await runAdmin(['retention', 'run'], { env });
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stderr).to.equal('');
    expect(human.stdout).to.include('Messages kept 90 days, webhook events 7 days.');
    expect(human.stdout).to.match(/^messages\s+3$/m);
    expect(human.stdout).to.match(/^message_events\s+6$/m);
    expect(human.stdout).to.match(/^conversations\s+1$/m);
    expect(human.stdout).to.match(/^events\s+1$/m);
    expect(human.stdout).to.match(/^event_delivery_attempts\s+2$/m);
    expect(human.stdout).to.match(/unfinished: none\.$/m);

    const json = await runAdmin(['retention', 'run', '--json'], { env });
    expect(json.code, json.stderr).to.equal(0);
    expect(json.json()).to.deep.include({ ran: true, message_retention_days: 90, event_retention_days: 7, unfinished: [] });
    expect(Object.values(json.json().removed as Record<string, number>).every((n) => n === 0)).to.equal(true);

    const refused = await runAdmin(['retention', 'run'], { env: { ...env, MESSAGE_RETENTION_DAYS: 'soon' } });
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.include('MESSAGE_RETENTION_DAYS');
  });
});
