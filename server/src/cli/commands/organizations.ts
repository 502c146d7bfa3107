// `org`: organizations (tenants), their plan and monthly message quota.
import {
  createOrganization,
  findOrganization,
  listOrganizations,
  updateOrganizationPlan,
  type Organization,
} from '../../domain/organizations.ts';
import { LOWEST_PLAN_WITH_API_ACCESS, PLANS } from '../../domain/plans.ts';
import * as input from '../input.ts';
import { UsageError } from '../input.ts';
import { fields, iso, table, when } from '../output.ts';
import { DEFAULTS, required, str, type Command, type Resource } from './command.ts';
import { organizationOrFail, planNote } from './shared.ts';

const orgJson = (o: Organization) => ({
  id: o.id,
  name: o.name,
  plan: o.plan,
  monthly_message_quota: o.monthlyMessageQuota,
  created_at: iso(o.createdAt),
});

const orgCreate: Command = {
  resource: 'org',
  name: 'create',
  summary: 'Create an organization.',
  synopsis: `--name <name> [--plan <plan>] [--quota <n>]`,
  positionals: [],
  options: {
    name: { type: 'string', value: 'name', help: 'display name, 1 to 200 characters' },
    plan: {
      type: 'string',
      value: 'plan',
      help: `${PLANS.join(' | ')} (default ${DEFAULTS.plan}; API access needs ${LOWEST_PLAN_WITH_API_ACCESS} or above)`,
    },
    quota: { type: 'string', value: 'n', help: `monthly message quota, 0 to 2147483647 (default ${DEFAULTS.quota})` },
  },
  async prepare(args) {
    const name = input.name('--name', required(args, this, 'name'), 200);
    const plan = str(args, 'plan') !== undefined ? input.plan('--plan', str(args, 'plan')!) : DEFAULTS.plan;
    const quota = str(args, 'quota') !== undefined ? input.integer('--quota', str(args, 'quota')!, 0, 2_147_483_647) : DEFAULTS.quota;
    return async (db) => {
      const org = await createOrganization(db, { name, plan, monthlyMessageQuota: quota });
      return {
        human: `Created organization ${org.id}\n${fields([
          ['name', org.name],
          ['plan', org.plan],
          ['quota', `${org.monthlyMessageQuota} messages/month`],
        ])}${planNote(org.plan)}`,
        json: orgJson(org),
      };
    };
  },
};

const orgList: Command = {
  resource: 'org',
  name: 'list',
  summary: 'List organizations.',
  synopsis: '',
  positionals: [],
  options: {},
  async prepare() {
    return async (db) => {
      const orgs = await listOrganizations(db);
      return {
        human: table(
          ['ID', 'NAME', 'PLAN', 'QUOTA/MONTH', 'CREATED'],
          orgs.map((o) => [o.id, o.name, o.plan, String(o.monthlyMessageQuota), when(o.createdAt)]),
          '(no organizations)',
        ),
        json: orgs.map(orgJson),
      };
    };
  },
};

const orgSetPlan: Command = {
  resource: 'org',
  name: 'set-plan',
  summary: "Change an organization's plan (takes effect on its keys' next request).",
  synopsis: '<org-id> --plan <plan>',
  positionals: ['org-id'],
  options: { plan: { type: 'string', value: 'plan', help: PLANS.join(' | ') } },
  async prepare(args) {
    const id = input.uuid('<org-id>', args.positionals[0]!);
    const plan = input.plan('--plan', required(args, this, 'plan'));
    return async (db) => {
      const before = await organizationOrFail(db, id);
      if (!(await updateOrganizationPlan(db, id, plan))) throw new UsageError(`no organization ${id}`);
      const after = (await findOrganization(db, id))!;
      return {
        human: `Organization ${id} (${after.name}): plan ${before.plan} → ${after.plan}${planNote(after.plan)}`,
        json: { ...orgJson(after), previous_plan: before.plan },
      };
    };
  },
};

// ── agent ─────────────────────────────────────────────────────────────────────────────────

export const organizations: Resource = {
  name: 'org',
  description: 'Organizations (tenants: plan, monthly message quota)',
  commands: [orgCreate, orgList, orgSetPlan],
};
