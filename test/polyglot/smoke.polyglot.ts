/**
 * The Python, Go and Java clients that openapi-generator makes from openapi.yaml
 * (generator-config/python.yaml, go.yaml, java.yaml), generated, installed or compiled, and run
 * against a live server: each smoke program sends a template, reads its status with the id the
 * send returned (passed back as is) and gets a typed error for a bad key.
 *
 * "A client generated before a new error code was added must still handle a response carrying
 * that code": the same programs also call through a proxy on loopback that rewrites the real
 * server's answers the way a later API version may (the contract allows it: additive changes):
 * an error code, an error type and an error field that openapi.yaml does not list, and a message
 * with a new field and a `status` and `type` it does not list (`scheduled`, `interactive`; the
 * real server never sends them, the proxy puts them in). The clients, generated from today's
 * document, must deserialise them into their typed models: the response enums are
 * x-extensible-enum, so none of them closes `status` or `type`.
 *
 *   npm run test:polyglot      (mocha --config test/polyglot/mocharc.json; needs Java 11+ and
 *                               Maven, Python 3.10+ with venv, Go 1.23+, and PyPI and Maven
 *                               Central for the first venv and Maven cache)
 */
import { expect } from 'chai';
import { harness } from '../support/harness.ts';
import { startFaultProxy, type FaultProxy } from '../sdk/support.ts';
import { buildGo, buildJava, generateSdks, GO_SMOKE, installPython, JAVA_SMOKE, mustSucceed, run, VENV_PYTHON } from './setup.ts';
import path from 'node:path';
import { repoRoot } from '../support/contract.ts';

const STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'];

/** What a later API version might send, and today's openapi.yaml does not list. */
const FUTURE = {
  code: 'api_key_under_review',
  type: 'compliance_error',
  field: 'review_url',
  value: 'https://mojeeb.app/review/123',
  messageField: 'delivery_estimate',
  messageValue: '2030-01-01T00:00:00Z',
  messageStatus: 'scheduled',
  messageType: 'interactive',
};

interface SmokeOutput {
  language: string;
  sent: { id: string; status: string; type: string };
  read: { id: string; status: string };
  bad_key: {
    status: number;
    type: string;
    code: string;
    message: string;
    correlation_id: string;
    extra: Record<string, unknown>;
    www_authenticate?: string;
  };
  future_error: { status: number; type: string; code: string; extra: Record<string, unknown> };
  future_message: { id: string; status: string; type: string; extra: Record<string, unknown> };
  /** Python and Go: a walk through the conversation's messages, two per page. */
  paging?: {
    conversation_id: string;
    reply_id: string;
    pages: number;
    items: Array<{ id: string; direction: string; model: string }>;
    window: { open: boolean; conversation_id: string };
  };
}

