/**
 * The SDK's lists: the auto-paging iterator (`for await`), one page at a time, pages(), the
 * conversation and window reads, and typed errors, against the real server (every response
 * validated against openapi.yaml).
 */
import { expect } from 'chai';
import { createMojeebClient, MojeebValidationError, type ListedMessage, type MojeebClient } from '@mojeeb/sdk';
import { harness } from '../support/harness.ts';
import { randomE164 } from '../support/tenants.ts';
import { sdkTenant, validatingFetch, type SdkTenant } from './support.ts';

describe('SDK: lists and pagination', () => {
  let t: SdkTenant;
  let client: MojeebClient;
  let customer: string;
  const sent: string[] = [];
  const requests: string[] = [];
  before(async () => {
    t = await sdkTenant();
    client = createMojeebClient({
      apiKey: t.apiKey,
      baseUrl: harness.server.baseUrl,
      fetch: validatingFetch,
      onRequest: (info) => requests.push(info.url),
    });
    customer = randomE164();
    const { data } = await client.raw.POST('/v1/whatsapp/sandbox/inbound', {
      body: { agent_id: t.tenant.agent.id, from: t.tenant.from, to: customer, text: { body: 'Hi there' } },
    });
    expect(data?.window.open).to.equal(true);
    for (let i = 0; i < 7; i++) sent.push((await client.whatsapp.sendTemplate(t.template(customer))).id);
  });

  it('for await walks every page, fetching each one only when needed', async () => {
    requests.length = 0;
    const seen: ListedMessage[] = [];
    for await (const m of client.whatsapp.listMessages({ limit: 3 })) seen.push(m);
    expect(seen.map((m) => m.id).slice(0, 7)).to.deep.equal([...sent].reverse());
    const last = seen[7]!;
    expect(seen).to.have.length(8);
    if (last.direction !== 'inbound') throw new Error('the oldest message is the inbound one');
    expect(last.text?.body).to.equal('Hi there');
    expect(last.from).to.equal(customer);
    expect(requests).to.have.length(3);
    expect(requests[0]).to.include('limit=3').and.not.include('cursor=');
    expect(requests[1]).to.include('cursor=');
  });

  it('stops early when the loop breaks: no page after the one in use is fetched', async () => {
    requests.length = 0;
    let n = 0;
    for await (const _ of client.whatsapp.listMessages({ limit: 2 })) if (++n === 3) break;
    expect(requests).to.have.length(2);
  });

  it('page() fetches one page; its next_cursor continues the list; pages() yields pages', async () => {
    const first = await client.whatsapp.listMessages({ limit: 5, direction: 'outbound' }).page();
    expect(first.data).to.have.length(5);
    expect(first.has_more).to.equal(true);
    expect(first.lastResponse.status).to.equal(200);
    const rest = await client.whatsapp.listMessages({ limit: 5, direction: 'outbound', cursor: first.next_cursor! }).page();
    expect(rest.data.map((m) => m.id)).to.deep.equal([sent[1], sent[0]]);
    expect(rest.next_cursor).to.equal(null);
    const sizes: number[] = [];
    for await (const page of client.whatsapp.listMessages({ limit: 4, 'created[gte]': '2000-01-01T00:00:00Z' }).pages())
      sizes.push(page.data.length);
    expect(sizes).to.deep.equal([4, 4]);
  });

  it('conversations, one conversation and the window', async () => {
    const conversations = [];
    for await (const c of client.whatsapp.listConversations({ customer_number: customer })) conversations.push(c);
    expect(conversations).to.have.length(1);
    const conversation = await client.whatsapp.getConversation(conversations[0]!.id);
    expect(conversation.window.open).to.equal(true);
    const window = await client.whatsapp.getWindow({ from: t.tenant.from, to: customer });
    expect(window).to.include({ object: 'whatsapp.window', open: true, conversation_id: conversation.id });
    expect(window.lastResponse.status).to.equal(200);
  });

  it('throws typed errors: a bad cursor is MojeebValidationError invalid_cursor', async () => {
    try {
      await client.whatsapp.listMessages({ cursor: 'bm9wZQ' }).page();
      expect.fail('expected an error');
    } catch (error) {
      expect(error).to.be.instanceOf(MojeebValidationError);
      expect((error as MojeebValidationError).code).to.equal('invalid_cursor');
      expect((error as MojeebValidationError).status).to.equal(400);
    }
    try {
      for await (const _ of client.whatsapp.listConversations({ limit: 1000 })) break;
      expect.fail('expected an error');
    } catch (error) {
      expect((error as MojeebValidationError).code).to.equal('invalid_field_value');
    }
  });
});
