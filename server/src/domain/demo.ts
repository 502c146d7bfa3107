// The demo data of a first start (`npm start` on a database without any organization, with
// SEED_DEMO on): a Professional organization, the agent and sandbox number of openapi.yaml's
// examples (so every documented example works as pasted), with Meta's sample template and the
// examples' templates approved, and a test key with `whatsapp:send`, `whatsapp:read` and
// `webhooks:manage` (so the webhook and event examples work against a first start too), created
// in one transaction, once per database.
// `service_metadata.demo_seeded_at` records that it happened, so deleting the demo organization
// later never brings it back.
// A database seeded by an older version (another agent id and number, only `hello_world`) gets
// what is missing at the next start, in its demo organization, once and idempotently
// (ensureDemoExamples); nothing that exists is changed, and nothing is added when the example
// agent id or number is already taken by another organization.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createAgent, createConnection } from './agents.ts';
import { createApiKey } from './api-keys/store.ts';
import { createOrganization } from './organizations.ts';
import { templateFromMeta, upsertTemplate } from './templates.ts';

/**
 * The template the printed curl sends: Meta's default sample template, approved for every new
 * WhatsApp Business Account; registered for the demo (sandbox) number.
 */
export const DEMO_TEMPLATE = { name: 'hello_world', language: 'en_US' } as const;

/** DEMO_TEMPLATE as Meta's `GET /{waba-id}/message_templates` returns it (no parameters). */
export const DEMO_TEMPLATE_META = {
  ...DEMO_TEMPLATE,
  status: 'APPROVED',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
    {
      type: 'BODY',
      text:
        'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification ' +
        'from the Cloud API, hosted on WhatsApp Business Platform. Thank you for taking the time to test with us.',
    },
    { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
  ],
} as const;

/** The templates openapi.yaml's request examples send, as Meta's `message_templates` returns them. */
export const EXAMPLE_TEMPLATES_META = [
  {
    name: 'order_shipped',
    language: 'en',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'NAMED',
    components: [{ type: 'BODY', text: 'Hi {{customer_name}}, your order has shipped. Track it at {{tracking_url}}.' }],
  },
  {
    name: 'appointment_reminder',
    language: 'ar',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'مرحبا {{1}}، موعدك في {{2}}.' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'URL', text: 'Manage', url: 'https://clinic.example/{{1}}' },
          { type: 'QUICK_REPLY', text: 'Cancel' },
        ],
      },
    ],
  },
] as const;

/** Every template of the demo number. */
export const DEMO_TEMPLATES_META = [DEMO_TEMPLATE_META, ...EXAMPLE_TEMPLATES_META] as const;

/**
 * The demo agent and its sandbox number are those of openapi.yaml's examples (and of the README
 * and examples/), and so is the customer the curl writes to (555-01xx-style fiction numbers).
 */
export const DEMO_AGENT_ID = '12345678-1234-1234-1234-123456789012';
export const DEMO_FROM = '+15557654321';
export const DEMO_TO = '+15551234567';

export const DEMO_ORGANIZATION_NAME = 'Demo organization';
export const DEMO_AGENT_NAME = 'Demo agent';
export const DEMO_KEY_NAME = 'demo key (first start)';
export const DEMO_QUOTA = 10_000;
/** Requests per minute of the demo key: enough to run every example and the Postman collection in one go. */
export const DEMO_RATE_LIMIT_PER_MINUTE = 600;

/** service_metadata keys. */
export const DEMO_SEEDED_AT = 'demo_seeded_at';
export const DEMO_ORGANIZATION_ID = 'demo_organization_id';
/** When the demo got the documented examples' agent, number and templates (set by a first start too). */
export const DEMO_EXAMPLES_AT = 'demo_examples_at';

// Serialises concurrent first starts on one database (two server processes): the second waits,
// then sees the first one's record.
const ADVISORY_LOCK = "hashtext('mojeeb:demo-seed')";

