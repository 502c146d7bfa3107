// Organizations: the tenant boundary. Every agent, number, key and message belongs to one.
import type { Knex } from 'knex';
import { isPlan, type Plan } from './plans.ts';

export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly plan: Plan;
  readonly monthlyMessageQuota: number;
  readonly createdAt: Date;
}

export interface NewOrganization {
  readonly name: string;
  readonly plan: Plan;
  readonly monthlyMessageQuota: number;
}

interface OrganizationRow {
  id: string;
  name: string;
  plan: string;
  monthly_message_quota: number;
  created_at: Date;
}

function fromRow(row: OrganizationRow): Organization {
  if (!isPlan(row.plan)) throw new Error(`organization ${row.id} has an unknown plan '${row.plan}'`);
  return { id: row.id, name: row.name, plan: row.plan, monthlyMessageQuota: row.monthly_message_quota, createdAt: row.created_at };
}

export async function createOrganization(db: Knex, input: NewOrganization): Promise<Organization> {
  const [row] = await db<OrganizationRow>('organizations')
    .insert({ name: input.name, plan: input.plan, monthly_message_quota: input.monthlyMessageQuota })
    .returning('*');
  return fromRow(row!);
}

export async function listOrganizations(db: Knex): Promise<Organization[]> {
  const rows = await db<OrganizationRow>('organizations').select('*').orderBy('created_at').orderBy('id');
  return rows.map(fromRow);
}

export async function findOrganization(db: Knex, id: string): Promise<Organization | null> {
  const row = await db<OrganizationRow>('organizations').where({ id }).first();
  return row ? fromRow(row) : null;
}

export async function updateOrganizationPlan(db: Knex, id: string, plan: Plan): Promise<boolean> {
  const count = await db('organizations').where({ id }).update({ plan, updated_at: db.fn.now() });
  return count === 1;
}
