/**
 * Redaction of secrets in what the engine stores and logs (DESIGN §4, STYLE §7): secret values
 * (`USER.token`, connection values, configured ones) are replaced wherever they occur in a string,
 * including their URL- and JSON-encoded spellings; values under secret-looking keys
 * (`Authorization`, `Cookie`, and the configured secret names) are replaced entirely.
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
   * The value with secrets replaced in strings and under secret keys. Never mutates: objects and arrays
   * that hold a secret are copied; a value without any secret is returned as it is.
   */
  value<T>(value: T): T;
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
  const visit = (v: unknown, depth: number): void => {
    if (depth > 20 || typeof v !== 'object' || v === null) return;
    for (const [key, inner] of Object.entries(v)) {
      if (wanted.has(key.toLowerCase()) && typeof inner === 'string' && inner !== '') out.push(inner);
      else visit(inner, depth + 1);
    }
  };
  visit(value, 0);
  return out;
}

function build(names: ReadonlySet<string>, values: readonly string[]): Redactor {
  const pattern = patternFor(values);
  const text = (value: string): string => {
    if (pattern === undefined) return value;
    pattern.lastIndex = 0;
    return pattern.test(value) ? value.replace(pattern, REDACTED) : value;
  };
  const isSecretKey = (key: string): boolean => names.has(key.toLowerCase());
  // Copy on write: a value without secrets comes back as it is (no allocation); only the objects and
  // arrays on the way to a redacted value are copied.
  const copy = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value !== 'object' || value === null || depth > 64) return value;
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const next = copy(item, depth + 1);
        if (next !== item) {
          out ??= value.slice();
          out[i] = next;
        }
      }
      return out ?? value;
    }
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const inner = (value as Record<string, unknown>)[key];
      const next =
        isSecretKey(key) && inner !== null && inner !== undefined && inner !== REDACTED
          ? REDACTED
          : copy(inner, depth + 1);
      if (next !== inner) {
        out ??= { ...(value as Record<string, unknown>) };
        out[key] = next;
      }
    }
    return out ?? value;
  };
  return {
    text,
    value: <T>(value: T): T => copy(value, 0) as T,
    with: (more) =>
      build(names, [...new Set([...values, ...more.filter((v) => typeof v === 'string' && v !== '')])]),
    isSecretKey,
  };
}

/** Compiled patterns by secret list: runs of one user share their pattern instead of compiling it per run. */
const patterns = new Map<string, RegExp | undefined>();
const PATTERN_CACHE_SIZE = 64;

function patternFor(values: readonly string[]): RegExp | undefined {
  if (values.length === 0) return undefined;
  const key = JSON.stringify(values);
  if (patterns.has(key)) return patterns.get(key);
  const pattern = compilePattern(values);
  if (patterns.size >= PATTERN_CACHE_SIZE) patterns.delete(patterns.keys().next().value as string);
  patterns.set(key, pattern);
  return pattern;
}

function compilePattern(values: readonly string[]): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of values) {
    forms.add(secret);
    const encoded = encodeURIComponent(secret);
    forms.add(encoded);
    forms.add(encoded.replaceAll('%20', '+'));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  if (forms.size === 0) return undefined;
  const alternatives = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((form) =>
      form.length >= SHORT_SECRET
        ? escapeRegExp(form)
        : `(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`,
    );
  return new RegExp(alternatives.join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
