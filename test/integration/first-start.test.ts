/**
 * The first start: demo data on an empty database (domain/demo.ts), once; the key and the curl
 * printed by the real server process (`node --import tsx server/src/main.ts`, what `npm start`
 * runs), and the curl run with bash as pasted. Plus the configuration it depends on.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { ConfigError, loadConfig, repoRoot } from '../../server/src/config.ts';
import { createDatabase, migrateToLatest } from '../../server/src/db/knex.ts';
import { hashApiKey, parseApiKey } from '../../server/src/domain/api-keys/key-format.ts';
import {
  DEMO_AGENT_ID,
  DEMO_EXAMPLES_AT,
  DEMO_FROM,
  DEMO_ORGANIZATION_ID,
  DEMO_SEEDED_AT,
  DEMO_TEMPLATE,
  DEMO_TEMPLATE_META,
  demoCurl,
  demoReminder,
  ensureDemoData,
  type DemoData,
} from '../../server/src/domain/demo.ts';
import { createAgent, createConnection } from '../../server/src/domain/agents.ts';
import { createApiKey } from '../../server/src/domain/api-keys/store.ts';
import { templateFromMeta, upsertTemplate } from '../../server/src/domain/templates.ts';
import { createOrganization } from '../../server/src/domain/organizations.ts';
import { decodeEncryptionKey, loadOrCreateKeyFile, secretBoxFromConfig } from '../../server/src/domain/secrets.ts';
import { silentLogger } from '../../server/src/logger.ts';
import { contractValidator } from '../support/contract.ts';
import { harness, startServer } from '../support/harness.ts';
import { createFreshDatabase, type FreshDatabase } from '../support/postgres.ts';
import { spawnServerProcess } from '../support/processes.ts';

const run = promisify(execFile);

async function freshMigrated(purpose: string): Promise<{ database: FreshDatabase; db: Knex }> {
  const database = await createFreshDatabase(harness.postgres.adminUrl, purpose);
  const db = createDatabase({ connectionString: database.connectionString, poolMax: 4, logger: silentLogger });
  await migrateToLatest(db);
  return { database, db };
}

const MESSAGE_PATH = `/v1/whatsapp/messages/${randomUUID()}`;

/** Every non-empty line of `text` is one JSON object (a log line). */
function expectOnlyJsonLines(text: string): void {
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`stdout has a line that is not JSON: ${line}`);
    }
    expect(parsed).to.be.an('object').with.property('msg');
  }
}

