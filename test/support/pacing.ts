/**
 * Pacing as WhatsApp sees it: from the fake Meta's recorded arrival times, the most sends of one
 * number in any sliding one-second span (every span (t − 1 s, t], not only calendar seconds).
 */
import type { FakeMeta } from './fake-meta/index.ts';

/** The most of these times (ms) that fall in any span (t − 1000, t]. */
export function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= 1000) i++;
    busiest = Math.max(busiest, j - i + 1);
  }
  return busiest;
}

/** When each send request of this number (valid token, any outcome) reached the fake Meta, in ms. */
export function sendTimes(fake: FakeMeta, phoneNumberId: string): number[] {
  return fake.requests
    .filter((r) => r.method === 'POST' && r.objectId === phoneNumberId && r.tokenValid && r.url.endsWith('/messages'))
    .map((r) => r.at.getTime());
}

/** The busiest sliding second of a number's sends at the fake Meta. */
export function busiestSecondOf(fake: FakeMeta, phoneNumberId: string): number {
  return busiestSecond(sendTimes(fake, phoneNumberId));
}