describe('generated clients (Python, Go, Java) against a live server', function () {
  this.timeout(600_000);
  let future: FaultProxy;
  let javaClasspath = '';
  const timings: string[] = [];
  const outputs = new Map<string, SmokeOutput>();

  before(async function () {
    this.timeout(900_000);
    const generated = await generateSdks();
    timings.push(`generate ${generated.ms} ms`);
    // In parallel: independent, and mostly waiting on pip, the Go compiler and Maven.
    const [python, go, java] = await Promise.all([installPython(), buildGo(), buildJava()]);
    javaClasspath = java.classpath;
    timings.push(python.venv ? `python venv ${python.venv.ms} ms` : 'python venv cached');
    timings.push(`pip install generated ${python.install.ms} ms`, `go build ${go.ms} ms`, `mvn compile ${java.ms} ms`);

    future = await startFaultProxy(harness.server.baseUrl, () => ({
      kind: 'forward-and-rewrite',
      rewrite: (response) => {
        const body = JSON.parse(response.body.toString('utf8')) as Record<string, any>;
        if (body.error) {
          body.error.code = FUTURE.code;
          body.error.type = FUTURE.type;
          body.error[FUTURE.field] = FUTURE.value;
        } else {
          body[FUTURE.messageField] = FUTURE.messageValue;
          body.status = FUTURE.messageStatus;
          body.type = FUTURE.messageType;
        }
        return { ...response, body: Buffer.from(JSON.stringify(body)) };
      },
    }));
  });

  after(async () => {
    await future?.close();
    console.log(`      (${timings.join(', ')})`);
  });

  const smokeEnv = (): NodeJS.ProcessEnv => {
    const f = harness.fixture;
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MOJEEB_BASE_URL: harness.server.baseUrl,
      MOJEEB_FUTURE_BASE_URL: future.baseUrl,
      MOJEEB_API_KEY: f.apiKey,
      MOJEEB_AGENT_ID: f.agentId,
      MOJEEB_FROM: f.from,
      MOJEEB_TO: f.to,
    };
  };

  const languages: Array<[string, () => [string, string[]]]> = [
    ['python', () => [VENV_PYTHON, [path.join(repoRoot, 'test/polyglot/python/smoke.py')]]],
    ['go', () => [GO_SMOKE, []]],
    ['java', () => ['java', ['-cp', javaClasspath, JAVA_SMOKE]]],
  ];
  /** The Java models drop fields they do not declare (the generated ObjectMapper ignores them). */
  const keepsUnknownFields = (language: string) => language !== 'java';

  for (const [language, command] of languages) {
    describe(language, () => {
      before(async () => {
        const [bin, args] = command();
        const result = mustSucceed(await run(bin, args, { env: smokeEnv(), timeoutMs: 60_000 }), `${language} smoke`);
        timings.push(`${language} smoke ${result.ms} ms`);
        outputs.set(language, JSON.parse(result.stdout.trim().split('\n').at(-1)!) as SmokeOutput);
      });

      it('sends a template and reads its status', async () => {
        const out = outputs.get(language)!;
        expect(out.sent).to.include({ status: 'queued', type: 'template' });
        expect(out.read).to.include({ id: out.sent.id });
        expect(out.read.status).to.be.oneOf(STATUSES); // delivery, once it runs, may have moved it on
        const stored = await harness.db('messages').where({ id: out.sent.id }).first('to_number', 'type');
        expect(stored).to.deep.equal({ to_number: harness.fixture.to, type: 'template' });
      });

      it('gets a typed error (the ErrorResponse model) for a bad key', () => {
        const out = outputs.get(language)!;
        expect(out.bad_key).to.include({ status: 401, type: 'authentication_error', code: 'invalid_api_key' });
        expect(out.bad_key.correlation_id).to.match(/^req_/);
        expect(out.bad_key.message).to.be.a('string').and.not.be.empty;
        // Reported by the Java program, which sees the response headers of an ApiException.
        if (out.bad_key.www_authenticate !== undefined)
          expect(out.bad_key.www_authenticate).to.equal('Bearer realm="mojeeb", error="invalid_token"');
      });

      it('handles an error code, type and field added after it was generated', () => {
        const out = outputs.get(language)!;
        expect(out.future_error).to.include({ status: 401, code: FUTURE.code, type: FUTURE.type });
        if (keepsUnknownFields(language)) expect(out.future_error.extra).to.deep.equal({ [FUTURE.field]: FUTURE.value });
      });

      it('decodes a message with a field, a status and a type added after it was generated', () => {
        const out = outputs.get(language)!;
        expect(out.future_message).to.include({ id: out.sent.id, status: FUTURE.messageStatus, type: FUTURE.messageType });
        if (keepsUnknownFields(language)) expect(out.future_message.extra).to.deep.equal({ [FUTURE.messageField]: FUTURE.messageValue });
      });

      if (language !== 'java') {
        it('lists the conversation page by page: every message once, newest first, each as its typed model', async () => {
          const paging = outputs.get(language)!.paging!;
          // What the server holds for the key's environment in that conversation, up to the reply
          // (programs that ran later only added newer messages).
          const reply = await harness.db('messages').where({ id: paging.reply_id }).first('created_at');
          const rows = await harness.db.raw<{ rows: Array<{ id: string; direction: string }> }>(
            `SELECT id, direction FROM (
               SELECT id, 'outbound' AS direction, created_at FROM messages WHERE conversation_id = ? AND environment = 'test' AND created_at <= ?
               UNION ALL SELECT id, 'inbound', created_at FROM inbound_messages WHERE conversation_id = ? AND environment = 'test' AND created_at <= ?
             ) u ORDER BY created_at DESC, id DESC`,
            [paging.conversation_id, reply.created_at, paging.conversation_id, reply.created_at],
          );
          const walked = paging.items.filter((item) => rows.rows.some((r) => r.id === item.id));
          expect(walked.map((i) => `${i.direction}:${i.id}`)).to.deep.equal(rows.rows.map((r) => `${r.direction}:${r.id}`));
          expect(new Set(paging.items.map((i) => i.id)).size).to.equal(paging.items.length);
          expect(paging.items[0]).to.include({ id: paging.reply_id, direction: 'outbound', model: 'Message' });
          expect(paging.items[1]).to.include({ direction: 'inbound', model: 'InboundMessage' });
          expect(paging.pages).to.equal(Math.ceil(paging.items.length / 2));
          expect(paging.pages).to.be.greaterThan(1);
          expect(paging.window).to.deep.equal({ open: true, conversation_id: paging.conversation_id });
        });
      }

      it('passes back the id it received, as the same type', () => {
        const out = outputs.get(language)!;
        expect(out.sent.id)
          .to.be.a('string')
          .and.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(out.read.id).to.equal(out.sent.id);
      });
    });
  }
});
