/**
 * Redaction of secrets in what the engine stores and logs (DESIGN §4, STYLE §7): secret values
 * (`USER.token`, connection values, configured ones) are replaced wherever they occur in a string, in
 * any spelling a URL or a JSON text gives them; the credentials the engine issues (run tokens, API keys)
 * are replaced by their shape; values under secret-looking keys (`Authorization`, `Cookie`, and the
 * configured secret names) are replaced entirely, at any depth.
 *
 * @module
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Keys whose values are always redacted, whatever the configuration (case-insensitive). */
export const ALWAYS_SECRET_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

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

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /** Secret values, replaced wherever they occur in strings. Empty strings are ignored. */
  values?: readonly string[];
  /**
   * Key names (case-insensitive) whose values are secret: replaced entirely in objects, and
   * collected as secret values wherever they hold a string. @default []
   */
  names?: readonly string[];
}

/** Replaces secrets in strings and in JSON-like values. Never mutates its input. */
export interface Redactor {
  /** A string with every secret value replaced. */
  text(value: string): string;
  /**
   * The value with secrets replaced in strings and under secret keys, however deep. Never mutates:
   * objects and arrays that hold a secret are copied; a value without any secret is returned as it is.
   */
  value<T>(value: T): T;
  /**
   * The start of `value` (text, or UTF-8 bytes) redacted, then cut to at most `maxBytes` UTF-8 bytes.
   * Redaction sees enough beyond the cut that no secret straddling it leaves a piece behind.
   */
  excerpt(value: string | Uint8Array, maxBytes: number): string;
  /** A redactor that also hides `values` (tokens found later, e.g. in a step's output). */
  with(values: readonly string[]): Redactor;
  /** Whether a key's value is secret. */
  isSecretKey(key: string): boolean;
}

/**
 * Builds a {@link Redactor}.
 *
 * @example
 * const redact = createRedactor({ values: [user.token], names: ['api_token'] });
 * redact.text(`https://api/x?api_token=${token}`); // 'https://api/x?api_token=[redacted]'
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const names = new Set([...ALWAYS_SECRET_KEYS, ...(options.names ?? []).map((n) => n.toLowerCase())]);
  return build(names, [...new Set((options.values ?? []).filter((v) => typeof v === 'string' && v !== ''))]);
}

/** Collects the string values under secret keys anywhere in `value` (e.g. `USER`, `sluice.yaml`). */
export function secretValuesIn(value: unknown, names: readonly string[]): string[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const out: string[] = [];
  // A stack, not recursion: a hostile depth must neither overflow nor hide a value.
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    const nested: unknown[] = [];
    for (const [key, inner] of Object.entries(v)) {
      if (wanted.has(key.toLowerCase()) && typeof inner === 'string' && inner !== '') out.push(inner);
      else nested.push(inner);
    }
    // Reversed, so values come out in document order.
    for (let i = nested.length - 1; i >= 0; i--) pending.push(nested[i]);
  }
  return out;
}

/** An object or array being copied: its entries, the next one to look at, and its copy once one changed. */
interface Frame {
  source: Record<string, unknown> | unknown[];
  keys: readonly string[] | undefined;
  next: number;
  copy: Record<string, unknown> | unknown[] | undefined;
}

function build(names: ReadonlySet<string>, values: readonly string[]): Redactor {
  const { plain, spelled, reach } = patternFor(values);
  const text = (value: string): string => {
    // Without `%`, `\` or `+`, every spelling but the plain one is ruled out: the faster pattern does.
    const pattern = MAY_BE_ENCODED.test(value) ? spelled : plain;
    pattern.lastIndex = 0;
    return pattern.test(value) ? value.replace(pattern, REDACTED) : value;
  };
  const isSecretKey = (key: string): boolean => names.has(key.toLowerCase());
  const leaf = (value: unknown): unknown => (typeof value === 'string' ? text(value) : value);
  // Copy on write: a value without secrets comes back as it is (no allocation); only the objects and
  // arrays on the way to a redacted value are copied. A stack of frames instead of recursion, so any
  // depth is inspected; an object met again on its own path (a cycle) is replaced.
  const copy = (root: unknown): unknown => {
    if (typeof root !== 'object' || root === null) return leaf(root);
    const path = new Set<object>([root]);
    const stack: Frame[] = [frameOf(root)];
    let done: unknown;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const length = frame.keys === undefined ? (frame.source as unknown[]).length : frame.keys.length;
      if (frame.next === length) {
        stack.pop();
        path.delete(frame.source);
        done = frame.copy ?? frame.source;
        const parent = stack[stack.length - 1];
        if (parent !== undefined) settle(parent, done);
        continue;
      }
      const key = frame.keys === undefined ? frame.next : (frame.keys[frame.next] as string);
      const inner = (frame.source as Record<string | number, unknown>)[key];
      if (typeof key === 'string' && isSecretKey(key) && inner !== null && inner !== undefined) {
        settle(frame, inner === REDACTED ? inner : REDACTED);
      } else if (typeof inner !== 'object' || inner === null) {
        settle(frame, leaf(inner));
      } else if (path.has(inner)) {
        settle(frame, REDACTED);
      } else {
        path.add(inner);
        stack.push(frameOf(inner));
      }
    }
    return done;
  };
  return {
    text,
    value: <T>(value: T): T => copy(value) as T,
    excerpt: (value, maxBytes) => excerpt(text, reach, value, maxBytes),
    with: (more) =>
      build(names, [...new Set([...values, ...more.filter((v) => typeof v === 'string' && v !== '')])]),
    isSecretKey,
  };
}

