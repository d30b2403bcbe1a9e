/**
 * The pattern that finds secrets in text for the redactor: each secret value in any mix of the spellings
 * URLs and JSON texts give it, and the credentials the engine issues by their shape. Compiled once per
 * list of secrets (runs of one workspace share it).
 *
 * @internal
 * @module
 */

/** Secrets shorter than this are only redacted where they stand alone, so `acme` does not mangle text. */
const SHORT_SECRET = 6;

/**
 * Credentials the engine issues, redacted by their shape whoever they belong to: run tokens
 * (`rt_<payload>.<signature>`, `secrets/run-token.ts`) and API keys (`sk_<32 bytes>`, `api/auth.ts`).
 * Their characters need no escaping in URLs or JSON, so one spelling is enough.
 */
const CREDENTIAL_SHAPES = [
  { source: String.raw`rt_(?<![A-Za-z0-9_-]rt_)[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{43}`, reach: 4143 },
  { source: 'sk_(?<![A-Za-z0-9_-]sk_)[A-Za-z0-9_-]{43}', reach: 46 },
];

/** The shortest text a credential shape matches: `sk_` and 43 characters (a run token is at least 48). */
const SHORTEST_CREDENTIAL = 46;

/** A whole value of one of {@link CREDENTIAL_SHAPES}: the shapes already find it, in any text. */
const ISSUED_CREDENTIAL = new RegExp(`^(?:${CREDENTIAL_SHAPES.map((shape) => shape.source).join('|')})$`);

/**
 * Whether `text` may hold an encoded spelling: it needs a percent escape, a JSON escape, or `+` for a
 * space. Three `indexOf` scans, each many times faster than one regex class over a large text.
 */
function mayBeEncoded(text: string): boolean {
  return text.includes('%') || text.includes('\\') || text.includes('+');
}

/** Finds the secrets of one list in text. */
export interface SecretPattern {
  /** `text` with every secret (in any spelling) and every credential replaced by `by`. */
  replace(text: string, by: string): string;
  /** Whether {@link replace} would find a secret or a credential in `text` (it changes nothing otherwise). */
  test(text: string): boolean;
  /** The longest text one match can span, in UTF-16 units. */
  readonly reach: number;
}

/** Compiled patterns by secret list: runs of one user share their pattern instead of compiling it per run. */
const patterns = new Map<string, SecretPattern>();
const PATTERN_CACHE_SIZE = 64;

/**
 * The pattern of `values` (non-empty strings), compiled or from the cache. Credentials the engine
 * issued (a run's token) are left to their shape: a run's list is then its workspace's, and its
 * pattern is shared instead of compiled for every run.
 */
export function secretPattern(values: readonly string[]): SecretPattern {
  const own = withoutIssuedCredentials(values);
  const key = JSON.stringify(own);
  const cached = patterns.get(key);
  if (cached !== undefined) return cached;
  const compiled = compile(own);
  if (patterns.size >= PATTERN_CACHE_SIZE) patterns.delete(patterns.keys().next().value as string);
  patterns.set(key, compiled);
  return compiled;
}

/**
 * `values` without the credentials the engine issued (run tokens, API keys): their shape matches them
 * whatever the list, so a pattern (and a redactor) with or without them redacts the same.
 */
export function withoutIssuedCredentials(values: readonly string[]): readonly string[] {
  return values.some((value) => ISSUED_CREDENTIAL.test(value))
    ? values.filter((value) => !ISSUED_CREDENTIAL.test(value))
    : values;
}

function compile(values: readonly string[]): SecretPattern {
  let reach = Math.max(...CREDENTIAL_SHAPES.map((shape) => shape.reach));
  const shapes = CREDENTIAL_SHAPES.map((shape) => shape.source);
  // Longer secrets first, so a secret that contains another is replaced whole.
  const sorted = [...values].sort((a, b) => b.length - a.length);
  const spelled = sorted.map((secret) => {
    const spelling = spellings(secret);
    reach = Math.max(reach, spelling.reach);
    return alone(secret, spelling.source);
  });
  const plain = new RegExp(
    [...sorted.map((secret) => alone(secret, escapeRegExp(secret))), ...shapes].join('|'),
    'g',
  );
  const anySpelling = new RegExp([...spelled, ...shapes].join('|'), 'g');
  // Every spelling of a character is at least as long as the character: no match is shorter than this.
  const shortest = Math.min(SHORTEST_CREDENTIAL, ...sorted.map((secret) => secret.length));
  // The pattern to try on `text`, or `undefined` when none can match it.
  const patternFor = (text: string): RegExp | undefined => {
    // A large document holds many short strings; none of them can hold a match.
    if (text.length < shortest) return undefined;
    // Without secret values only the credential shapes can match, and each starts with its prefix:
    // two `indexOf` scans rule a large text out many times faster than the pattern.
    if (sorted.length === 0 && !text.includes('rt_') && !text.includes('sk_')) return undefined;
    // Without `%`, `\` or `+`, every spelling but the plain one is ruled out: the faster pattern does.
    // Without secret values both patterns are the credential shapes, whose one spelling is plain.
    const pattern = sorted.length > 0 && mayBeEncoded(text) ? anySpelling : plain;
    pattern.lastIndex = 0;
    return pattern.test(text) ? pattern : undefined;
  };
  return {
    replace: (text, by) => {
      const pattern = patternFor(text);
      return pattern === undefined ? text : text.replace(pattern, by);
    },
    test: (text) => patternFor(text) !== undefined,
    reach,
  };
}

/** `source` (matching `secret`), required to stand alone when the secret is short. */
function alone(secret: string, source: string): string {
  return secret.length >= SHORT_SECRET ? source : `(?<![A-Za-z0-9])${source}(?![A-Za-z0-9])`;
}

/** JSON's short escapes (`JSON.stringify`; `\/` from encoders that escape the slash). */
const JSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A regex source matching `secret` in any mix of spellings, character by character: as is;
 * percent-encoded UTF-8 (what `encodeURIComponent`, `encodeURI` and form encoding produce, hex in either
 * case, `+` for a space); JSON-escaped (`\"`, `\n`, and `\uXXXX` of each UTF-16 unit, as ASCII-only
 * encoders write any non-ASCII character, hex in either case).
 */
function spellings(secret: string): { source: string; reach: number } {
  let source = '';
  let reach = 0;
  for (const char of secret) {
    const utf8 = [...Buffer.from(char, 'utf8')];
    const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i));
    const forms = [
      escapeRegExp(char),
      utf8.map((byte) => `%${hexAnyCase(byte, 2)}`).join(''),
      units.map((unit) => `\\\\u${hexAnyCase(unit, 4)}`).join(''),
    ];
    const escaped = JSON_ESCAPES[char];
    if (escaped !== undefined) forms.push(escapeRegExp(escaped));
    if (char === ' ') forms.push('\\+');
    source += `(?:${forms.join('|')})`;
    reach += Math.max(3 * utf8.length, 6 * units.length);
  }
  return { source, reach };
}

/** `value` as `digits` hex digits, each letter matching either case (`2[fF]`). */
function hexAnyCase(value: number, digits: number): string {
  return [...value.toString(16).padStart(digits, '0')]
    .map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
    .join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