export interface DemoData {
  readonly organizationId: string;
  readonly agentId: string;
  readonly keyId: string;
  /** The test key: shown once, at the first start. */
  readonly apiKey: string;
  readonly from: string;
  readonly to: string;
  readonly template: typeof DEMO_TEMPLATE;
}

export type DemoOutcome =
  /** Created now. */
  | { readonly kind: 'created'; readonly demo: DemoData }
  /**
   * Created at an earlier start; the organization may have been deleted since (then null).
   * `added`: what this start added to it for the documented examples (empty when nothing was missing).
   */
  | { readonly kind: 'seeded-before'; readonly seededAt: string; readonly organizationId: string | null; readonly added: readonly string[] }
  /** Never seeded, and the database already has organizations: nothing to do. */
  | { readonly kind: 'not-empty' };

/** Creates the demo data if the database has never had it and has no organization. */
export async function ensureDemoData(db: Knex): Promise<DemoOutcome> {
  return db.transaction(async (trx) => {
    await trx.raw(`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK})`);
    const seeded = await demoRecord(trx);
    if (seeded !== null) {
      // Once per database: an example agent deleted on purpose later stays deleted.
      const done = await trx('service_metadata').where({ key: DEMO_EXAMPLES_AT }).first('key');
      if (done !== undefined || seeded.organizationId === null) return { kind: 'seeded-before', ...seeded, added: [] };
      const added = await ensureDemoExamples(trx, seeded.organizationId);
      await trx('service_metadata').insert({ key: DEMO_EXAMPLES_AT, value: new Date().toISOString() });
      return { kind: 'seeded-before', ...seeded, added };
    }
    const anyOrganization = await trx('organizations').first('id');
    if (anyOrganization !== undefined) return { kind: 'not-empty' };

    const organization = await createOrganization(trx, {
      name: DEMO_ORGANIZATION_NAME,
      plan: 'professional',
      monthlyMessageQuota: DEMO_QUOTA,
    });
    const agent = await createAgent(trx, { organizationId: organization.id, name: DEMO_AGENT_NAME, id: DEMO_AGENT_ID });
    const connection = await createConnection(trx, { agentId: agent.id, phoneNumber: DEMO_FROM }, null);
    for (const template of DEMO_TEMPLATES_META) await upsertTemplate(trx, connection.id, templateFromMeta(template));
    const key = await createApiKey(trx, {
      organizationId: organization.id,
      name: DEMO_KEY_NAME,
      environment: 'test',
      scopes: ['whatsapp:send', 'whatsapp:read', 'webhooks:manage'],
      rateLimitPerMinute: DEMO_RATE_LIMIT_PER_MINUTE,
    });
    await trx('service_metadata').insert([
      { key: DEMO_SEEDED_AT, value: new Date().toISOString() },
      { key: DEMO_ORGANIZATION_ID, value: organization.id },
      { key: DEMO_EXAMPLES_AT, value: new Date().toISOString() },
    ]);
    return {
      kind: 'created',
      demo: {
        organizationId: organization.id,
        agentId: agent.id,
        keyId: key.record.id,
        apiKey: key.plaintext,
        from: DEMO_FROM,
        to: DEMO_TO,
        template: DEMO_TEMPLATE,
      },
    };
  });
}

/**
 * Adds to the demo organization of an older seed what the documented examples need: the example
 * agent, its sandbox number and the templates. Only what is missing, never changing what exists;
 * skipped when the agent id or the number belongs to someone else. Returns what it added.
 */
