/**
 * The agent allow-list (domain/agent-allow-list.ts) is written twice in its one file: as the
 * check that refuses a named agent (403) and as the SQL condition the reads add. Both are asked
 * about every pair of list and agent below, the condition in PostgreSQL, and must agree.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../server/src/core/errors.ts';
import { type AgentAllowList, allowedAgentCondition, requireAllowedAgent } from '../../server/src/domain/agent-allow-list.ts';
import { harness } from '../support/harness.ts';

const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
const LISTS: AgentAllowList[] = [null, [], [a], [b], [a, b]];

function allowedByCheck(list: AgentAllowList, agent: string): boolean {
  try {
    requireAllowedAgent(list, agent);
    return true;
  } catch (error) {
    expect(error).to.be.instanceOf(ApiError);
    expect((error as ApiError).code).to.equal('agent_not_authorized');
    expect((error as ApiError).extras).to.deep.equal({ param: 'agent_id' });
    return false;
  }
}

async function allowedBySql(list: AgentAllowList, agent: string): Promise<boolean> {
  const condition = allowedAgentCondition('x.agent_id', list);
  const result = await harness.db.raw<{ rows: Array<{ allowed: boolean }> }>(
    `SELECT EXISTS (SELECT 1 FROM (SELECT ?::uuid AS agent_id) x WHERE ${condition.sql}) AS allowed`,
    [agent, ...condition.bindings],
  );
  return result.rows[0]!.allowed;
}

describe('agent allow-list', () => {
  it('the 403 check and the SQL condition agree for every list and agent', async () => {
    const answers: string[] = [];
    for (const list of LISTS) {
      for (const agent of [a, b, c]) {
        const [check, sql] = [allowedByCheck(list, agent), await allowedBySql(list, agent)];
        expect(sql, `list ${JSON.stringify(list)}, agent ${agent}`).to.equal(check);
        answers.push(`${check}`);
      }
    }
    expect(answers.filter((x) => x === 'true')).to.have.length(3 + 0 + 1 + 1 + 2);
  });
});
