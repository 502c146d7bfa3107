/**
 * `npm run admin -- template …`: registering a number's templates from Meta's JSON, and the API
 * honouring them at once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { EXAMPLE_TEMPLATES } from '../support/fixtures.ts';
import { harness } from '../support/harness.ts';
import { newTenant, randomE164 } from '../support/tenants.ts';
import { admin } from './admin-cli-support.ts';

describe('admin CLI: templates (integration, real process)', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mojeeb-templates-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('registers templates from Meta’s JSON, lists them, and the API accepts a send at once', async () => {
    const tenant = await newTenant(harness.db);
    const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    const file = path.join(dir, 'templates.json');
    await writeFile(file, JSON.stringify({ data: EXAMPLE_TEMPLATES }));
    const registered = await admin(['template', 'register', '--connection', connection.id, '--file', file, '--json']);
    expect(registered.code, registered.stderr).to.equal(0);
    expect(registered.json().map((t: { name: string }) => t.name)).to.deep.equal(['order_shipped', 'appointment_reminder']);

    const listed = await admin(['template', 'list', '--connection', connection.id]);
    expect(listed.code).to.equal(0);
    expect(listed.stdout).to.include('order_shipped (en) APPROVED: named parameters customer_name, tracking_url');
    expect(listed.stdout).to.include(
      'appointment_reminder (ar) APPROVED: positional parameters 1, 2, image header, dynamic buttons url@0 quick_reply@1',
    );

    const { plaintext } = await tenant.key();
    const sent = await harness.server.anonymous.withKey(plaintext).post('/v1/whatsapp/templates', {
      agent_id: tenant.agent.id,
      from: tenant.from,
      to: randomE164(),
      template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://t.example' } },
    });
    expect(sent.status, sent.text).to.equal(202);
  });

  it('refuses a malformed definition with exit 2 and writes nothing', async () => {
    const tenant = await newTenant(harness.db);
    const connection = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id }).first('id');
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify([EXAMPLE_TEMPLATES[0], { name: 'Bad-Name', language: 'en', status: 'APPROVED' }]));
    const run = await admin(['template', 'register', '--connection', connection.id, '--file', file]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/template 2: name/);
    expect(await harness.db('templates').where({ connection_id: connection.id }).count('id as n').first()).to.deep.equal({ n: '0' });
  });
});

describe('admin CLI: template sync from Meta (integration, real process, fake Meta)', function () {
  this.timeout(60_000);

  it('stores the templates the WABA lists at Meta, and says what it skipped', async () => {
    const { randomBytes } = await import('node:crypto');
    const { startFakeMeta } = await import('../support/fake-meta/index.ts');
    const { createConnection } = await import('../../server/src/domain/agents.ts');
    const { SecretBox } = await import('../../server/src/domain/secrets.ts');
    const key = randomBytes(32);
    const phoneNumberId = String(300_000_000_000_000 + Math.floor(Math.random() * 1e12));
    const accessToken = `EAAG${randomBytes(16).toString('hex')}`;
    const wabaId = String(400_000_000_000 + Math.floor(Math.random() * 1e9));
    const fake = await startFakeMeta({ phoneNumbers: [{ phoneNumberId, accessToken, wabaId }] });
    try {
      fake.setTemplates(wabaId, [...EXAMPLE_TEMPLATES, { name: 'Not-Valid', language: 'en', status: 'APPROVED', components: [] }]);
      const tenant = await newTenant(harness.db);
      const connection = await createConnection(
        harness.db,
        { agentId: tenant.agent.id, phoneNumber: randomE164(), phoneNumberId, accessToken, wabaId },
        new SecretBox(key),
      );
      const run = await admin(['template', 'sync', '--connection', connection.id], {
        env: { META_GRAPH_BASE_URL: fake.url, ENCRYPTION_KEY: key.toString('base64') },
      });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.include('Synced 2 template(s) from Meta');
      expect(run.stdout).to.include('skipped Not-Valid');
      expect(await harness.db('templates').where({ connection_id: connection.id }).orderBy('name').pluck('name')).to.deep.equal([
        'appointment_reminder',
        'order_shipped',
      ]);
      expect(fake.invalidRequests()).to.deep.equal([]);

      const sandbox = await harness.db('whatsapp_connections').where({ agent_id: tenant.agent.id, phone_number: tenant.from }).first('id');
      const refused = await admin(['template', 'sync', '--connection', sandbox.id]);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.include('template register');
    } finally {
      await fake.stop();
    }
  });
});