describe('first start: demo data', function () {
  this.timeout(120_000);
  this.slow(3_000);

  describe('ensureDemoData', () => {
    let database: FreshDatabase;
    let db: Knex;
    before(async () => ({ database, db } = await freshMigrated('demo')));
    after(async () => {
      await db?.destroy();
      await database?.drop();
    });

    let demo: DemoData;

    it('creates a Professional organization, an agent, an active sandbox number with the template, and a test key', async () => {
      const outcome = await ensureDemoData(db);
      expect(outcome.kind).to.equal('created');
      if (outcome.kind !== 'created') return;
      demo = outcome.demo;
      expect(await db('organizations').where({ id: demo.organizationId }).first()).to.include({ plan: 'professional' });
      expect(await db('agents').where({ id: demo.agentId }).first()).to.include({ organization_id: demo.organizationId });
      const connection = await db('whatsapp_connections').where({ agent_id: demo.agentId }).first();
      expect(connection).to.include({ phone_number: demo.from, active: true, phone_number_id: null, access_token_encrypted: null });
      expect(parseApiKey(demo.apiKey)?.environment).to.equal('test');
      const key = await db('api_keys')
        .where({ key_hash: hashApiKey(demo.apiKey) })
        .first();
      expect(key).to.include({ id: demo.keyId, organization_id: demo.organizationId, environment: 'test', agent_ids: null });
      expect(key.scopes).to.have.members(['whatsapp:send', 'whatsapp:read', 'webhooks:manage']);
      expect(demo.template).to.deep.equal({ name: 'hello_world', language: 'en_US' });
      const template = await db('templates')
        .where({ connection_id: connection.id, name: DEMO_TEMPLATE.name, language: DEMO_TEMPLATE.language })
        .first();
      expect(template).to.include({ status: 'APPROVED' });
      expect(await db('service_metadata').where({ key: DEMO_SEEDED_AT }).first()).to.be.an('object');
      // The contract's examples: agent, number and templates.
      expect(demo.agentId).to.equal('12345678-1234-1234-1234-123456789012');
      expect(demo.from).to.equal('+15557654321');
      expect(demo.to).to.equal('+15551234567');
      const templates = await db('templates').where({ connection_id: connection.id }).orderBy('name').select('name', 'language', 'status');
      expect(templates).to.deep.equal([
        { name: 'appointment_reminder', language: 'ar', status: 'APPROVED' },
        { name: 'hello_world', language: 'en_US', status: 'APPROVED' },
        { name: 'order_shipped', language: 'en', status: 'APPROVED' },
      ]);
      expect(key.rate_limit_per_minute).to.equal(600);
    });

    it('the key works against a server on that database', async () => {
      const server = await startServer({ db, apiKey: demo.apiKey });
      try {
        const res = await server.api.get(MESSAGE_PATH);
        expect(res.status, res.text).not.to.be.oneOf([401, 403]);
      } finally {
        await server.close();
      }
    });

    it('a second call does nothing, and neither does one after the demo organization is deleted', async () => {
      const again = await ensureDemoData(db);
      expect(again).to.deep.include({ kind: 'seeded-before', organizationId: demo.organizationId });
      await db('organizations').where({ id: demo.organizationId }).delete();
      const afterDelete = await ensureDemoData(db);
      expect(afterDelete).to.deep.include({ kind: 'seeded-before', organizationId: null });
      expect(await db('organizations').count<{ count: string }[]>('* as count')).to.deep.equal([{ count: '0' }]);
    });
  });

  it('a database seeded by an older version gets the example agent, number and templates once', async () => {
    const { database, db } = await freshMigrated('demo');
    try {
      // What an older first start wrote: another agent id and number, hello_world only.
      const organization = await createOrganization(db, { name: 'Demo organization', plan: 'professional', monthlyMessageQuota: 10_000 });
      const oldAgent = await createAgent(db, { organizationId: organization.id, name: 'Demo agent' });
      const oldNumber = await createConnection(db, { agentId: oldAgent.id, phoneNumber: '+15555550100' }, null);
      await upsertTemplate(db, oldNumber.id, templateFromMeta(DEMO_TEMPLATE_META));
      const oldKey = await createApiKey(db, {
        organizationId: organization.id,
        name: 'demo key (first start)',
        environment: 'test',
        scopes: ['whatsapp:send', 'whatsapp:read'],
      });
      await db('service_metadata').insert([
        { key: DEMO_SEEDED_AT, value: '2026-01-01T00:00:00.000Z' },
        { key: DEMO_ORGANIZATION_ID, value: organization.id },
      ]);

      const outcome = await ensureDemoData(db);
      expect(outcome).to.deep.include({ kind: 'seeded-before', organizationId: organization.id });
      if (outcome.kind !== 'seeded-before') return;
      expect(outcome.added).to.deep.equal([
        `agent ${DEMO_AGENT_ID}`,
        `sandbox number ${DEMO_FROM}`,
        'template hello_world (en_US)',
        'template order_shipped (en)',
        'template appointment_reminder (ar)',
      ]);
      expect(demoReminder(outcome)).to.include('Demo data of an older version: added for the documented examples');
      expect(await db('agents').where({ id: DEMO_AGENT_ID }).first()).to.include({ organization_id: organization.id });
      expect(await db('service_metadata').where({ key: DEMO_EXAMPLES_AT }).first()).to.be.an('object');
      // The old data is untouched, and the old key sends the README's template through the new agent.
      expect(await db('whatsapp_connections').where({ id: oldNumber.id }).first()).to.include({
        active: true,
        phone_number: '+15555550100',
      });
      const server = await startServer({ db, apiKey: oldKey.plaintext });
      try {
        const res = await server.api.post('/v1/whatsapp/templates', {
          agent_id: DEMO_AGENT_ID,
          from: DEMO_FROM,
          to: '+15551234567',
          template: {
            name: 'order_shipped',
            language: 'en',
            parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/9001' },
          },
        });
        expect(res.status, res.text).to.equal(202);
      } finally {
        await server.close();
      }

      // Once: a later start adds nothing, even after the example agent was deleted on purpose.
      await db('agents').where({ id: DEMO_AGENT_ID }).delete();
      const again = await ensureDemoData(db);
      expect(again).to.deep.include({ kind: 'seeded-before', added: [] });
      expect(await db('agents').where({ id: DEMO_AGENT_ID }).first()).to.equal(undefined);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });

  it('an older demo whose example agent id belongs to another organization is left as it is', async () => {
    const { database, db } = await freshMigrated('demo');
    try {
      const organization = await createOrganization(db, { name: 'Demo organization', plan: 'professional', monthlyMessageQuota: 10_000 });
      const other = await createOrganization(db, { name: 'Someone else', plan: 'business', monthlyMessageQuota: 1 });
      await createAgent(db, { organizationId: other.id, name: 'Theirs', id: DEMO_AGENT_ID });
      await db('service_metadata').insert([
        { key: DEMO_SEEDED_AT, value: '2026-01-01T00:00:00.000Z' },
        { key: DEMO_ORGANIZATION_ID, value: organization.id },
      ]);
      expect(await ensureDemoData(db)).to.deep.include({ kind: 'seeded-before', added: [] });
      expect(await db('agents').where({ id: DEMO_AGENT_ID }).first()).to.include({ organization_id: other.id });
      expect(await db('whatsapp_connections').where({ phone_number: DEMO_FROM }).first()).to.equal(undefined);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });

  it('does nothing on a database that already has an organization', async () => {
    const { database, db } = await freshMigrated('demo');
    try {
      await createOrganization(db, { name: 'Real customer', plan: 'business', monthlyMessageQuota: 1 });
      expect(await ensureDemoData(db)).to.deep.equal({ kind: 'not-empty' });
      expect(await db('api_keys').count<{ count: string }[]>('* as count')).to.deep.equal([{ count: '0' }]);
    } finally {
      await db.destroy();
      await database.drop();
    }
  });

  it('two processes starting together seed once', async () => {
    const { database, db } = await freshMigrated('demo');
    const other = createDatabase({ connectionString: database.connectionString, poolMax: 2, logger: silentLogger });
    try {
      const outcomes = await Promise.all([ensureDemoData(db), ensureDemoData(other)]);
      expect(outcomes.map((o) => o.kind).sort()).to.deep.equal(['created', 'seeded-before']);
      expect(await db('organizations').count<{ count: string }[]>('* as count')).to.deep.equal([{ count: '1' }]);
    } finally {
      await other.destroy();
      await db.destroy();
      await database.drop();
    }
  });

  it('the curl is valid shell with the key, agent, number and template', () => {
    const curl = demoCurl('http://127.0.0.1:3000', {
      organizationId: randomUUID(),
      agentId: '0a7316c4-df72-4ac5-bac2-8772c5d35230',
      keyId: randomUUID(),
      apiKey: 'mk_test_x',
      from: '+15555550100',
      to: '+15555550199',
      template: DEMO_TEMPLATE,
    });
    expect(curl).to.include("-X POST 'http://127.0.0.1:3000/v1/whatsapp/templates'");
    expect(curl).to.include("-H 'Authorization: Bearer mk_test_x'");
    expect(curl).to.match(/-H 'Idempotency-Key: demo-[0-9a-f]{12}'/);
    expect(curl).to.include(`"agent_id":"0a7316c4-df72-4ac5-bac2-8772c5d35230","from":"+15555550100"`);
    expect(curl).to.include('"template":{"name":"hello_world","language":"en_US"}');
  });

  describe('npm start on an empty database (real process)', () => {
    let database: FreshDatabase;
    before(async () => {
      database = await createFreshDatabase(harness.postgres.adminUrl, 'firststart');
    });
    after(async () => {
      await database?.drop();
    });

    const env = () => ({ DATABASE_URL: database.connectionString, SEED_DEMO: 'true', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });

    it('prints the key once and a curl that gets through authentication and validation as pasted', async () => {
      const server = spawnServerProcess(env());
      try {
        const match = await server.waitFor(/\n(curl [\s\S]*?-d '[^\n]*'\n)/, 60_000, 'stderr');
        // The banner and the key are for the human at the terminal (stderr); stdout holds the
        // JSON log lines alone, without the key.
        const out = server.stderr();
        expectOnlyJsonLines(server.stdout());
        expect(server.stdout()).not.to.match(/mk_test_/);
        const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        expect(listening, out).not.to.equal(null);
        expect(out.indexOf('First start')).to.be.greaterThan(out.indexOf('listening on'));
        const keys = out.match(/mk_test_[0-9A-Za-z]{22}_[0-9a-f]{10}/g) ?? [];
        expect(new Set(keys).size, out).to.equal(1);
        expect(out).to.include('shown only this once');

        const curl = match[1]!.trim();
        expect(curl).to.include(`${listening![1]}/v1/whatsapp/templates`);
        const dir = await mkdtemp(path.join(os.tmpdir(), 'mojeeb-curl-'));
        try {
          // As pasted, plus where to put the status, headers and body.
          const script = `${curl} -o ${dir}/body -D ${dir}/headers -w '%{http_code}'`;
          const { stdout: status } = await run('bash', ['-c', script], { timeout: 20_000 });
          const body = await readFile(path.join(dir, 'body'));
          const headers = new Headers();
          for (const line of (await readFile(path.join(dir, 'headers'), 'utf8')).split('\r\n').slice(1)) {
            const i = line.indexOf(':');
            if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
          }
          const code = Number(status);
          // A documented answer of sendWhatsAppTemplate (validated like every test response)…
          const validated = contractValidator().validate({
            method: 'POST',
            path: '/v1/whatsapp/templates',
            status: code,
            headers,
            bytes: body,
          });
          expect(validated.operationId).to.equal('sendWhatsAppTemplate');
          // …past authentication, permissions and validation: 202 once sending exists (501 before).
          expect(code, body.toString()).not.to.be.oneOf([400, 401, 403, 404, 415, 422, 429]);
          expect(code, body.toString()).to.be.oneOf([202, 501]);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      } finally {
        expect(await server.stop()).to.equal(0);
      }
    });

    it('a later start prints one line about the demo key instead', async () => {
      const server = spawnServerProcess(env());
      try {
        const match = await server.waitFor(/\n(The demo test key was shown at the first start[^\n]*)\n/, 60_000, 'stderr');
        expect(match[1]).to.match(/npm run admin -- key create --org [0-9a-f-]{36} --name "my key" --test$/);
        expect(server.stderr()).to.match(/listening on http:/);
        for (const output of [server.stdout(), server.stderr()]) {
          expect(output).not.to.match(/mk_test_/);
          expect(output).not.to.include('curl');
        }
        expectOnlyJsonLines(server.stdout());
      } finally {
        expect(await server.stop()).to.equal(0);
      }
    });
  });
});

describe('configuration: ENCRYPTION_KEY and SEED_DEMO', () => {
  const key = randomBytes(32).toString('base64');

  it('SEED_DEMO defaults to on with the embedded PostgreSQL and off with DATABASE_URL', () => {
    expect(loadConfig({}).seedDemo).to.equal(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).seedDemo).to.equal(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', SEED_DEMO: 'true' }).seedDemo).to.equal(true);
    expect(loadConfig({ SEED_DEMO: 'FALSE' }).seedDemo).to.equal(false);
    expect(() => loadConfig({ SEED_DEMO: 'yes' })).to.throw(ConfigError, "SEED_DEMO must be 'true' or 'false'");
  });

  it('ENCRYPTION_KEY must be the base64 of exactly 32 bytes, and is never echoed', () => {
    expect(loadConfig({ ENCRYPTION_KEY: key }).encryptionKey?.equals(Buffer.from(key, 'base64'))).to.equal(true);
    expect(loadConfig({ ENCRYPTION_KEY: key.replace(/=$/, '') }).encryptionKey).to.have.length(32);
    for (const bad of [
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      `${key.slice(0, 43)}!`,
      'not base64 at all',
      randomBytes(32).toString('hex'),
    ]) {
      expect(() => loadConfig({ ENCRYPTION_KEY: bad })).to.throw(
        ConfigError,
        'ENCRYPTION_KEY must be the base64 encoding of exactly 32 bytes',
      );
      try {
        loadConfig({ ENCRYPTION_KEY: bad });
      } catch (error) {
        expect((error as Error).message).not.to.include(bad);
      }
    }
    expect(decodeEncryptionKey(` ${key}\n`)?.equals(Buffer.from(key, 'base64'))).to.equal(true);
  });

  it('the key file: beside the embedded data folder only, generated once with mode 0600', async () => {
    expect(loadConfig({}).encryptionKeyFile).to.equal(path.join(repoRoot, '.data/encryption.key'));
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).encryptionKeyFile).to.equal(undefined);
    expect(secretBoxFromConfig(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }))).to.equal(null);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'mojeeb-key-'));
    try {
      const config = loadConfig({ EMBEDDED_PG_DIR: path.join(dir, 'postgres') });
      expect(config.encryptionKeyFile).to.equal(path.join(dir, 'encryption.key'));
      const box = secretBoxFromConfig(config)!;
      const sealed = box.encrypt('EAAG-token');
      const { mode } = statSync(path.join(dir, 'encryption.key'));
      expect(mode & 0o777).to.equal(0o600);
      // The same key on the next start.
      expect(secretBoxFromConfig(loadConfig({ EMBEDDED_PG_DIR: path.join(dir, 'postgres') }))!.decrypt(sealed)).to.equal('EAAG-token');
      expect(loadOrCreateKeyFile(path.join(dir, 'encryption.key'))).to.have.length(32);
      // ENCRYPTION_KEY wins over the file.
      const explicit = secretBoxFromConfig(loadConfig({ EMBEDDED_PG_DIR: path.join(dir, 'postgres'), ENCRYPTION_KEY: key }))!;
      expect(() => explicit.decrypt(sealed)).to.throw();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
