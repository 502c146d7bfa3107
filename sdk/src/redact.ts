// The API key must never appear in anything printable: the client's toString/inspect/JSON, an
// error's message, stack, cause or JSON. The key lives only in a closure of the client; this
// module describes it safely and scrubs it from text that came from elsewhere (a fetch
// implementation's error, an intermediary's body).

/** `mk_live_…` / `mk_test_…` keep their environment, everything else is hidden. */
export function describeKey(apiKey: string): string {
  const match = /^mk_(live|test)_/.exec(apiKey);
  return match ? `${match[0]}[redacted]` : '[redacted]';
}

export type Redactor = (text: string) => string;

export function createRedactor(apiKey: string): Redactor {
  const shown = describeKey(apiKey);
  // Only scrub keys long enough to be unambiguous: an empty or one-character "key" would
  // otherwise mangle every message (such keys are refused by the constructor anyway).
  if (apiKey.length < 8) return (text) => text;
  return (text) => (text.includes(apiKey) ? text.split(apiKey).join(shown) : text);
}

/**
 * A copy of a thrown value that is safe to keep as an error's `cause`: an Error keeps its name,
 * message, stack, `code` and (recursively) cause, each scrubbed; anything else becomes a string.
 */
export function scrubCause(value: unknown, redact: Redactor, depth = 0): unknown {
  if (value === undefined || value === null) return value;
  if (!(value instanceof Error)) {
    let text: string;
    try {
      text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    } catch {
      text = String(value);
    }
    return redact(text);
  }
  const copy = new Error(redact(value.message));
  copy.name = value.name;
  copy.stack = value.stack === undefined ? undefined : redact(value.stack);
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  if (value.cause !== undefined && depth < 4) copy.cause = scrubCause(value.cause, redact, depth + 1);
  return copy;
}
