/**
 * Jinja2's text filters that minijinja-js lacks: `center`, `wordcount`, `wordwrap` (Python's
 * `textwrap`), `urlencode`, `format` and Jinja2's `truncate`, each computing what Jinja2 3.1 computes.
 *
 * @internal
 * @module
 */
import { isPlainObject } from './pick-state.js';
import { pyStr } from './py-str.js';

/** `str.center(width)`: Python puts the odd space on the left when the width is odd. */
export function center(value: unknown, width = 80): string {
  const text = pyStr(value);
  const marg = width - text.length;
  if (marg <= 0) return text;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return ' '.repeat(left) + text + ' '.repeat(marg - left);
}

/** `len(re.findall(r"\w+", str(value)))` with Python's Unicode `\w`. */
export function wordcount(value: unknown): number {
  return pyStr(value).match(/[\p{L}\p{N}_]+/gu)?.length ?? 0;
}

const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]';
const W = '[\\p{L}\\p{N}_]';
const WP = '[\\p{L}\\p{N}_!"\'&.,?]';
const LT = '[\\p{L}\\p{Nl}\\p{No}_]';
/** `textwrap.TextWrapper.wordsep_re`. */
const WORDSEP = new RegExp(
  `(${WS}+|(?<=${WP})-{2,}(?=${W})|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=${WS}|$)|(?<=${WP})(?=-{2,}${W})))`,
  'u',
);
const WORDSEP_SIMPLE = new RegExp(`(${WS}+)`, 'u');
// biome-ignore lint/suspicious/noControlCharactersInRegex: the line breaks of Python's str.splitlines()
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** Options of `wordwrap`, named as in Jinja2. */
export interface WordwrapOptions {
  width: number;
  break_long_words: boolean;
  wrapstring: string | null;
  break_on_hyphens: boolean;
}

/** Jinja2's `wordwrap`: each line of the text wrapped by `textwrap.wrap`, joined by `wrapstring`. */
export function wordwrap(value: unknown, options: WordwrapOptions): string {
  if (!(options.width > 0)) throw new RangeError(`invalid width ${options.width} (must be > 0)`);
  const join = options.wrapstring ?? '\n';
  const lines = pyStr(value).split(LINE_BREAK);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  if (lines.length === 1 && lines[0] === '') return '';
  return lines.map((line) => wrapLine(line, options).join(join)).join(join);
}

function wrapLine(text: string, o: WordwrapOptions): string[] {
  const chunks = text.split(o.break_on_hyphens ? WORDSEP : WORDSEP_SIMPLE).filter((c) => c !== '');
  const blank = (chunk: string): boolean => chunk.trim() === '';
  const lines: string[] = [];
  chunks.reverse();
  const width = o.width;
  while (chunks.length > 0) {
    const line: string[] = [];
    let length = 0;
    if (lines.length > 0 && blank(chunks.at(-1) as string)) chunks.pop();
    while (chunks.length > 0) {
      const size = (chunks.at(-1) as string).length;
      if (length + size > width) break;
      line.push(chunks.pop() as string);
      length += size;
    }
    if (chunks.length > 0 && (chunks.at(-1) as string).length > width) {
      const spaceLeft = width < 1 ? 1 : width - length;
      if (o.break_long_words) {
        const chunk = chunks.at(-1) as string;
        let end = spaceLeft;
        if (o.break_on_hyphens && chunk.length > spaceLeft) {
          const hyphen = chunk.lastIndexOf('-', spaceLeft - 1);
          if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1;
        }
        line.push(chunk.slice(0, end));
        chunks[chunks.length - 1] = chunk.slice(end);
      } else if (line.length === 0) {
        line.push(chunks.pop() as string);
      }
    }
    if (line.length > 0 && blank(line.at(-1) as string)) line.pop();
    if (line.length > 0) lines.push(line.join(''));
  }
  return lines;
}

/** Python's `urllib.parse.quote_from_bytes` over UTF-8, with `safe` characters kept. */
function quote(text: string, safe: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.\-~]/.test(ch) || safe.includes(ch)) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function quoteQuery(value: unknown): string {
  return quote(pyStr(value), '').replaceAll('%20', '+');
}

/**
 * Jinja2's `urlencode`: a string (or any non-iterable) is quoted keeping `/`; a dict or a list of
 * pairs becomes `k=v&k2=v2` with `+` for spaces.
 */
export function urlencode(value: unknown): string {
  if (typeof value === 'string' || !(Array.isArray(value) || isPlainObject(value))) {
    return quote(pyStr(value), '/');
  }
  const pairs: unknown[][] = Array.isArray(value)
    ? value.map((pair) => {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError('urlencode takes a string, a dict or a list of (key, value) pairs');
        }
        return pair;
      })
    : Object.entries(value);
  return pairs.map(([k, v]) => `${quoteQuery(k)}=${quoteQuery(v)}`).join('&');
}

/** Options of `truncate`, named as in Jinja2 (`leeway` already resolved from the policy default 5). */
export interface TruncateOptions {
  length: number;
  killwords: boolean;
  end: string;
  leeway: number;
}

/**
 * Jinja2 `truncate`: text longer than `length + leeway` characters is cut to `length` characters
 * including `end`, at the last space unless `killwords`.
 */
export function truncate(text: string, o: TruncateOptions): string {
  const end = [...o.end];
  if (o.length < end.length) throw new RangeError(`expected length >= ${end.length}, got ${o.length}`);
  if (o.leeway < 0) throw new RangeError(`expected leeway >= 0, got ${o.leeway}`);
  const chars = [...text];
  if (chars.length <= o.length + o.leeway) return text;
  const head = chars.slice(0, o.length - end.length).join('');
  if (o.killwords) return head + o.end;
  const space = head.lastIndexOf(' ');
  return (space < 0 ? head : head.slice(0, space)) + o.end;
}
