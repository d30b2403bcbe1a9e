/**
 * Jinja2's `tojson`: `json.dumps(value, sort_keys=True)` (with `indent` when given), then `<`, `>`,
 * `&` and `'` replaced by `\u003c`, `\u003e`, `\u0026` and `\u0027` (`jinja2.utils.htmlsafe_json_dumps`).
 * `json.dumps` escapes every character outside printable ASCII (`ensure_ascii=True`), separates items
 * with `', '` and keys with `': '` (`','` and `': '` when indenting), and prints `NaN` and `Infinity`.
 *
 * @internal
 * @module
 */
import { isPlainObject } from './pick-state.js';
import { pyFloatRepr } from './py-str.js';

/** Jinja2's `tojson` output for a JSON-like value; `indent` is a number of spaces or a string. */
export function jinjaToJson(value: unknown, indent?: number | string | null): string {
  const unit = typeof indent === 'number' ? ' '.repeat(Math.max(0, indent)) : (indent ?? undefined);
  return dumps(value, unit, '')
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll("'", '\\u0027');
}

function dumps(value: unknown, unit: string | undefined, level: string): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') return jsonNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return jsonString(value);
  let items: string[];
  let open: string;
  let close: string;
  const inner = unit === undefined ? '' : level + unit;
  if (Array.isArray(value)) {
    items = value.map((item) => dumps(item, unit, inner));
    [open, close] = ['[', ']'];
  } else {
    const entries: [string, unknown][] =
      value instanceof Map
        ? [...value].map(([k, v]) => [keyString(k), v])
        : isPlainObject(value)
          ? Object.entries(value)
          : [];
    if (!(value instanceof Map) && !isPlainObject(value)) return jsonString(String(value));
    entries.sort(([a], [b]) => compareCodePoints(a, b));
    items = entries.map(([k, v]) => `${jsonString(k)}: ${dumps(v, unit, inner)}`);
    [open, close] = ['{', '}'];
  }
  if (items.length === 0) return open + close;
  if (unit === undefined) return open + items.join(', ') + close;
  return `${open}\n${inner}${items.join(`,\n${inner}`)}\n${level}${close}`;
}

function jsonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  return pyFloatRepr(n);
}

/** Python's JSON key conversion: `True` -> `true`, `None` -> `null`, numbers as printed. */
function keyString(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key === null || key === undefined) return 'null';
  if (typeof key === 'number') return jsonNumber(key);
  return String(key);
}

/** A JSON string with `ensure_ascii`: `\uXXXX` (lowercase hex) for anything outside ' '..'~'. */
function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ch = text[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Python's string order (by code point), which differs from UTF-16 order only around surrogates. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  if (!/[\ud800-\udfff]/.test(a + b)) return a < b ? -1 : 1;
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}
