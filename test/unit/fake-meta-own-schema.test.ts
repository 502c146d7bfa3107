/**
 * Our own schema of the Cloud API (test/support/fake-meta/cloud-api.schema.yaml): it accepts
 * the traffic samples and what the fake Meta itself emits, and it refuses unknown fields and
 * wrong shapes — so the fake's checks cannot pass vacuously, with or without Meta's document.
 * (Agreement with Meta's document: test/unit/whatsapp-meta-document.test.ts.)
 */
import { expect } from 'chai';
import { graphError, webhookError } from '../support/fake-meta/graph-errors.ts';
import { metaDocumentAvailable } from '../support/fake-meta/meta-document.ts';
import { ownValidator } from '../support/fake-meta/own-schema.ts';
import { BOTH_REJECT, OWN_REJECTS } from '../support/fake-meta/traffic-refusals.ts';
import { SAMPLES } from '../support/fake-meta/traffic.ts';
import { combine, fakeMetaValidator } from '../support/fake-meta/validators.ts';
import { envelope } from '../support/fake-meta/webhooks.ts';
import { makeWamid } from '../support/fake-meta/server.ts';

describe("the fake Meta's own schema of the Cloud API", () => {
  const own = ownValidator();

  describe('accepts the traffic samples', () => {
    for (const sample of SAMPLES) {
      it(`${sample.kind.replace('validate', '')}: ${sample.name}`, () => {
        expect(own[sample.kind](sample.value)).to.deep.equal({ valid: true, errors: [] });
      });
    }
  });

  describe('refuses, with an error that names the problem', () => {
    for (const refusal of [...BOTH_REJECT, ...OWN_REJECTS]) {
      it(`${refusal.kind.replace('validate', '')}: ${refusal.name}`, () => {
        const result = own[refusal.kind](refusal.value);
        expect(result.valid).to.equal(false);
        expect(result.errors.join('\n')).to.match(refusal.error);
        expect(result.errors.length).to.be.within(1, 20);
      });
    }
  });

  it('accepts what the fake Meta emits: status and inbound webhooks, Graph errors', () => {
    const number = { wabaId: '419561257915477', phoneNumberId: '106540352242922', displayPhoneNumber: '15557654321' };
    const wamid = makeWamid('15551234567');
    const payload = envelope([
      {
        kind: 'status',
        ...number,
        status: {
          id: wamid,
          status: 'sent',
          timestamp: '1750000000',
          recipient_id: '15551234567',
          biz_opaque_callback_data: 'm-1',
          pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
        },
      },
      {
        kind: 'status',
        ...number,
        status: {
          id: wamid,
          status: 'failed',
          timestamp: '1750000001',
          recipient_id: '15551234567',
          errors: [webhookError({ code: 131026 })],
        },
      },
      {
        kind: 'inbound',
        ...number,
        message: {
          context: { from: number.displayPhoneNumber, id: wamid },
          from: '15551234567',
          id: makeWamid('15551234567'),
          timestamp: '1750000002',
          type: 'text',
          text: { body: 'مرحبا' },
        },
        contact: { profile: { name: 'Sara' }, wa_id: '15551234567' },
      },
    ]);
    expect(own.validateWebhookPayload(payload)).to.deep.equal({ valid: true, errors: [] });
    for (const spec of [
      { code: 131047 },
      { code: 190, details: 'Invalid OAuth access token' },
      { code: 100, subcode: 33, type: 'GraphMethodException' },
      { code: 130429, isTransient: true },
    ]) {
      expect(own.validateGraphError(graphError(spec).body), JSON.stringify(spec)).to.deep.equal({ valid: true, errors: [] });
    }
  });

  it("the fake validates against our schema always, and against Meta's document when it is available", () => {
    const validator = fakeMetaValidator();
    expect(validator.sources[0]).to.equal('own schema');
    expect(validator.sources).to.deep.equal(metaDocumentAvailable() ? ['own schema', "Meta's document"] : ['own schema']);
    const result = validator.validateSendBody(OWN_REJECTS[0]!.value);
    expect(result.valid).to.equal(false);
    expect(result.errors[0]).to.match(/^own schema: .*namespace/);
  });

  it('combined: valid only when every schema accepts; each error line says which schema refused', () => {
    const refuses = { ...own, validateSendBody: () => ({ valid: false, errors: ['/x: no'] }) };
    const both = combine([
      ['own schema', own],
      ["Meta's document", refuses],
    ]);
    expect(both.validateSendBody(SAMPLES[0]!.value)).to.deep.equal({ valid: false, errors: ["Meta's document: /x: no"] });
    expect(both.validateSendResponse(SAMPLES.find((s) => s.kind === 'validateSendResponse')!.value).valid).to.equal(true);
  });
});
