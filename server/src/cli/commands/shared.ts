// Lookups and notes shared by the resources' commands.
import type { Knex } from 'knex';
import { findAgent, findConnection, type Agent, type WhatsAppConnection } from '../../domain/agents.ts';
import { findOrganization, type Organization } from '../../domain/organizations.ts';
import { LOWEST_PLAN_WITH_API_ACCESS, planIncludesApiAccess, type Plan } from '../../domain/plans.ts';
import { UsageError } from '../input.ts';

export async function organizationOrFail(db: Knex, id: string): Promise<Organization> {
  const org = await findOrganization(db, id);
  if (!org) throw new UsageError(`no organization ${id} (npm run admin -- org list)`);
  return org;
}

export async function agentOrFail(db: Knex, id: string): Promise<Agent> {
  const agent = await findAgent(db, id);
  if (!agent) throw new UsageError(`no agent ${id} (npm run admin -- agent list)`);
  return agent;
}

export async function connectionOrFail(db: Knex, id: string): Promise<WhatsAppConnection> {
  const connection = await findConnection(db, id);
  if (!connection) throw new UsageError(`no connection ${id} (npm run admin -- connection list)`);
  return connection;
}

export function planNote(plan: Plan): string {
  return planIncludesApiAccess(plan)
    ? ''
    : `\nNote: plan '${plan}' has no API access: its keys get 403 plan_upgrade_required (needs '${LOWEST_PLAN_WITH_API_ACCESS}' or above).`;
}
