/**
 * `admin webhook list`: every webhook endpoint (or one organization's) and its health — the
 * last successful delivery, the failed attempts since, since when it has been failing, and
 * whether it is disabled (`manual`, or `failing`: every delivery failed for the documented
 * period, the operator alert). Secrets are never shown.
 */
import type { Command, Resource } from './command.ts';
import * as input from '../input.ts';
import { iso, table, when } from '../output.ts';

interface EndpointHealthRow {
  id: string;
  organization_id: string;
  environment: string;
  url: string;
  enabled_events: string[];
  disabled: boolean;
  disabled_reason: string | null;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  failing_since: Date | null;
  consecutive_failures: number;
  pending: string;
}

const webhookList: Command = {
  resource: 'webhook',
  name: 'list',
  summary: 'List webhook endpoints and their health.',
  synopsis: '[--org <organization-id>] [--failing]',
  positionals: [],
  options: {
    org: { type: 'string', value: 'organization-id', help: "only this organization's endpoints" },
    failing: { type: 'boolean', help: 'only endpoints that are disabled or whose last attempts failed' },
  },
  notes: ['STATUS is enabled, disabled (manual) or disabled (failing); PENDING counts deliveries still to be attempted.'],
  async prepare(args) {
    const org = typeof args.values.org === 'string' ? input.uuid('--org', args.values.org) : undefined;
    const failingOnly = args.values.failing === true;
    return async (db) => {
      const q = db('webhook_endpoints as e')
        .select(
          'e.id',
          'e.organization_id',
          'e.environment',
          'e.url',
          'e.enabled_events',
          'e.disabled',
          'e.disabled_reason',
          'e.last_success_at',
          'e.last_failure_at',
          'e.failing_since',
          'e.consecutive_failures',
          db.raw(`(SELECT count(*) FROM event_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending')::text AS pending`),
        )
        .orderBy([{ column: 'e.organization_id' }, { column: 'e.created_at' }]);
      if (org !== undefined) q.where('e.organization_id', org);
      if (failingOnly) q.where((w) => w.where('e.disabled', true).orWhere('e.consecutive_failures', '>', 0));
      const rows = (await q) as EndpointHealthRow[];
      const status = (r: EndpointHealthRow) => (r.disabled ? `disabled (${r.disabled_reason ?? 'manual'})` : 'enabled');
      return {
        human: table(
          ['ID', 'ORG', 'ENV', 'STATUS', 'LAST SUCCESS', 'FAILURES', 'FAILING SINCE', 'PENDING', 'EVENTS', 'URL'],
          rows.map((r) => [
            r.id,
            r.organization_id,
            r.environment,
            status(r),
            when(r.last_success_at),
            String(r.consecutive_failures),
            when(r.failing_since),
            r.pending,
            r.enabled_events.join(','),
            r.url,
          ]),
          'No webhook endpoints.',
        ),
        json: rows.map((r) => ({
          id: r.id,
          organization_id: r.organization_id,
          environment: r.environment,
          url: r.url,
          enabled_events: r.enabled_events,
          disabled: r.disabled,
          disabled_reason: r.disabled_reason,
          last_success_at: iso(r.last_success_at),
          last_failure_at: iso(r.last_failure_at),
          failing_since: iso(r.failing_since),
          consecutive_failures: r.consecutive_failures,
          pending_deliveries: Number(r.pending),
        })),
      };
    };
  },
};

export const webhooks: Resource = {
  name: 'webhook',
  description: 'Webhook endpoints of organizations and their health (read-only)',
  commands: [webhookList],
};
