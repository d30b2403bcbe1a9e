/**
 * The Jinja2 built-in filters that minijinja-js 2.x lacks, added to every environment, plus `tojson`
 * replaced so it prints exactly as Jinja2's (sorted keys, `', '`/`': '` separators, `\u003c`-style
 * escapes), and `batch`, `int`, `float`, `round`, `slice`, `sum` and `truncate` replaced so they take Jinja2's arguments
 * and give its results. Each filter binds its arguments by position or keyword, with Jinja2's names and defaults.
 *
 * A JavaScript exception must never cross into minijinja-js (a panic there corrupts the WebAssembly
 * instance), so each filter catches its own errors, records the first one, and returns undefined; the
 * renderer raises the recorded error after minijinja returns.
 *
 * @internal
 * @module
 */

import type { Environment } from 'minijinja-js';
import { fromJinja } from './from-jinja.js';
import { escapeHtml, urlize, xmlattr } from './html-filters.js';
import { pyFloat, pyInt, pyRound, pySum, pyType } from './number-filters.js';
import { pyPercentFormat } from './py-format.js';
import { jinjaToJson } from './py-json.js';
import { pyStr } from './py-str.js';
import { batch, slice } from './sequence-filters.js';
import { center, truncate, urlencode, wordcount, wordwrap } from './text-filters.js';
import { isTruthy } from './truthy.js';

/** The names of the filters this module adds or replaces. */
export const ADDED_FILTERS = [
  'batch',
  'center',
  'float',
  'forceescape',
  'format',
  'int',
  'random',
  'round',
  'slice',
  'sum',
  'tojson',
  'truncate',
  'urlencode',
  'urlize',
  'wordcount',
  'wordwrap',
  'xmlattr',
] as const;

let pending: string | undefined;

/** Clears the recorded filter error before a render. */
export function resetFilterError(): void {
  pending = undefined;
}

/** The first error a filter raised during the last render, if any (and clears it). */
export function takeFilterError(): string | undefined {
  const error = pending;
  pending = undefined;
  return error;
}

type Params = readonly (readonly [name: string, fallback: unknown])[];

/**
 * Binds minijinja's arguments (positional values, then a trailing `Map` of keyword arguments) to
 * named parameters. Values come back JSON-like (`none` as `null`, dicts as plain objects).
 */
function bind(filter: string, raw: unknown[], params: Params, takesKwargs = true): Record<string, unknown> {
  const args = raw.map(fromJinja);
  let kwargs: Record<string, unknown> = {};
  if (takesKwargs && raw.at(-1) instanceof Map) {
    kwargs = args.pop() as Record<string, unknown>;
  }
  if (args.length > params.length) {
    throw new TypeError(`${filter}() takes at most ${params.length} argument(s) (${args.length} given)`);
  }
  const out: Record<string, unknown> = {};
  params.forEach(([name, fallback], i) => {
    out[name] = i < args.length ? args[i] : fallback;
  });
  for (const [name, value] of Object.entries(kwargs)) {
    const index = params.findIndex(([p]) => p === name);
    if (index < 0) throw new TypeError(`${filter}() got an unexpected keyword argument '${name}'`);
    if (index < args.length) throw new TypeError(`${filter}() got multiple values for argument '${name}'`);
    out[name] = value;
  }
  return out;
}

