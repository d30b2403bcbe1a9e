/**
 * Python's `str()` and `repr()` of JSON-like values, as Jinja2's filters apply them (`format`,
 * `center`, `urlencode`, ...). A JavaScript number that is an integer is printed as a Python `int`
 * (JavaScript cannot tell `2.0` from `2`).
 *
 * @internal
 * @module
 */
import { isPlainObject } from './pick-state.js';

/** Python `str(value)`. `null` and `undefined` are `None`. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/** Python `repr(value)`. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pyStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** An integer as Python prints an `int`, anything else as Python's `float.__repr__`. */
export function pyNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  return pyFloatRepr(n);
}

/** Python's `float.__repr__`: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const [mantissa = '0', exp = '0'] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const digits = mantissa.includes('.') ? mantissa : mantissa;
    const sign = e < 0 ? '-' : '+';
    return `${digits}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = String(n);
  return Number.isInteger(n) || !fixed.includes('.') ? `${fixed}.0` : fixed;
}

/** Python's repr of a `str`: single quotes unless the text has one and no double quote. */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
