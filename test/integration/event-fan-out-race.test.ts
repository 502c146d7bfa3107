/**
 * An event's fan-out and an endpoint's deletion at the same moment: the event's transaction (a
 * send, a customer's message) must not fail on the deliveries' foreign key. The deletion holds
 * the endpoint's row; the fan-out, on another connection, waits for it (observed in
 * pg_stat_activity, not timed), and once the deletion commits the endpoint is skipped.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { WebhookEndpoints } from '../../server/src/domain/webhooks/endpoints.ts';
import { newEventId } from '../../server/src/domain/webhooks/events.ts';
import { harness } from '../support/harness.ts';
import { newTenant } from '../support/tenants.ts';

/** Until the backend `pid` waits for a lock (at most `tries` looks, 50 ms apart). */
async function waitUntilBlocked(db: Knex, pid: number, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const row = await db('pg_stat_activity').where({ pid }).first('wait_event_type');
    if (row?.wait_event_type === 'Lock') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`backend ${pid} never waited for a lock`);
}

/** A queued test-mode message of the tenant, written directly (its status is what the test moves). */
async function queuedMessage(db: Knex, organizationId: string, agentId: string, from: string): Promise<string> {
  const connection = await db('whatsapp_connections').where({ agent_id: agentId }).first('id');
  const [conversation] = await db('conversations')
    .insert({ organization_id: organizationId, agent_id: agentId, business_number: from, customer_number: '+15550009999' })
    .returning('id');
  const [message] = await db('messages')
    .insert({
      organization_id: organizationId,
      environment: 'test',
      agent_id: agentId,
      connection_id: connection.id,
      conversation_id: conversation.id,
      type: 'text',
      from_number: from,
      to_number: '+15550009999',
      content: JSON.stringify({ text: { body: 'Hello' } }),
    })
    .returning('id');
  return message.id as string;
}

describe('event fan-out racing an endpoint deletion (integration)', () => {
  it('skips an endpoint deleted while the event is fanned out, instead of failing the event', async () => {
    const db = harness.db;
    const tenant = await newTenant(db);
    const caller = { organizationId: tenant.organization.id, environment: 'test' as const };
    const endpoint = await new WebhookEndpoints(db, null, false).create(caller, { url: 'http://127.0.0.1:9/race', enabled_events: ['*'] });
    const kept = await new WebhookEndpoints(db, null, false).create(caller, { url: 'http://127.0.0.1:9/kept', enabled_events: ['*'] });

    const deleting = await db.transaction();
    const fanningOut = await db.transaction();
    try {
      await deleting('webhook_endpoints').where({ id: endpoint.id }).delete();
      const eventId = newEventId();
      await fanningOut('events').insert({
        id: eventId,
        organization_id: caller.organizationId,
        environment: 'test',
        type: 'message.received',
        data: JSON.stringify({ object: {} }),
      });
      const pid = (await fanningOut.raw<{ rows: Array<{ pid: number }> }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const fanOut = fanningOut.raw<{ rows: Array<{ n: number }> }>('SELECT mojeeb_fan_out_event(?, ?, ?, ?) AS n', [
        eventId,
        caller.organizationId,
        'test',
        'message.received',
      ]);
      const settled = fanOut.then(
        (result) => ({ ok: true as const, n: result.rows[0]!.n }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      await waitUntilBlocked(db, pid);
      await deleting.commit();
      const outcome = await settled;
      expect(outcome.ok, outcome.ok ? '' : String((outcome as { error: unknown }).error)).to.equal(true);
      expect(outcome.ok && outcome.n).to.equal(1);
      const deliveries = await fanningOut('event_deliveries').where({ event_id: eventId }).select('endpoint_id');
      expect(deliveries.map((d) => d.endpoint_id)).to.deep.equal([kept.id]);
    } finally {
      if (!deleting.isCompleted()) await deleting.rollback();
      if (!fanningOut.isCompleted()) await fanningOut.rollback();
    }
  });

  it('a status change (the messages trigger) whose event fans out to an endpoint being deleted waits for it, skips it and commits', async () => {
    const db = harness.db;
    const tenant = await newTenant(db);
    const caller = { organizationId: tenant.organization.id, environment: 'test' as const };
    const endpoint = await new WebhookEndpoints(db, null, false).create(caller, { url: 'http://127.0.0.1:9/race', enabled_events: ['*'] });
    const kept = await new WebhookEndpoints(db, null, false).create(caller, { url: 'http://127.0.0.1:9/kept', enabled_events: ['*'] });
    const messageId = await queuedMessage(db, caller.organizationId, tenant.agent.id, tenant.from);

    const deleting = await db.transaction();
    const updating = await db.transaction();
    try {
      await deleting('webhook_endpoints').where({ id: endpoint.id }).delete();
      const pid = (await updating.raw<{ rows: Array<{ pid: number }> }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const update = updating('messages').where({ id: messageId }).update({ status: 'sent', sent_at: db.fn.now() });
      const settled = update.then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      await waitUntilBlocked(db, pid);
      await deleting.commit();
      const outcome = await settled;
      expect(outcome.ok, outcome.ok ? '' : String((outcome as { error: unknown }).error)).to.equal(true);
      await updating.commit();
      const events = await db('events').where({ message_id: messageId }).select('id', 'type');
      expect(events.map((e) => e.type)).to.deep.equal(['message.sent']);
      const deliveries = await db('event_deliveries').where({ event_id: events[0]!.id }).select('endpoint_id');
      expect(deliveries.map((d) => d.endpoint_id)).to.deep.equal([kept.id]);
    } finally {
      if (!deleting.isCompleted()) await deleting.rollback();
      if (!updating.isCompleted()) await updating.rollback();
    }
  });
});
