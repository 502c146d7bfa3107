/**
 * What every admin command is: its flags, its two steps and its output. Each command first
 * checks everything that can be checked without the database (`prepare`: flags, formats, the
 * access token's source, the encryption key), and only then gets a database and runs; what it
 * writes is one statement or one transaction, after the lookups that can refuse it
 * (organization or agent not found, number already active…).
 */
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import type { Scope } from '../../domain/api-keys/scopes.ts';
import type { Plan } from '../../domain/plans.ts';
import { UsageError } from '../input.ts';

export const DEFAULTS = { plan: 'professional' as Plan, quota: 10_000, scopes: ['whatsapp:send'] as Scope[], mps: 80 } as const;

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** Shown in help as `--flag <value>`. */
  readonly value?: string;
  readonly help: string;
}

export interface Args {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export interface CommandContext {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  /** Reads the access token for --access-token-stdin. */
  readStdin(): Promise<string>;
  readonly now: Date;
}

export interface Output {
  readonly human: string;
  readonly json: unknown;
}

export type Action = (db: Knex) => Promise<Output>;

export interface Command {
  readonly resource: string;
  readonly name: string;
  readonly summary: string;
  /** The arguments after `<resource> <command>`, as in the usage line. */
  readonly synopsis: string;
  readonly positionals: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly notes?: readonly string[];
  prepare(args: Args, ctx: CommandContext): Promise<Action>;
}

/** One resource of the CLI (`npm run admin -- <resource> <command>`) and its commands. */
export interface Resource {
  readonly name: string;
  /** One line in `--help`. */
  readonly description: string;
  readonly commands: readonly Command[];
}

export function str(args: Args, flag: string): string | undefined {
  const v = args.values[flag];
  return typeof v === 'string' ? v : undefined;
}

export function bool(args: Args, flag: string): boolean {
  return args.values[flag] === true;
}

export function required(args: Args, command: Command, flag: string): string {
  const v = str(args, flag);
  if (v === undefined) throw new UsageError(`--${flag} is required (${usageHint(command)})`);
  return v;
}

export function usageHint(command: Pick<Command, 'resource' | 'name'>): string {
  return `see: npm run admin -- ${command.resource} ${command.name} --help`;
}