export async function ensureDemoExamples(db: Knex, organizationId: string): Promise<string[]> {
  const added: string[] = [];
  const agent = await db('agents').where({ id: DEMO_AGENT_ID }).first('id', 'organization_id');
  if (agent !== undefined && agent.organization_id !== organizationId) return added;
  if (agent === undefined) {
    await createAgent(db, { organizationId, name: DEMO_AGENT_NAME, id: DEMO_AGENT_ID });
    added.push(`agent ${DEMO_AGENT_ID}`);
  }
  let connection = await db('whatsapp_connections').where({ agent_id: DEMO_AGENT_ID, phone_number: DEMO_FROM, active: true }).first('id');
  if (connection === undefined) {
    const taken = await db('whatsapp_connections').where({ phone_number: DEMO_FROM, active: true }).first('id');
    if (taken !== undefined) return added;
    connection = await createConnection(db, { agentId: DEMO_AGENT_ID, phoneNumber: DEMO_FROM }, null);
    added.push(`sandbox number ${DEMO_FROM}`);
  }
  for (const template of DEMO_TEMPLATES_META) {
    const exists = await db('templates')
      .where({ connection_id: connection.id, name: template.name, language: template.language })
      .first('connection_id');
    if (exists !== undefined) continue;
    await upsertTemplate(db, connection.id, templateFromMeta(template));
    added.push(`template ${template.name} (${template.language})`);
  }
  return added;
}

/** When the demo was seeded and its organization (null once deleted); null if never. */
async function demoRecord(db: Knex): Promise<{ seededAt: string; organizationId: string | null } | null> {
  const rows = await db<{ key: string; value: string }>('service_metadata')
    .whereIn('key', [DEMO_SEEDED_AT, DEMO_ORGANIZATION_ID])
    .select('key', 'value');
  const seededAt = rows.find((r) => r.key === DEMO_SEEDED_AT)?.value;
  if (seededAt === undefined) return null;
  const recorded = rows.find((r) => r.key === DEMO_ORGANIZATION_ID)?.value;
  const stillThere = recorded !== undefined ? await db('organizations').where({ id: recorded }).first('id') : undefined;
  return { seededAt, organizationId: stillThere !== undefined ? recorded! : null };
}

/** Single-quotes a string for a POSIX shell. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A ready-to-paste curl for the documented template send, with the demo agent, number and key. */
export function demoCurl(baseUrl: string, demo: DemoData): string {
  const body = JSON.stringify({
    agent_id: demo.agentId,
    from: demo.from,
    to: demo.to,
    template: { name: demo.template.name, language: demo.template.language },
  });
  return [
    `curl -sS -X POST ${shellQuote(`${baseUrl}/v1/whatsapp/templates`)} \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${demo.apiKey}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H ${shellQuote(`Idempotency-Key: demo-${randomBytes(6).toString('hex')}`)} \\`,
    `  -d ${shellQuote(body)}`,
  ].join('\n');
}

/** What the first start prints after the "listening" block. */
export function demoAnnouncement(baseUrl: string, demo: DemoData): string {
  return [
    'First start: created demo data (an empty database; SEED_DEMO=false turns this off).',
    `  organization    ${demo.organizationId}  ${DEMO_ORGANIZATION_NAME}, plan professional`,
    `  agent           ${demo.agentId}  ${DEMO_AGENT_NAME}`,
    `  sandbox number  ${demo.from}  (no Meta credentials: the sandbox delivers, nothing reaches WhatsApp)`,
    `  test API key    ${demo.apiKey}  (${DEMO_RATE_LIMIT_PER_MINUTE} requests a minute)`,
    `  templates       ${DEMO_TEMPLATES_META.map((t) => `${t.name} (${t.language})`).join(', ')}`,
    '',
    '  Store the key now: it is shown only this once (the database keeps a hash).',
    '',
    `Send the approved template '${demo.template.name}' (${demo.template.language}) from the demo number:`,
    '',
    demoCurl(baseUrl, demo),
    '',
  ].join('\n');
}

/** The line of a later start (and one more when this start completed an older demo). */
export function demoReminder(outcome: Extract<DemoOutcome, { kind: 'seeded-before' }>): string {
  const org = outcome.organizationId ?? '<org-id>';
  const reminder =
    `The demo test key was shown at the first start (${outcome.seededAt}); ` +
    `create another with: npm run admin -- key create --org ${org} --name "my key" --test`;
  if (outcome.added.length === 0) return reminder;
  return `${reminder}
Demo data of an older version: added for the documented examples ${outcome.added.join(', ')}.`;
}
