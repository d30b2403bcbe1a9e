/**
 * Jinja2 3.1's `int`, `float`, `round` and `sum`, computed as Python computes them: `int` and `float`
 * fall back to their default on input Python cannot convert, `round` rounds half to even on the
 * number's exact binary value (Python's `round()`) or by `ceil`/`floor`, and `sum` adds with Python's
 * `+` (numbers, or lists from `start=[]`), optionally of an attribute path.
 *
 * JavaScript has one number type, so a whole `float` comes back as a whole number (`2.0` is `2`).
 *
 * @internal
 * @module
 */
import { isPlainObject } from './pick-state.js';
import { pyRepr } from './py-str.js';

const DIGITS = String.raw`\d(?:_?\d)*`;
/** What Python's `float(str)` accepts, after stripping whitespace. */
const FLOAT_TEXT = new RegExp(
  `^[+-]?(?:(?:${DIGITS}\\.(?:${DIGITS})?|\\.${DIGITS}|${DIGITS})(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan)$`,
  'i',
);
const PREFIXES: Record<string, number> = { x: 16, o: 8, b: 2 };

/** The name of a JSON-like value's Python type, for error messages. */
export function pyType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Python `float(text)`, or undefined where it raises `ValueError`. */
function parseFloatText(raw: string): number | undefined {
  const text = raw.trim();
  if (!FLOAT_TEXT.test(text)) return undefined;
  const lower = text.toLowerCase().replace(/^[+]/, '');
  if (/^-?inf/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^-?nan$/.test(lower)) return Number.NaN;
  return Number(text.replaceAll('_', ''));
}

/** Python `int(text, base)`, or undefined where it raises `ValueError`. */
function parseIntText(raw: string, base: number): number | undefined {
  if (!Number.isInteger(base) || base < 0 || base === 1 || base > 36) return undefined;
  let text = raw.trim().toLowerCase();
  const negative = text.startsWith('-');
  if (negative || text.startsWith('+')) text = text.slice(1);
  let radix = base;
  const prefixed = PREFIXES[text[1] ?? ''];
  if (text[0] === '0' && prefixed !== undefined && (base === 0 || base === prefixed)) {
    radix = prefixed;
    text = text.slice(2).replace(/^_/, '');
  } else if (base === 0) {
    radix = 10;
    // Python refuses leading zeros in a base-0 decimal ("010"), but not zero itself ("00").
    if (text.startsWith('0') && /[1-9a-z]/.test(text)) return undefined;
  }
  if (!/^[0-9a-z](?:_?[0-9a-z])*$/.test(text)) return undefined;
  let n = 0n;
  for (const ch of text.replaceAll('_', '')) {
    const digit = Number.parseInt(ch, 36);
    if (digit >= radix) return undefined;
    n = n * BigInt(radix) + BigInt(digit);
  }
  return Number(negative ? -n : n);
}

/**
 * Python `int(value)` of a number, or undefined where it raises (NaN, and infinity, which Jinja2 3.1.6
 * also turns into the default; 3.1.2 lets its `OverflowError` through).
 */
function truncateNumber(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  return Math.trunc(value) + 0;
}

/** Jinja2 `int(value, default=0, base=10)`. */
export function pyInt(value: unknown, fallback: unknown, base: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return truncateNumber(value) ?? fallback;
  if (typeof value !== 'string') return fallback;
  const parsed = typeof base === 'number' ? parseIntText(value, base) : undefined;
  if (parsed !== undefined) return parsed;
  const float = parseFloatText(value);
  return float === undefined ? fallback : (truncateNumber(float) ?? fallback);
}

/** Jinja2 `float(value, default=0.0)`. */
export function pyFloat(value: unknown, fallback: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return fallback;
  return parseFloatText(value) ?? fallback;
}

/** A positive finite double as `mantissa * 2 ** exponent`. */
function decompose(x: number): [mantissa: bigint, exponent: number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return exponent === 0 ? [fraction, -1074] : [fraction | (1n << 52n), exponent - 1075];
}

/** Python `round(x, digits)`: the nearest multiple of `10 ** -digits`, ties to even, exactly. */
function roundHalfEven(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0 || digits > 400) return x;
  if (digits < -400) return 0 * Math.sign(x);
  const [mantissa, exponent] = decompose(Math.abs(x));
  let num = mantissa;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  if (digits >= 0) num *= 10n ** BigInt(digits);
  else den *= 10n ** BigInt(-digits);
  let q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && q % 2n === 1n)) q += 1n;
  return Number(`${q}e${-digits}`) * Math.sign(x);
}

/** Jinja2 `round(value, precision=0, method='common')`. */
export function pyRound(value: unknown, precision: unknown, method: unknown): number {
  if (method !== 'common' && method !== 'ceil' && method !== 'floor') {
    throw new TypeError('method must be common, ceil or floor');
  }
  const x = typeof value === 'boolean' ? Number(value) : value;
  if (typeof x !== 'number') throw new TypeError(`type ${pyType(value)} doesn't define __round__ method`);
  const digits = typeof precision === 'boolean' ? Number(precision) : precision;
  if (typeof digits !== 'number' || (method === 'common' && !Number.isInteger(digits))) {
    throw new TypeError(`'${pyType(precision)}' object cannot be interpreted as an integer`);
  }
  if (method === 'common') return roundHalfEven(x, digits);
  const scale = 10 ** digits;
  return (method === 'ceil' ? Math.ceil(x * scale) : Math.floor(x * scale)) / scale;
}

/** The items Python iterates over in a JSON-like value (a dict's keys, a string's characters). */
export function pyIterate(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isPlainObject(value)) return Object.keys(value);
  throw new TypeError(`'${pyType(value)}' object is not iterable`);
}

/** Python `a + b` for JSON-like numbers and lists. */
function pyAdd(a: unknown, b: unknown): unknown {
  const numeric = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  if (numeric(a) && numeric(b)) return Number(a) + Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw new TypeError(`unsupported operand type(s) for +: '${pyType(a)}' and '${pyType(b)}'`);
}

/** Jinja2's attribute getter: a dotted path, whose all-digit parts index lists. */
function getAttribute(item: unknown, attribute: unknown): unknown {
  const parts = typeof attribute === 'number' ? [attribute] : String(attribute).split('.');
  let value = item;
  for (const part of parts) {
    const index = typeof part === 'number' ? part : /^\d+$/.test(part) ? Number(part) : part;
    const next =
      typeof index === 'number'
        ? Array.isArray(value)
          ? value.at(index)
          : undefined
        : isPlainObject(value) && Object.hasOwn(value, index)
          ? value[index]
          : undefined;
    if (next === undefined) {
      throw new TypeError(`undefined value: ${pyRepr(value)} has no attribute ${pyRepr(part)}`);
    }
    value = next;
  }
  return value;
}

/** Jinja2 `sum(iterable, attribute=None, start=0)`. */
export function pySum(iterable: unknown, attribute: unknown, start: unknown): unknown {
  if (typeof start === 'string') throw new TypeError("sum() can't sum strings [use ''.join(seq) instead]");
  let total = start;
  for (const item of pyIterate(iterable)) {
    total = pyAdd(total, attribute === null ? item : getAttribute(item, attribute));
  }
  return total;
}
