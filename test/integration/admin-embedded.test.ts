/**
 * The admin CLI without DATABASE_URL: the embedded PostgreSQL of `npm start`, started for the
 * command and stopped after it, or used as is when it already runs; never a second postmaster
 * on one data folder. Also the generated access-token key beside the data folder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { SecretBox } from '../../server/src/domain/secrets.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { harness } from '../support/harness.ts';
import { freePort } from '../support/postgres.ts';
import { runAdmin, type AdminRun } from '../support/processes.ts';

describe('admin CLI on the embedded PostgreSQL (real processes)', function () {
  this.timeout(180_000);
  this.slow(10_000);

  let dir: string;
  let dataDir: string;
  let port: number;
  let running: EmbeddedPostgres | undefined;

  const admin = (args: string[], env: Record<string, string> = {}): Promise<AdminRun> =>
    runAdmin(args, { env: { EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(port), ...env }, timeoutMs: 90_000 });

  async function ok(args: string[], env?: Record<string, string>): Promise<AdminRun> {
    const result = await admin(args, env);
    expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).to.equal(0);
    expect(result.stderr).to.equal('');
    return result;
  }

  async function query<T>(sql: string, atPort = port): Promise<T[]> {
    const client = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${atPort}/postgres` });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mojeeb-admin-pg-'));
    await chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must traverse it
    dataDir = path.join(dir, 'postgres');
    port = await freePort();
  });

  after(async () => {
    await running?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  let orgId: string;

  it('initialises and starts it for the command, then stops it', async () => {
    orgId = (await ok(['org', 'create', '--name', 'Local', '--json'])).json().id;
    expect(existsSync(path.join(dataDir, 'PG_VERSION'))).to.equal(true);
    expect(existsSync(path.join(dataDir, 'postmaster.pid')), 'stopped after the command').to.equal(false);
    expect(existsSync(path.join(dir, 'encryption.key')), 'no key file without a token to store').to.equal(false);
    const listed = (await ok(['org', 'list', '--json'])).json();
    expect(listed.map((o: { id: string }) => o.id)).to.deep.equal([orgId]);
  });

  it('stores an access token with a key generated once beside the data folder (mode 0600)', async () => {
    const agentId = (await ok(['agent', 'create', '--org', orgId, '--name', 'A', '--json'])).json().id;
    const token = `EAAG${randomBytes(40).toString('base64url')}`;
    const connection = (
      await ok(
        [
          'connection',
          'create',
          '--agent',
          agentId,
          '--phone',
          '+15550001111',
          '--phone-number-id',
          '1234567890',
          '--access-token-env',
          'TOKEN',
          '--json',
        ],
        { TOKEN: token },
      )
    ).json();
    const keyFile = path.join(dir, 'encryption.key');
    expect(statSync(keyFile).mode & 0o777).to.equal(0o600);
    running = await startEmbeddedPostgres({ dataDir, port, logger: silentLogger });
    const [row] = await query<{ access_token_encrypted: string }>(
      `SELECT access_token_encrypted FROM whatsapp_connections WHERE id = '${connection.id}'`,
    );
    expect(row!.access_token_encrypted).not.to.include(token);
    expect(SecretBox.fromBase64(readFileSync(keyFile, 'utf8').trim()).decrypt(row!.access_token_encrypted)).to.equal(token);
  });

  it('uses the one already running (a running npm start) and leaves it running', async () => {
    expect(running, 'started by the previous test').not.to.equal(undefined);
    const listed = (await ok(['org', 'list', '--json'])).json();
    expect(listed).to.have.length(1);
    expect(await query<{ one: number }>('SELECT 1 AS one')).to.deep.equal([{ one: 1 }]);
    await running!.stop();
    running = undefined;
  });

  it('refuses when the data folder is in use by a PostgreSQL on another port', async () => {
    const otherPort = await freePort();
    running = await startEmbeddedPostgres({ dataDir, port: otherPort, logger: silentLogger });
    try {
      const refused = await admin(['org', 'list']);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.equal(
        `error: the embedded PostgreSQL of ${dataDir} is already running (pid ${refused.stderr.match(/pid (\d+)/)?.[1]}) on port ${otherPort}, not ${port}: set EMBEDDED_PG_PORT=${otherPort}\n`,
      );
      expect(await query<{ one: number }>('SELECT 1 AS one', otherPort)).to.have.length(1); // untouched
    } finally {
      await running.stop();
      running = undefined;
    }
  });

  it('refuses a PostgreSQL on the port that serves another data folder (or is not ours)', async function () {
    const url = new URL(harness.postgres.adminUrl);
    if (!['127.0.0.1', 'localhost'].includes(url.hostname)) this.skip(); // the run's PostgreSQL is not on loopback
    const harnessPort = Number(url.port || 5432);
    const refused = await runAdmin(['org', 'list'], { env: { EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: String(harnessPort) } });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(
      /^error: (the PostgreSQL on 127\.0\.0\.1:\d+ serves the data folder .*, not .*|something on 127\.0\.0\.1:\d+ is not the embedded PostgreSQL of npm start .*)\n$/,
    );
  });
});
