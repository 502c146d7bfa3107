/**
 * Prometheus metrics of this process, in the text exposition format, served at `/metrics`
 * (outside the public API, like the health checks). Counters only, kept in memory: each process
 * reports its own, and Prometheus sums them.
 */
type Labels = Readonly<Record<string, string>>;

class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) {
      const pairs = (JSON.parse(key) as Array<[string, string]>).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`);
      lines.push(`${this.name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${value}`);
    }
    return lines.join('\n');
  }
}

export const metrics = {
  httpRequests: new Counter('mojeeb_http_requests_total', 'HTTP requests answered, by operation and status.'),
  messagesAccepted: new Counter('mojeeb_messages_accepted_total', 'Sends accepted (202, replays excluded), by message type and environment.'),
  deliveries: new Counter('mojeeb_deliveries_total', 'Delivery attempts by outcome: accepted by WhatsApp, sandbox, failed, retried, unknown, missed_slot (a send that missed its sending slot took a new one).'),
  operatorAlerts: new Counter('mojeeb_whatsapp_operator_alerts_total', 'Sends WhatsApp refused for an account or token reason, by Meta error code.'),
  webhookEvents: new Counter('mojeeb_webhook_events_total', 'Meta webhook events processed, by kind and outcome.'),
};

export function renderMetrics(): string {
  return `${Object.values(metrics).map((c) => c.render()).join('\n')}\n`;
}
