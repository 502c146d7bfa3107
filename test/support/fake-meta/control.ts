// `/_fake/*`: the control API of the standalone fake Meta (`npm run fake-meta`), a thin JSON
// layer over the same handle the tests use.
import type { ServerResponse } from 'node:http';
import type { MetaErrorSpec } from './graph-errors.ts';
import { parseJson, writeJson } from './http.ts';
import type { FakeMeta, FakePhoneNumber, InboundSpec } from './types.ts';

export function handleControl(fake: FakeMeta, method: string, path: readonly string[], raw: Buffer, res: ServerResponse): void {
  const body = (parseJson(raw) ?? {}) as Record<string, unknown>;
  const ok = (value: unknown = { ok: true }) => writeJson(res, 200, value);
  const route = `${method} ${path.join('/')}`;
  try {
    switch (route) {
      case 'GET stats':
        return ok(fake.stats());
      case 'GET requests':
        return ok(fake.requests.slice(-1000));
      case 'GET webhooks':
        return ok(fake.webhooks.slice(-1000).map(({ body: _b, ...rest }) => rest));
      case 'GET accepted':
        return ok(fake.accepted.slice(-1000));
      case 'GET accepted-times':
        // Every recorded accepted send's time (epoch ms), for rates measured from outside.
        return ok(fake.requests.filter((r) => r.outcome === 'accepted').map((r) => r.at.getTime()));
      case 'POST phone-numbers':
        fake.addPhoneNumber(body as unknown as FakePhoneNumber);
        return ok();
      case 'POST templates':
        fake.setTemplates(String(body.wabaId), (body.templates as Record<string, unknown>[]) ?? []);
        return ok();
      case 'POST fail-next':
        fake.failNext(body.error as MetaErrorSpec, Number(body.count ?? 1));
        return ok();
      case 'POST drop-next':
        fake.dropNext({ count: Number(body.count ?? 1), accepted: body.accepted === true });
        return ok();
      case 'POST fail-recipient':
        fake.failRecipient(String(body.to), body.error as MetaErrorSpec, body.count === undefined ? {} : { count: Number(body.count) });
        return ok();
      case 'POST fail-recipient-async':
        fake.failRecipientAsync(
          String(body.to),
          body.error as MetaErrorSpec,
          body.count === undefined ? {} : { count: Number(body.count) },
        );
        return ok();
      case 'POST inbound':
        return ok({ wamid: fake.sendInbound(body as unknown as InboundSpec) });
      case 'POST reset':
        fake.reset();
        return ok();
      default:
        return writeJson(res, 404, { error: `unknown control route ${route}` });
    }
  } catch (error) {
    return writeJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}
