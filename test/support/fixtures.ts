/**
 * The data a live-server run needs to call the API as an integrator would: an API key and the
 * agent, sending number and recipient to use. Filled in as keys, agents and numbers land; until
 * then the key is well-formed but unknown to the server.
 */
import type { Knex } from 'knex';
import { generateApiKey } from '../../server/src/domain/api-keys/key-format.ts';

export interface ContractFixture {
  readonly apiKey: string;
  readonly agentId: string;
  readonly from: string;
  readonly to: string;
}

export async function seedContractFixture(_db: Knex): Promise<ContractFixture> {
  return {
    apiKey: generateApiKey('test').plaintext,
    agentId: '12345678-1234-1234-1234-123456789012',
    from: '+15557654321',
    to: '+15551234567',
  };
}
