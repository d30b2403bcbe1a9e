/**
 * Masks secret values in what the HTTP client logs: URLs, headers and bodies. Pure functions.
 *
 * @module
 */

/** What a masked value is replaced with. */
export const SECRET_MASK = '[secret]';

/** Headers whose values are always masked, whatever the secrets list holds. */
const ALWAYS_MASKED_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** How much of a body is logged, in characters. */
export const LOGGED_BODY_LIMIT = 2048;

/**
 * Secrets shorter than this are masked only where they stand alone (not inside a longer run of letters
 * and digits), so a short value such as `acme` does not mangle every URL that contains it.
 */
const SHORT_SECRET_LENGTH = 6;

/**
 * Builds a function that replaces every occurrence of each secret in a string with `[secret]`. A secret
 * is also found in its URL-encoded (`%20` and `+` for spaces) and JSON-escaped spellings, since query
 * strings, form and JSON bodies carry it that way. Empty secrets are ignored; longer ones go first.
 */
export function createMasker(secrets: readonly string[]): Masker {
  // A client masks the same few secrets on every request: keep the compiled maskers.
  const key = secrets.join('\u0000');
  const cached = maskers.get(key);
  if (cached !== undefined) return cached;
  const masker = buildMasker(secrets);
  if (maskers.size >= MASKER_CACHE_SIZE) maskers.delete(maskers.keys().next().value as string);
  maskers.set(key, masker);
  return masker;
}

const MASKER_CACHE_SIZE = 64;
const maskers = new Map<string, Masker>();

function buildMasker(secrets: readonly string[]): Masker {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    forms.add(secret);
    const encoded = encodeURIComponent(secret);
    forms.add(encoded);
    forms.add(encoded.replaceAll('%20', '+'));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  if (forms.size === 0) return Object.assign((text: string) => text, { longest: 0 });
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  const alternatives = sorted.map((form) =>
    form.length >= SHORT_SECRET_LENGTH
      ? escapeRegExp(form)
      : `(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`,
  );
  const pattern = new RegExp(alternatives.join('|'), 'g');
  return Object.assign((text: string) => text.replace(pattern, SECRET_MASK), {
    longest: sorted[0]?.length ?? 0,
  });
}

/** Replaces secrets in a string; `longest` is the length of the longest form it looks for. */
export interface Masker {
  (text: string): string;
  readonly longest: number;
}

/** Masks header values: authorization-like headers entirely, the others where they contain a secret. */
export function maskHeaders(
  headers: Readonly<Record<string, string | readonly string[]>>,
  mask: Masker,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (ALWAYS_MASKED_HEADERS.has(name.toLowerCase())) out[name] = SECRET_MASK;
    else out[name] = typeof value === 'string' ? mask(value) : value.map(mask);
  }
  return out;
}

/**
 * Turns a body into loggable text: decoded as UTF-8, masked, then cut to {@link LOGGED_BODY_LIMIT}
 * characters with a note of the full size. Only the start of a large body is decoded, with enough
 * margin that a secret crossing the cut is still masked. `undefined` stays `undefined`.
 */
export function loggableBody(
  body: Uint8Array | string | undefined,
  mask: Masker,
  limit: number = LOGGED_BODY_LIMIT,
): string | undefined {
  if (body === undefined) return undefined;
  const window = limit + mask.longest;
  const isText = typeof body === 'string';
  const size = isText ? body.length : body.byteLength;
  const whole = isText ? size <= window : size <= window * 4;
  const text = isText ? body.slice(0, window) : new TextDecoder().decode(body.subarray(0, window * 4));
  const masked = mask(whole ? text : text.slice(0, window));
  if (whole && masked.length <= limit) return masked;
  return `${masked.slice(0, limit)}... [${size} ${isText ? 'characters' : 'bytes'} in all]`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