function frameOf(source: object): Frame {
  return Array.isArray(source)
    ? { source, keys: undefined, next: 0, copy: undefined }
    : { source: source as Record<string, unknown>, keys: Object.keys(source), next: 0, copy: undefined };
}

/** Records the (possibly redacted) value of the frame's current entry and moves on. */
function settle(frame: Frame, value: unknown): void {
  const key = frame.keys === undefined ? frame.next : (frame.keys[frame.next] as string);
  const source = frame.source as Record<string | number, unknown>;
  if (value !== source[key]) {
    frame.copy ??= Array.isArray(frame.source) ? frame.source.slice() : { ...frame.source };
    (frame.copy as Record<string | number, unknown>)[key] = value;
  }
  frame.next++;
}

/**
 * The redacted start of `value`, at most `maxBytes` UTF-8 bytes. Only a window is redacted: wide enough
 * that every secret whose text reaches the kept part lies in it whole. The kept part is at most `maxBytes`
 * characters, each `[redacted]` in it stands for at most `reach` characters of the original, and the
 * window adds `reach` more for a secret that starts at the last kept character.
 */
function excerpt(
  text: (value: string) => string,
  reach: number,
  value: string | Uint8Array,
  maxBytes: number,
): string {
  const window = maxBytes + (Math.floor(maxBytes / REDACTED.length) + 2) * reach;
  // A character is at most 3 UTF-8 bytes per UTF-16 unit: this many bytes hold the window.
  const start =
    typeof value === 'string'
      ? value.slice(0, window)
      : new TextDecoder().decode(value.subarray(0, 3 * window)).slice(0, window);
  return cutUtf8(text(start), maxBytes);
}

/** `value` cut to at most `maxBytes` UTF-8 bytes, on a character boundary. */
function cutUtf8(value: string, maxBytes: number): string {
  // A UTF-16 unit is at least one UTF-8 byte, so the first `maxBytes` units hold the answer.
  let head = value.slice(0, maxBytes);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  const bytes = Buffer.from(head, 'utf8');
  if (bytes.length <= maxBytes) return head;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** What an encoded spelling needs in the text: a percent escape, a JSON escape, or `+` for a space. */
const MAY_BE_ENCODED = /[%\\+]/;

/** The compiled patterns of a secret list, and the longest text one match can span (in UTF-16 units). */
interface Compiled {
  /** The secrets as they are, and the credential shapes. */
  plain: RegExp;
  /** The secrets in any spelling, and the credential shapes. */
  spelled: RegExp;
  reach: number;
}

/** Compiled patterns by secret list: runs of one user share their pattern instead of compiling it per run. */
const patterns = new Map<string, Compiled>();
const PATTERN_CACHE_SIZE = 64;

function patternFor(values: readonly string[]): Compiled {
  const key = JSON.stringify(values);
  const cached = patterns.get(key);
  if (cached !== undefined) return cached;
  const compiled = compilePattern(values);
  if (patterns.size >= PATTERN_CACHE_SIZE) patterns.delete(patterns.keys().next().value as string);
  patterns.set(key, compiled);
  return compiled;
}

function compilePattern(values: readonly string[]): Compiled {
  let reach = Math.max(...CREDENTIAL_SHAPES.map((shape) => shape.reach));
  const shapes = CREDENTIAL_SHAPES.map((shape) => shape.source);
  // Longer secrets first, so a secret that contains another is replaced whole.
  const sorted = [...values].sort((a, b) => b.length - a.length);
  const spelled = sorted.map((secret) => {
    const spelling = spellings(secret);
    reach = Math.max(reach, spelling.reach);
    return alone(secret, spelling.source);
  });
  const plain = sorted.map((secret) => alone(secret, escapeRegExp(secret)));
  return {
    plain: new RegExp([...plain, ...shapes].join('|'), 'g'),
    spelled: new RegExp([...spelled, ...shapes].join('|'), 'g'),
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
