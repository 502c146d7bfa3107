/**
 * What the admin CLI tests share: the CLI run for real (`node --import tsx server/src/cli/admin.ts
 * …`, what `npm run admin --` runs) against the run's test database, the row counts that show a
 * refusal wrote nothing, and the organization, agents and number they work on, made by the CLI.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { harness } from '../support/harness.ts';
import { runAdmin, type AdminRun } from '../support/processes.ts';

const TABLES = ['organizations', 'agents', 'whatsapp_connections', 'api_keys'] as const;

/** The ENCRYPTION_KEY the tests give the CLI when it stores Meta credentials. */
export const ENCRYPTION_KEY = randomBytes(32).toString('base64');

/** A status path the run's server answers for any usable key (404: no such message). */
export const MESSAGE_PATH = `/v1/whatsapp/messages/${randomUUID()}`;

/** The CLI on the run's database. */
export function admin(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; stdin?: string } = {},
): Promise<AdminRun> {
  return runAdmin(args, { ...options, env: { DATABASE_URL: harness.database.connectionString, ...options.env } });
}

/** The CLI, which must succeed: exit 0 and nothing on stderr. */
export async function ok(args: readonly string[], options?: Parameters<typeof admin>[1]): Promise<AdminRun> {
  const run = await admin(args, options);
  expect(run.code, `admin ${args.join(' ')}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`).to.equal(0);
  expect(run.stderr, 'nothing on stderr when all goes well').to.equal('');
  return run;
}

/** The rows of the tables the CLI writes. */
export async function counts(): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await harness.db(table).count<{ count: string }[]>('* as count');
    result[table] = Number(row!.count);
  }
  return result;
}

/** A number no other test uses. */
export function freshNumber(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

export interface CliOrganization {
  readonly orgId: string;
  readonly agentId: string;
  /** An agent of another organization. */
  readonly otherOrgAgentId: string;
  /** The agent's number, active (sandbox delivery). */
  readonly activeNumber: string;
}

/**
 * Registers a `before` hook that makes, with the CLI, an organization with an agent and an active
 * number, and an agent of another organization; the fields are filled in once the hook ran.
 */
export function cliOrganization(): CliOrganization {
  const made: { -readonly [K in keyof CliOrganization]: CliOrganization[K] } = {
    orgId: '',
    agentId: '',
    otherOrgAgentId: '',
    activeNumber: '',
  };
  before(async () => {
    const org = (await ok(['org', 'create', '--name', 'CLI test org', '--json'])).json();
    expect(org).to.include({ name: 'CLI test org', plan: 'professional', monthly_message_quota: 10_000 });
    const agent = (await ok(['agent', 'create', '--org', org.id, '--name', 'CLI agent', '--json'])).json();
    expect(agent).to.include({ organization_id: org.id, name: 'CLI agent' });
    const other = (await ok(['org', 'create', '--name', 'Other org', '--plan', 'business', '--quota', '5', '--json'])).json();
    const otherOrgAgentId = (await ok(['agent', 'create', '--org', other.id, '--name', 'Elsewhere', '--json'])).json().id;
    const activeNumber = freshNumber();
    const connection = (await ok(['connection', 'create', '--agent', agent.id, '--phone', activeNumber, '--json'])).json();
    expect(connection).to.include({
      agent_id: agent.id,
      organization_id: org.id,
      phone_number: activeNumber,
      delivery: 'sandbox',
      active: true,
      messages_per_second: 80,
    });
    expect(connection.phone_number_id).to.equal(null);
    Object.assign(made, { orgId: org.id, agentId: agent.id, otherOrgAgentId, activeNumber });
  });
  return made;
}
