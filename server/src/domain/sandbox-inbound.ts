/**
 * The sandbox's stand-in for a customer (POST /v1/whatsapp/sandbox/inbound): a test key records
 * a message from the customer `to` to the agent's number `from`, exactly as an inbound WhatsApp
 * message is recorded (domain/conversations.ts), so the conversation's 24-hour window opens and
 * free-form sends can be tried without Meta. Conversations are shared by live and test sends,
 * so only sandbox numbers (without WhatsApp credentials) take simulated messages: a real
 * customer's window is never opened by a test key.
 */
import type { Knex } from 'knex';
import type { components } from '../generated/openapi-types.ts';
import { ApiError } from '../core/errors.ts';
import { activeNumbersOfAgent } from './agents.ts';
import { recordInboundMessage } from './conversations.ts';
import { formatTimestamp } from './time.ts';

type SandboxInboundRequest = components['schemas']['SandboxInboundRequest'];
export type SandboxInboundResource = components['schemas']['SandboxInboundMessage'];

export const DEFAULT_INBOUND_TEXT = 'Hello';

export interface SandboxCaller {
  readonly organizationId: string;
  readonly environment: 'live' | 'test';
}

/** What WhatsApp can carry (as in sends): U+0000 and unpaired surrogates become U+FFFD. */
function carriable(text: string): string {
  return text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\uFFFD');
}

export class SandboxInbound {
  constructor(private readonly db: Knex) {}

  async simulate(caller: SandboxCaller, body: SandboxInboundRequest, now: Date = new Date()): Promise<SandboxInboundResource> {
    if (caller.environment !== 'test') {
      throw new ApiError('test_key_required', 'Simulated inbound messages belong to the sandbox; use a test key (mk_test_…).');
    }
    const agent = await this.db('agents').where({ id: body.agent_id, organization_id: caller.organizationId }).first('id');
    if (!agent) throw new ApiError('agent_not_found', `No agent with id '${body.agent_id}' exists.`, { param: 'agent_id' });
    const connection = await this.db('whatsapp_connections')
      .where({ agent_id: body.agent_id, phone_number: body.from, active: true })
      .first('id', 'access_token_encrypted');
    if (!connection) {
      throw new ApiError('from_phone_not_found_for_agent', `${body.from} is not an active WhatsApp number of this agent.`, {
        param: 'from',
        available_phones: await activeNumbersOfAgent(this.db, body.agent_id),
      });
    }
    if (connection.access_token_encrypted !== null) {
      throw new ApiError(
        'sandbox_number_required',
        `${body.from} is connected to WhatsApp; simulated inbound messages are only for sandbox numbers.`,
        {
          param: 'from',
        },
      );
    }
    const receivedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const recorded = await recordInboundMessage(
      this.db,
      {
        businessNumber: body.from,
        customerNumber: body.to,
        platformMessageId: null,
        type: 'text',
        content: { body: carriable(body.text?.body ?? DEFAULT_INBOUND_TEXT), simulated: true },
        receivedAt,
        environment: 'test',
      },
      now,
    );
    return {
      conversation_id: recorded.conversationId,
      agent_id: body.agent_id,
      from: body.from,
      to: body.to,
      received_at: formatTimestamp(receivedAt),
      window: recorded.window,
    };
  }
}
