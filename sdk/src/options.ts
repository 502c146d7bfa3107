/** Checks of the options of createMojeebClient: clear errors, and never a secret echoed back. */
import { MojeebConfigurationError } from './errors.js';
import { describeKey, type Redactor } from './redact.js';

export function integerOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new MojeebConfigurationError(
      `${name} must be an integer from ${min} to ${max}, got ${typeof value === 'number' ? value : typeof value}`,
    );
  }
  return value;
}

export function checkApiKey(apiKey: unknown): string {
  if (typeof apiKey !== 'string' || apiKey.length === 0) {
    throw new MojeebConfigurationError('apiKey is required: pass the API key (mk_live_… or mk_test_…) as a string, or set MOJEEB_API_KEY');
  }
  // Never echo the value: it is a secret, even when it is wrong.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new MojeebConfigurationError(`apiKey (${describeKey(apiKey)}) contains whitespace or characters that cannot be sent in a header`);
  }
  return apiKey;
}

export function checkBaseUrl(baseUrl: string, redact: Redactor): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new MojeebConfigurationError(`baseUrl is not an absolute URL: ${redact(String(baseUrl))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new MojeebConfigurationError(`baseUrl must be http(s), got ${url.protocol}`);
  if (url.username || url.password) throw new MojeebConfigurationError('baseUrl must not contain credentials');
  return url.href.replace(/\/+$/, '');
}

/** `process.env` where there is one (Node.js, Deno, Bun), without depending on Node.js types. */
export function environmentVariable(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = typeof env === 'object' && env !== null ? env[name] : undefined;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function checkKnownOptions(options: object, KNOWN_OPTIONS: readonly string[]): void {
  const known = new Set<string>(KNOWN_OPTIONS);
  for (const name of Object.keys(options)) {
    if (known.has(name)) continue;
    const near = KNOWN_OPTIONS.find((k) => k.toLowerCase() === name.toLowerCase());
    throw new TypeError(
      `createMojeebClient: unknown option '${name}'${near ? ` (did you mean '${near}'?)` : ''}; the options are ${KNOWN_OPTIONS.join(', ')}`,
    );
  }
}

export function checkHook<T>(name: string, value: ((info: T) => void) | undefined): ((info: T) => void) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new MojeebConfigurationError(`${name} must be a function, got ${typeof value}`);
  return value;
}
