// `agent`: the agents of an organization (each sends from its own WhatsApp numbers).
import { createAgent, listAgents, type Agent } from '../../domain/agents.ts';
import * as input from '../input.ts';
import { fields, iso, table, when } from '../output.ts';
import { required, str, type Command, type Resource } from './command.ts';
import { organizationOrFail } from './shared.ts';

const agentJson = (a: Agent) => ({ id: a.id, organization_id: a.organizationId, name: a.name, created_at: iso(a.createdAt) });

const agentCreate: Command = {
  resource: 'agent',
  name: 'create',
  summary: 'Create an agent in an organization.',
  synopsis: '--org <org-id> --name <name>',
  positionals: [],
  options: {
    org: { type: 'string', value: 'org-id', help: 'the organization' },
    name: { type: 'string', value: 'name', help: 'display name, 1 to 200 characters' },
  },
  async prepare(args) {
    const orgId = input.uuid('--org', required(args, this, 'org'));
    const name = input.name('--name', required(args, this, 'name'), 200);
    return async (db) => {
      await organizationOrFail(db, orgId);
      const agent = await createAgent(db, { organizationId: orgId, name });
      return {
        human: `Created agent ${agent.id}\n${fields([
          ['name', agent.name],
          ['organization', agent.organizationId],
        ])}\nAdd a number: npm run admin -- connection create --agent ${agent.id} --phone <+E.164>`,
        json: agentJson(agent),
      };
    };
  },
};

const agentList: Command = {
  resource: 'agent',
  name: 'list',
  summary: 'List agents, of every organization or of one.',
  synopsis: '[--org <org-id>]',
  positionals: [],
  options: { org: { type: 'string', value: 'org-id', help: 'only the agents of this organization' } },
  async prepare(args) {
    const orgId = str(args, 'org') !== undefined ? input.uuid('--org', str(args, 'org')!) : undefined;
    return async (db) => {
      if (orgId !== undefined) await organizationOrFail(db, orgId);
      const agents = await listAgents(db, orgId);
      return {
        human: table(
          ['ID', 'ORGANIZATION', 'NAME', 'CREATED'],
          agents.map((a) => [a.id, a.organizationId, a.name, when(a.createdAt)]),
          '(no agents)',
        ),
        json: agents.map(agentJson),
      };
    };
  },
};

export const agents: Resource = {
  name: 'agent',
  description: 'Agents of an organization',
  commands: [agentCreate, agentList],
};
