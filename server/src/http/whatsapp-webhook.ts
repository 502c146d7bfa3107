/**
 * Meta's webhook endpoint, `/webhooks/whatsapp` (not part of the public API, so not in
 * openapi.yaml): `GET` answers Meta's subscription check (`hub.mode=subscribe`,
 * `hub.verify_token`, echo `hub.challenge`); `POST` is accepted only with a valid
 * `X-Hub-Signature-256` (HMAC-SHA256 of the exact bytes with the app secret, compared in
 * constant time), then processed and acknowledged. A processing failure answers 500 so that Meta
 * delivers again; redeliveries are harmless (everything is deduplicated).
 */
import { timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Knex } from 'knex';
import { handleWebhookEvents } from '../delivery/webhook-events.ts';
import { verifyWebhookSignature } from '../whatsapp/signature.ts';
import { parseWebhookBody } from '../whatsapp/webhook-payload.ts';
import { jsonBody } from './body.ts';
import type { AppState } from './context.ts';

export const WEBHOOK_PATH = '/webhooks/whatsapp';
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookOptions {
  readonly appSecret: string;
  readonly verifyToken: string;
  readonly db: Knex;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function registerWhatsAppWebhook(router: Router<AppState>, options: WebhookOptions): void {
  router.register(
    WEBHOOK_PATH,
    ['GET'],
    [
      async (ctx) => {
        const q = ctx.query;
        const ok =
          q['hub.mode'] === 'subscribe' &&
          typeof q['hub.verify_token'] === 'string' &&
          sameText(q['hub.verify_token'], options.verifyToken);
        if (ok && typeof q['hub.challenge'] === 'string') {
          ctx.status = 200;
          ctx.type = 'text/plain';
          ctx.body = q['hub.challenge'];
          return;
        }
        ctx.state.logger.warn('webhook verification refused');
        ctx.status = 403;
        ctx.type = 'text/plain';
        ctx.body = 'verification failed';
      },
    ],
  );
  router.register(
    WEBHOOK_PATH,
    ['POST'],
    [
      jsonBody(MAX_WEBHOOK_BYTES),
      async (ctx) => {
        if (!verifyWebhookSignature(ctx.state.rawBody!, ctx.req.headers['x-hub-signature-256'], options.appSecret)) {
          ctx.state.logger.warn('webhook with an invalid signature refused');
          ctx.status = 401;
          ctx.type = 'text/plain';
          ctx.body = 'invalid signature';
          return;
        }
        const parsed = parseWebhookBody(ctx.state.rawBody!);
        if (parsed.problems.length > 0) ctx.state.logger.warn('webhook parts skipped', { problems: parsed.problems.slice(0, 10) });
        const tally = await handleWebhookEvents(options.db, parsed.events, ctx.state.logger);
        ctx.state.logger.info('webhook processed', { ...tally });
        ctx.status = 200;
        ctx.type = 'text/plain';
        ctx.body = 'ok';
      },
    ],
  );
}
