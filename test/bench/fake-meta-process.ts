/**
 * The fake Meta as a process of its own (`npm run fake-meta`'s entry point), for the worker
 * benchmarks: its work — validating every send against Meta's document and our schema, and
 * recording it — runs beside the measured worker instead of on the worker's thread, as Meta's
 * own would. Figures come from its control API (`/_fake/stats`, `/_fake/accepted-times`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeMetaStats } from '../support/fake-meta/index.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(HERE, '..', 'support', 'fake-meta', 'main.ts');

export interface FakeMetaProcess {
  readonly url: string;
  readonly pid: number;
  stats(): Promise<FakeMetaStats>;
  /** The time (epoch ms) of every send it accepted. */
  acceptedTimes(): Promise<number[]>;
  stop(): Promise<void>;
}

export interface FakeMetaProcessOptions {
  readonly phoneNumbers: ReadonlyArray<{ phoneNumberId: string; accessToken: string }>;
  /** Where it posts its signed status webhooks (none without). */
  readonly webhook?: { readonly callbackUrl: string; readonly appSecret: string };
  readonly maxWebhooks?: number;
  /** Statuses per webhook POST (Meta batches them) and POSTs in flight; 1 and 1 by default. */
  readonly webhookBatchSize?: number;
  readonly webhookConcurrency?: number;
}

export async function startFakeMetaProcess(options: FakeMetaProcessOptions): Promise<FakeMetaProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      FAKE_META_PHONE_NUMBERS: options.phoneNumbers.map((n) => `${n.phoneNumberId}:${n.accessToken}`).join(','),
      FAKE_META_MAX_WEBHOOKS: String(options.maxWebhooks ?? 1),
      FAKE_META_BATCH_SIZE: String(options.webhookBatchSize ?? 1),
      FAKE_META_WEBHOOK_CONCURRENCY: String(options.webhookConcurrency ?? 1),
      ...(options.webhook ? { FAKE_META_CALLBACK_URL: options.webhook.callbackUrl, FAKE_META_APP_SECRET: options.webhook.appSecret } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake Meta process did not start within 60 s')), 60_000);
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{"fakeMeta"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { fakeMeta: string }).fakeMeta);
      }
    });
    child.once('exit', (code) => reject(new Error(`the fake Meta process exited (${code}) before listening`)));
  });
  const get = async <T>(route: string): Promise<T> => {
    const res = await fetch(`${url}/_fake/${route}`);
    if (!res.ok) throw new Error(`fake Meta ${route}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  return {
    url,
    pid: child.pid!,
    stats: () => get<FakeMetaStats>('stats'),
    acceptedTimes: () => get<number[]>('accepted-times'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
