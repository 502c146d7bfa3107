// Identifiers as Meta writes them: a number's digits and message ids (`wamid.…`).
import { randomBytes } from 'node:crypto';

export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}

// The unique part of wamids: a random prefix per process and a counter (no random bytes per call).
const wamidPrefix = randomBytes(5).toString('hex').toUpperCase();
let wamidCounter = 0;

/** `wamid.` + base64 of a protobuf-like blob carrying the recipient, as Meta's ids look. */
export function makeWamid(toDigits: string): string {
  const digits = Buffer.from(toDigits.slice(0, 20), 'ascii');
  const unique = `${wamidPrefix}${(++wamidCounter).toString(16).toUpperCase().padStart(8, '0')}`;
  const blob = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]),
    Buffer.from(unique, 'ascii'),
    Buffer.from([0x00]),
  ]);
  return `wamid.${blob.toString('base64')}`;
}
