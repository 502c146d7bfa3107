/**
 * `mojeeb_accept_send` called directly (no HTTP): what an accepted send writes (everything, in
 * one call), and idempotency (the replay, the other request's hash, the TTL, a claim in flight).
 * The refusals: accept-send-refusals.test.ts.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { harness } from '../support/harness.ts';
import { randomE164 } from '../support/tenants.ts';
import { accept, customerWrote, refused, refusedOrStored, setup, written } from './accept-send-support.ts';

describe('mojeeb_accept_send (called directly)', () => {
  describe('accepted', () => {
    it('a text within the window: the message, its conversation and its delivery job, in one call', async () => {
      const s = await setup();
      const customer = randomE164();
      await customerWrote(s, customer, 60_000);
      const row = await accept(s.text(customer));
      expect(row.outcome).to.equal('accepted');
      const message = await harness.db('messages').where({ id: row.message_id }).first();
      expect(message).to.include({
        status: 'queued',
        type: 'text',
        from_number: s.tenant.from,
        to_number: customer,
        conversation_id: row.conversation_id,
      });
      const job = await harness.db.raw<{ rows: unknown[] }>(
        `SELECT t.identifier, j.payload FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE j.key = ?`,
        [`deliver_message:${row.message_id}`],
      );
      expect(job.rows).to.deep.equal([{ identifier: 'deliver_message', payload: { message_id: row.message_id } }]);
      expect((await written(s.tenant.organization.id)).idempotency, 'no key, no record').to.equal(0);
    });

    it('a live template that fits: one unit of the month’s quota', async () => {
      const s = await setup({ environment: 'live' });
      const row = await accept(s.template(randomE164()));
      expect(row.outcome).to.equal('accepted');
      expect(await written(s.tenant.organization.id)).to.include({ messages: 1, jobs: 1, usage: 1, conversations: 1 });
    });

    it('positional parameters, a media header and dynamic buttons that fit', async () => {
      const s = await setup();
      const row = await accept(
        s.template(randomE164(), {
          name: 'appointment_reminder',
          language: 'ar',
          parameters: { '1': 'Sara', '2': 'tomorrow' },
          header_media_url: 'https://cdn.example/a.jpg',
          buttons: [
            { type: 'url', index: 0, value: 'a/1' },
            { type: 'quick_reply', index: 1, value: 'x' },
          ],
        }),
      );
      expect(row.outcome, JSON.stringify(row.detail)).to.equal('accepted');
    });
  });

  describe('idempotency', () => {
    it('stored: a second call with the key answers the first message and writes nothing', async () => {
      const s = await setup();
      const call = s.template(
        randomE164(),
        {},
        { idempotency_key: randomUUID(), operation_id: 'sendWhatsAppTemplate', request_hash: 'h1', correlation_id: 'req_1' },
      );
      const first = await accept(call);
      expect(first.outcome).to.equal('accepted');
      const replay = await refusedOrStored(call);
      expect(replay).to.include({ outcome: 'stored', message_id: first.message_id, conversation_id: first.conversation_id });
      expect(replay.detail).to.include({ operation_id: 'sendWhatsAppTemplate', request_hash: 'h1', correlation_id: 'req_1', status: 202 });
    });

    it('stored, with the other request’s hash: a different body is told apart by the caller', async () => {
      const s = await setup();
      const key = randomUUID();
      await accept(
        s.template(
          randomE164(),
          {},
          { idempotency_key: key, operation_id: 'sendWhatsAppTemplate', request_hash: 'first', correlation_id: 'req_1' },
        ),
      );
      const other = await refusedOrStored(
        s.template(
          randomE164(),
          {},
          { idempotency_key: key, operation_id: 'sendWhatsAppTemplate', request_hash: 'second', correlation_id: 'req_2' },
        ),
      );
      expect(other.outcome).to.equal('stored');
      expect(other.detail).to.include({ request_hash: 'first', correlation_id: 'req_1' });
    });

    it('a record older than mojeeb_idempotency_ttl() is not replayed: the send is accepted anew', async () => {
      const s = await setup();
      const call = s.template(
        randomE164(),
        {},
        { idempotency_key: randomUUID(), operation_id: 'sendWhatsAppTemplate', request_hash: 'h', correlation_id: 'r' },
      );
      const first = await accept(call);
      await harness.db.raw(
        `UPDATE idempotency_keys SET created_at = now() - mojeeb_idempotency_ttl() - interval '1 second' WHERE api_key_id = ?`,
        [s.keyId],
      );
      const again = await accept(call);
      expect(again.outcome).to.equal('accepted');
      expect(again.message_id).to.not.equal(first.message_id);
    });

    it('in_progress: the same key while the first call’s transaction is still open', async () => {
      const s = await setup();
      const call = s.template(
        randomE164(),
        {},
        { idempotency_key: randomUUID(), operation_id: 'sendWhatsAppTemplate', request_hash: 'h', correlation_id: 'r' },
      );
      const trx = await harness.db.transaction();
      try {
        expect((await accept(call, trx)).outcome).to.equal('accepted');
        await refused(call, 'in_progress');
      } finally {
        await trx.rollback();
      }
      expect((await accept(call)).outcome, 'the claim ends with the transaction').to.equal('accepted');
    });
  });
});
