/**
 * Draining an endpoint's backlog (delivery/events/deliver-event.ts): the job that holds the
 * endpoint's queue delivers the endpoint's waiting events after its own, oldest first, removing
 * each one's job as it records it; a failure ends the drain with its retry scheduled; the job
 * left for a delivery already made does nothing when it runs. Real PostgreSQL, a real receiver on
 * loopback, the real event runner for the last step.
 */
import { expect } from 'chai';
import { deliverEvent, drainEndpoint, type EventDeliveryDeps } from '../../server/src/delivery/events/deliver-event.ts';
import { startEventWorker } from '../../server/src/delivery/events/runner.ts';
import { WebhookEndpoints } from '../../server/src/domain/webhooks/endpoints.ts';
import { newEventId } from '../../server/src/domain/webhooks/events.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { harness } from '../support/harness.ts';
import { newTenant } from '../support/tenants.ts';
import { startReceiver, until } from '../support/webhook-receiver.ts';

const EVENTS = 25;
const FAIL_AT = 21; // the receiver's 21st request answers 500

describe('event delivery: draining an endpoint’s backlog (integration)', function () {
  this.timeout(60_000);

  it('delivers the waiting events in the job that holds the queue, in order, once each; a failure stops it and is retried', async () => {
    const db = harness.db;
    const tenant = await newTenant(db);
    const caller = { organizationId: tenant.organization.id, environment: 'test' as const };
    const receiver = await startReceiver((n) => ({ status: n === FAIL_AT ? 500 : 200 }));
    try {
      const endpoint = await new WebhookEndpoints(db, null, false).create(caller, { url: receiver.url, enabled_events: ['*'] });
      const eventIds: string[] = [];
      for (let i = 0; i < EVENTS; i++) {
        const id = newEventId();
        eventIds.push(id);
        await db.transaction(async (trx) => {
          await trx('events').insert({
            id,
            organization_id: caller.organizationId,
            environment: 'test',
            type: 'message.received',
            data: JSON.stringify({ object: { id: `in-${i}` } }),
            created_at: new Date(Date.now() - (EVENTS - i) * 1000),
          });
          await trx.raw('SELECT mojeeb_fan_out_event(?, ?, ?, ?)', [id, caller.organizationId, 'test', 'message.received']);
        });
      }
      const deliveries = await db('event_deliveries').where({ endpoint_id: endpoint.id }).orderBy('created_at').select('id', 'event_id');
      expect(deliveries.map((d) => d.event_id)).to.deep.equal(eventIds);
      const keyed = async () =>
        (
          await db.raw<{ rows: Array<{ key: string }> }>(`SELECT key FROM graphile_worker._private_jobs WHERE key = ANY(?)`, [
            deliveries.map((d) => `mojeeb_event_delivery:${d.id}`),
          ])
        ).rows.map((r) => r.key);
      expect(await keyed()).to.have.length(EVENTS);

      // What the runner does for the first job: its own delivery, then the drain.
      const deps: EventDeliveryDeps = {
        db,
        secrets: null,
        logger: silentLogger,
        retryScheduleMs: [200],
        disableAfterMs: 60_000,
        allowPrivate: true,
      };
      const first = await deliverEvent(deps, { delivery_id: deliveries[0]!.id, attempt: 0 });
      expect(first).to.deep.equal({ outcome: 'succeeded', endpointId: endpoint.id });
      const drained = await drainEndpoint(deps, endpoint.id, Date.now());
      expect(drained, 'drained before the failure').to.equal(FAIL_AT - 2);
      expect(receiver.received.map((r) => r.headers['webhook-id'])).to.deep.equal(eventIds.slice(0, FAIL_AT - 1));

      const states = await db('event_deliveries').where({ endpoint_id: endpoint.id }).orderBy('created_at').select('status', 'attempts');
      expect(states.slice(0, FAIL_AT - 1).every((s) => s.status === 'succeeded' && s.attempts === 1)).to.equal(true);
      expect(states[FAIL_AT - 1], 'the failed one waits for its retry').to.deep.equal({ status: 'pending', attempts: 1 });
      expect(states.slice(FAIL_AT).every((s) => s.status === 'pending' && s.attempts === 0)).to.equal(true);
      // Jobs left: the first one's own (graphile-worker completes it after the task) and the untouched ones.
      expect((await keyed()).sort()).to.deep.equal(
        [deliveries[0]!, ...deliveries.slice(FAIL_AT)].map((d) => `mojeeb_event_delivery:${d.id}`).sort(),
      );

      // The runner: the stale job does nothing, the retry and the rest arrive, nothing twice.
      const runner = await startEventWorker({
        connectionString: harness.database.connectionString,
        deps: { db, cloudApi: null as never, secrets: null, logger: silentLogger, sandboxStepMs: 50 },
        events: { retryScheduleMs: [200], allowPrivate: true },
        concurrency: 2,
        pollIntervalMs: 100,
      });
      try {
        await until('every event delivered', () => new Set(receiver.received.map((r) => r.headers['webhook-id'])).size === EVENTS, 20_000);
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        await runner.stop();
      }
      const ids = receiver.received.map((r) => r.headers['webhook-id']);
      expect(ids, 'each event once').to.have.length(EVENTS);
      expect(new Set(ids).size).to.equal(EVENTS);
      expect(await db('event_deliveries').where({ endpoint_id: endpoint.id, status: 'succeeded' }).count({ n: '*' })).to.deep.equal([
        { n: String(EVENTS) },
      ]);
    } finally {
      await receiver.close();
    }
  });
});
