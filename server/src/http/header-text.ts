/**
 * The text of a request header as the client meant it. Node's HTTP parser reads header values
 * byte by byte (ISO-8859-1), so a UTF-8 `Idempotency-Key` of 200 Cyrillic letters arrives as
 * 400 "characters". Here the bytes are decoded as UTF-8 when they are valid UTF-8 (ASCII is),
 * and kept as ISO-8859-1 otherwise; lengths in the contract (e.g. `maxLength: 255`) are then
 * counted in Unicode code points, as JSON Schema counts them. Used for validation only: the
 * handler still receives the header as Node read it, so the stored form of an Idempotency-Key
 * (and so the match of a retry with an earlier request) is what it always was.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function headerText(raw: string | readonly string[] | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? raw : raw.join(', ');
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