function int(filter: string, name: string, value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${filter}(): ${name} must be an integer, not ${pyStr(value)}`);
  }
  return value;
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : pyStr(value);
}

type Filter = (value: unknown, ...args: unknown[]) => unknown;

const FILTERS: Record<(typeof ADDED_FILTERS)[number], Filter> = {
  batch: (value, ...raw) => {
    const a = bind('batch', raw, [
      ['linecount', undefined],
      ['fill_with', null],
    ]);
    if (a.linecount === undefined) throw new TypeError("batch() missing required argument 'linecount'");
    return batch(fromJinja(value), int('batch', 'linecount', a.linecount), a.fill_with);
  },
  slice: (value, ...raw) => {
    const a = bind('slice', raw, [
      ['slices', undefined],
      ['fill_with', null],
    ]);
    if (a.slices === undefined) throw new TypeError("slice() missing required argument 'slices'");
    return slice(fromJinja(value), int('slice', 'slices', a.slices), a.fill_with);
  },
  center: (value, ...raw) => {
    const a = bind('center', raw, [['width', 80]]);
    return center(fromJinja(value), int('center', 'width', a.width));
  },
  float: (value, ...raw) => {
    const a = bind('float', raw, [['default', 0]]);
    return pyFloat(fromJinja(value), a.default);
  },
  int: (value, ...raw) => {
    const a = bind('int', raw, [
      ['default', 0],
      ['base', 10],
    ]);
    return pyInt(fromJinja(value), a.default, a.base);
  },
  round: (value, ...raw) => {
    const a = bind('round', raw, [
      ['precision', 0],
      ['method', 'common'],
    ]);
    return pyRound(fromJinja(value), a.precision, a.method);
  },
  sum: (value, ...raw) => {
    const a = bind('sum', raw, [
      ['attribute', null],
      ['start', 0],
    ]);
    return pySum(fromJinja(value), a.attribute, a.start);
  },
  truncate: (value, ...raw) => {
    const a = bind('truncate', raw, [
      ['length', 255],
      ['killwords', false],
      ['end', '...'],
      ['leeway', null],
    ]);
    const s = fromJinja(value);
    const length = int('truncate', 'length', a.length);
    const leeway = a.leeway === null ? 5 : int('truncate', 'leeway', a.leeway);
    if (typeof a.end !== 'string') throw new TypeError(`object of type '${pyType(a.end)}' has no len()`);
    if (typeof s !== 'string') {
      const size = Array.isArray(s)
        ? s.length
        : typeof s === 'object' && s !== null
          ? Object.keys(s).length
          : -1;
      if (size < 0) throw new TypeError(`object of type '${pyType(s)}' has no len()`);
      if (size <= length + leeway) return value;
      throw new TypeError(`truncate needs a string, not ${pyType(s)}`);
    }
    return truncate(s, { length, killwords: isTruthy(a.killwords), end: a.end, leeway });
  },
  forceescape: (value, ...raw) => {
    bind('forceescape', raw, []);
    return escapeHtml(fromJinja(value));
  },
  format: (value, ...raw) => {
    const kwargs = raw.at(-1) instanceof Map ? (raw.pop() as Map<unknown, unknown>) : undefined;
    if (kwargs !== undefined && raw.length > 0) {
      throw new TypeError("can't handle positional and keyword arguments at the same time");
    }
    const values =
      kwargs === undefined
        ? raw.map(fromJinja)
        : new Map([...kwargs].map(([k, v]) => [String(k), fromJinja(v)] as const));
    return pyPercentFormat(pyStr(fromJinja(value)), values);
  },
  random: (value, ...raw) => {
    bind('random', raw, []);
    const seq = fromJinja(value);
    const items = typeof seq === 'string' ? [...seq] : Array.isArray(seq) ? seq : undefined;
    if (items === undefined) throw new TypeError(`random needs a list or a string, not ${pyStr(seq)}`);
    return items.length === 0 ? undefined : items[Math.floor(Math.random() * items.length)];
  },
  tojson: (value, ...raw) => {
    const a = bind('tojson', raw, [['indent', null]]);
    const indent = a.indent;
    if (indent !== null && typeof indent !== 'number' && typeof indent !== 'string') {
      throw new TypeError('tojson(): indent must be an integer or a string');
    }
    return jinjaToJson(fromJinja(value), indent);
  },
  urlencode: (value, ...raw) => {
    bind('urlencode', raw, []);
    return urlencode(fromJinja(value));
  },
  urlize: (value, ...raw) => {
    const a = bind('urlize', raw, [
      ['trim_url_limit', null],
      ['nofollow', false],
      ['target', null],
      ['rel', null],
      ['extra_schemes', null],
    ]);
    const schemes = a.extra_schemes;
    return urlize(fromJinja(value), {
      trim_url_limit: a.trim_url_limit === null ? null : int('urlize', 'trim_url_limit', a.trim_url_limit),
      nofollow: isTruthy(a.nofollow),
      target: text(a.target),
      rel: text(a.rel),
      extra_schemes: Array.isArray(schemes) ? schemes.map(pyStr) : null,
    });
  },
  wordcount: (value, ...raw) => {
    bind('wordcount', raw, []);
    return wordcount(fromJinja(value));
  },
  wordwrap: (value, ...raw) => {
    const a = bind('wordwrap', raw, [
      ['width', 79],
      ['break_long_words', true],
      ['wrapstring', null],
      ['break_on_hyphens', true],
    ]);
    return wordwrap(fromJinja(value), {
      width: int('wordwrap', 'width', a.width),
      break_long_words: isTruthy(a.break_long_words),
      wrapstring: text(a.wrapstring),
      break_on_hyphens: isTruthy(a.break_on_hyphens),
    });
  },
  xmlattr: (value, ...raw) => {
    const a = bind('xmlattr', raw, [['autospace', true]]);
    const dict = fromJinja(value);
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) {
      throw new TypeError(`xmlattr needs a dict, not ${pyStr(dict)}`);
    }
    return xmlattr(dict as Record<string, unknown>, isTruthy(a.autospace));
  },
};

/** Registers the added filters (and the Jinja2 `tojson`) on a minijinja environment. */
export function addJinja2Filters(env: Environment): void {
  for (const name of ADDED_FILTERS) {
    const filter = FILTERS[name];
    env.addFilter(name, (value: unknown, ...args: unknown[]): unknown => {
      try {
        return filter(value, ...args);
      } catch (error) {
        pending ??= `${name}: ${error instanceof Error ? error.message : String(error)}`;
        return undefined;
      }
    });
  }
}
