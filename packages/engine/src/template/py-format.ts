/**
 * Python's printf-style `str % values`, which Jinja2's `format` filter applies: conversions
 * `s r a d i u o x X e E f F g G c %`, flags `- + space # 0`, width and precision (also `*`), and
 * `%(name)s` keys when keyword arguments are given.
 *
 * @internal
 * @module
 */
import { pyRepr, pyStr } from './py-str.js';

const SPEC = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)?/gs;

/** `format % args` (positional) or `format % mapping` (keyword arguments). */
export function pyPercentFormat(format: string, args: readonly unknown[] | Map<string, unknown>): string {
  const mapping = args instanceof Map ? args : undefined;
  const list = args instanceof Map ? [] : args;
  let next = 0;
  const take = (): unknown => {
    if (mapping !== undefined) return Object.fromEntries(mapping);
    if (next >= list.length) throw new TypeError('not enough arguments for format string');
    return list[next++];
  };
  const out = format.replace(
    SPEC,
    (_all, key: string | undefined, flags: string, width?: string, precision?: string, conv?: string) => {
      if (conv === undefined) throw new TypeError('incomplete format');
      if (conv === '%' && key === undefined && flags === '' && width === undefined) return '%';
      const w = width === '*' ? Number(take()) : width === undefined ? undefined : Number(width);
      const p =
        precision === '*' ? Number(take()) : precision === undefined ? undefined : Number(precision || '0');
      let value: unknown;
      if (key !== undefined) {
        if (mapping === undefined) throw new TypeError('format requires a mapping');
        if (!mapping.has(key)) throw new TypeError(`KeyError: ${pyRepr(key)}`);
        value = mapping.get(key);
      } else {
        value = conv === '%' ? '%' : take();
      }
      return pad(convert(conv, value, flags, p), flags, w, isNumeric(conv));
    },
  );
  if (mapping === undefined && next < list.length) {
    throw new TypeError('not all arguments converted during string formatting');
  }
  return out;
}

function isNumeric(conv: string): boolean {
  return 'diuoxXeEfFgG'.includes(conv);
}

function convert(conv: string, value: unknown, flags: string, precision: number | undefined): string {
  switch (conv) {
    case 's':
    case '%':
      return precision === undefined ? pyStr(value) : pyStr(value).slice(0, precision);
    case 'r':
    case 'a':
      return precision === undefined ? pyRepr(value) : pyRepr(value).slice(0, precision);
    case 'c': {
      if (typeof value === 'string' && [...value].length === 1) return value;
      if (typeof value === 'number' && Number.isInteger(value)) return String.fromCodePoint(value);
      throw new TypeError('%c requires an int or a unicode character');
    }
    case 'd':
    case 'i':
    case 'u':
      return signed(Math.trunc(real(conv, value)).toFixed(0), flags);
    case 'o':
    case 'x':
    case 'X': {
      const n = real(conv, value);
      if (!Number.isInteger(n)) throw new TypeError(`%${conv} format: an integer is required, not float`);
      let digits = Math.abs(n).toString(conv === 'o' ? 8 : 16);
      if (conv === 'X') digits = digits.toUpperCase();
      if (flags.includes('#')) digits = (conv === 'o' ? '0o' : conv === 'x' ? '0x' : '0X') + digits;
      return signed(n < 0 ? `-${digits}` : digits, flags);
    }
    default:
      return signed(formatFloat(conv, real(conv, value), precision ?? 6, flags.includes('#')), flags);
  }
}

function real(conv: string, value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  throw new TypeError(`%${conv} format: a real number is required, not ${pyTypeName(value)}`);
}

function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'dict' : typeof value;
}

function formatFloat(conv: string, n: number, precision: number, alternate: boolean): string {
  const upper = conv === conv.toUpperCase();
  if (!Number.isFinite(n)) {
    const word = Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
    return upper ? word.toUpperCase() : word;
  }
  let text: string;
  const lower = conv.toLowerCase();
  if (lower === 'f') text = n.toFixed(precision);
  else if (lower === 'e') text = exponential(n, precision);
  else {
    const p = precision === 0 ? 1 : precision;
    const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(Number(n.toPrecision(p)))));
    text = exp >= -4 && exp < p ? n.toFixed(Math.max(0, p - 1 - exp)) : exponential(n, p - 1);
    if (!alternate) text = stripZeros(text);
  }
  return upper ? text.toUpperCase() : text;
}

/** `%g` drops trailing zeros of the fraction, and the point when nothing is left. */
function stripZeros(text: string): string {
  const [mantissa = '', exp] = text.split('e');
  const short = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
  return exp === undefined ? short : `${short}e${exp}`;
}

/** `1.500000e+00`: Python writes at least two exponent digits. */
function exponential(n: number, digits: number): string {
  const [mantissa, exp = '+0'] = n.toExponential(digits).split('e');
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
}

function signed(text: string, flags: string): string {
  if (text.startsWith('-')) return text;
  if (flags.includes('+')) return `+${text}`;
  if (flags.includes(' ')) return ` ${text}`;
  return text;
}

function pad(text: string, flags: string, width: number | undefined, numeric: boolean): string {
  if (width === undefined || text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = /^[-+ ]/.test(text) ? (text[0] as string) : '';
    const prefix = /^[-+ ]?0[xXo]/.test(text) ? text.slice(sign.length, sign.length + 2) : '';
    const body = text.slice(sign.length + prefix.length);
    return sign + prefix + body.padStart(width - sign.length - prefix.length, '0');
  }
  return text.padStart(width);
}
