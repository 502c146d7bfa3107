/**
 * The admin CLI's resources and their commands. Each resource lives in its own file under
 * `commands/`; adding one is that file plus its line in `REGISTERED` (the order is the order of
 * `--help`).
 */
import { agents } from './commands/agents.ts';
import type { Command, Resource } from './commands/command.ts';
import { connections } from './commands/connections.ts';
import { keys } from './commands/keys.ts';
import { organizations } from './commands/organizations.ts';
import { retention } from './commands/retention.ts';
import { templates } from './commands/templates.ts';
import { webhooks } from './commands/webhooks.ts';

export { DEFAULTS, usageHint, type Args, type Command, type CommandContext } from './commands/command.ts';
export { describeDatabaseError } from './commands/database-errors.ts';

const REGISTERED: readonly Resource[] = [organizations, agents, connections, keys, templates, webhooks, retention];

for (const resource of REGISTERED) {
  for (const command of resource.commands) {
    if (command.resource !== resource.name)
      throw new Error(`admin CLI: ${command.resource} ${command.name} is registered under ${resource.name}`);
  }
}

/** Resource name → its one-line description. */
export const RESOURCES: Readonly<Record<string, string>> = Object.fromEntries(REGISTERED.map((r) => [r.name, r.description]));

export const COMMANDS: readonly Command[] = REGISTERED.flatMap((r) => r.commands);
