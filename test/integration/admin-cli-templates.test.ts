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
import { runAdmin } from './processes.ts';

describe('admin CLI: templates (integration, real process)', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mojeeb-templates-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const admin = (args: string[]) => runAdmin(args, { env: { DATABASE_URL: harness.database.connectionString } });

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
    expect(listed.stdout).to.include('appointment_reminder (ar) APPROVED: positional parameters 1, 2, image header, dynamic buttons url@0 quick_reply@1');

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
