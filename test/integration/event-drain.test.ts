/**
 * Draining an endpoint's backlog (delivery/events/deliver-event.ts, delivery/queue.sql): an
 * event's fan-out gives the endpoint one drain job, not a job per event; the drain delivers the
 * waiting events oldest first, once each; a failure ends it with its retry scheduled; the sweep
 * enqueues a drain for a delivery left without one. Real PostgreSQL, a real receiver on loopback,
 * the real event runner.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { drainEndpoint, type EventDeliveryDeps } from '../../server/src/delivery/events/deliver-event.ts';
import { startEventWorker } from '../../server/src/delivery/events/runner.ts';
import { WebhookEndpoints } from '../../server/src/domain/webhooks/endpoints.ts';
import { newEventId } from '../../server/src/domain/webhooks/events.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { harness } from '../support/harness.ts';
import { newTenant } from '../support/tenants.ts';
import { startReceiver, until, type Receiver } from '../support/webhook-receiver.ts';

const EVENTS = 25;
const FAIL_AT = 21; // the receiver's 21st request answers 500

async function fanOut(db: Knex, organizationId: string, i: number): Promise<string> {
  const id = newEventId();
  await db.transaction(async (trx) => {
    await trx('events').insert({
      id,
      organization_id: organizationId,
      environment: 'test',
      type: 'message.received',
      data: JSON.stringify({ object: { id: `in-${i}` } }),
      created_at: new Date(Date.now() - (EVENTS - i) * 1000),
    });
    await trx.raw('SELECT mojeeb_fan_out_event(?, ?, ?, ?)', [id, organizationId, 'test', 'message.received']);
  });
  return id;
}

const jobsOf = async (db: Knex, endpointId: string) =>
  (
    await db.raw<{ rows: Array<{ task_identifier: string; key: string | null }> }>(
      'SELECT task_identifier, key FROM graphile_worker.jobs WHERE queue_name = ?',
      [`webhook:${endpointId}`],
    )
  ).rows;

const runner = (sweepMs = 2_000) =>
  startEventWorker({
    connectionString: harness.database.connectionString,
    deps: { db: harness.db, cloudApi: null as never, secrets: null, logger: silentLogger, sandboxStepMs: 50 },
    events: { retryScheduleMs: [200], allowPrivate: true },
    concurrency: 2,
    pollIntervalMs: 100,
    sweepMs,
  });

describe('event delivery: an endpoint’s drain (integration)', function () {
  this.timeout(60_000);
  const receivers: Receiver[] = [];
  after(async () => {
    for (const r of receivers) await r.close();
  });

  it('one drain job per endpoint; it delivers the waiting events in order, once each; a failure stops it and is retried', async () => {
    const db = harness.db;
    const tenant = await newTenant(db);
    const caller = { organizationId: tenant.organization.id, environment: 'test' as const };
    const receiver = await startReceiver((n) => ({ status: n === FAIL_AT ? 500 : 200 }));
    receivers.push(receiver);
    const endpoint = await new WebhookEndpoints(db, null, false).create(caller, { url: receiver.url, enabled_events: ['*'] });
    const eventIds: string[] = [];
    for (let i = 0; i < EVENTS; i++) eventIds.push(await fanOut(db, caller.organizationId, i));
    const deliveries = await db('event_deliveries').where({ endpoint_id: endpoint.id }).orderBy('created_at').select('id', 'event_id');
    expect(deliveries.map((d) => d.event_id)).to.deep.equal(eventIds);
    expect(await jobsOf(db, endpoint.id), 'one job for the whole backlog').to.deep.equal([
      { task_identifier: 'deliver_events', key: `mojeeb_event_endpoint:${endpoint.id}` },
    ]);

    // The drain's work, directly: in order until the failure.
    const deps: EventDeliveryDeps = {
      db,
      secrets: null,
      logger: silentLogger,
      retryScheduleMs: [200],
      disableAfterMs: 60_000,
      allowPrivate: true,
    };
    expect(await drainEndpoint(deps, endpoint.id, Date.now())).to.deep.equal({ delivered: FAIL_AT - 1, more: false });
    expect(receiver.received.map((r) => r.headers['webhook-id'])).to.deep.equal(eventIds.slice(0, FAIL_AT - 1));
    const states = await db('event_deliveries').where({ endpoint_id: endpoint.id }).orderBy('created_at').select('status', 'attempts');
    expect(states.slice(0, FAIL_AT - 1).every((s) => s.status === 'succeeded' && s.attempts === 1)).to.equal(true);
    expect(states[FAIL_AT - 1], 'the failed one waits for its retry').to.deep.equal({ status: 'pending', attempts: 1 });
    expect(states.slice(FAIL_AT).every((s) => s.status === 'pending' && s.attempts === 0)).to.equal(true);
    expect((await jobsOf(db, endpoint.id)).map((j) => j.task_identifier).sort()).to.deep.equal(['deliver_event', 'deliver_events']);

    // The runner: the drain job delivers the rest, the retry the failed one; nothing twice.
    const events = await runner();
    try {
      await until('every event delivered', () => new Set(receiver.received.map((r) => r.headers['webhook-id'])).size === EVENTS, 20_000);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await events.stop();
    }
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(ids, 'each event once').to.have.length(EVENTS);
    expect(new Set(ids).size).to.equal(EVENTS);
    expect(await db('event_deliveries').where({ endpoint_id: endpoint.id, status: 'succeeded' }).count({ n: '*' })).to.deep.equal([
      { n: String(EVENTS) },
    ]);
    expect(await jobsOf(db, endpoint.id)).to.deep.equal([]);
  });

  it('the sweep enqueues a drain for a delivery left without a job', async () => {
    const db = harness.db;
    const tenant = await newTenant(db);
    const caller = { organizationId: tenant.organization.id, environment: 'test' as const };
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await new WebhookEndpoints(db, null, false).create(caller, { url: receiver.url, enabled_events: ['*'] });
    const eventId = await fanOut(db, caller.organizationId, 0);
    // As when a waiting drain ran between the fan-out's check and its commit: no job left.
    await db.raw('SELECT graphile_worker.remove_job(?)', [`mojeeb_event_endpoint:${endpoint.id}`]);
    expect(await jobsOf(db, endpoint.id)).to.deep.equal([]);
    const events = await runner(300);
    try {
      await until('the orphaned event delivered', () => receiver.received.length === 1, 10_000);
    } finally {
      await events.stop();
    }
    expect(receiver.received[0]!.headers['webhook-id']).to.equal(eventId);
  });
});
