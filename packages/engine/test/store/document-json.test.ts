/**
 * `documentJson` (issue 14) gives exactly what `JSON.stringify` gives, for every kind of value: large
 * strings with and without something to escape, where they sit, and values the fast path must leave to
 * `JSON.stringify` (a `toJSON`, class instances, a cycle, too many values). Each case is a row.
 */
import { describe, expect, it } from 'vitest';
import { documentJson, LARGE_STRING, SplicedJson, textOf } from '../../src/store/runs/document-json.js';

const large = (unit: string) => unit.repeat(Math.ceil((LARGE_STRING + 1) / unit.length));

/** `list` with a hole at `index` (JSON writes `null` there). */
function withHole(list: unknown[], index: number): unknown[] {
  delete list[index];
  return list;
}

class Point {
  x = 1;
  blob = large('p');
}

const ROWS: [string, unknown][] = [
  ['a large plain string in an object', { n: 1, blob: large('x') }],
  ['a large string alone', large('y')],
  [
    'large strings in an array with holes and values JSON drops',
    withHole([large('a'), 1, undefined, () => 1, 'hole', large('b')], 4),
  ],
  ['a large string deep down', { a: { b: [{ c: large('d') }] } }],
  ['a large string with a quote', { q: `${large('q')}"` }],
  ['a large string with a backslash', { q: `${large('q')}\\` }],
  ['a large string with a newline', { c: `\n${large('c')}` }],
  [
    'a large string with each control character',
    { c: large(Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')) },
  ],
  ['a large string with a lone surrogate', { s: `${large('s')}\ud800` }],
  ['a large string with non-ASCII text', { e: large('é€😀') }],
  ['a large string just under the size', { s: 'u'.repeat(LARGE_STRING - 1) }],
  ['a key __proto__ from JSON.parse', JSON.parse(`{"__proto__": "${large('p')}", "x": 1}`)],
  ['integer keys, ordered first', { b: large('j'), 2: large('i'), 1: 'x' }],
  ['a Date beside a large string', { d: new Date(0), s: large('x') }],
  ['a toJSON beside a large string', { t: { toJSON: () => 'T' }, s: large('x') }],
  ['a class instance', { p: new Point() }],
  ['a null-prototype object', Object.assign(Object.create(null), { s: large('n') })],
  ['many values and a large string', { list: Array.from({ length: 1000 }, (_, i) => i), s: large('m') }],
  ['a placeholder-looking string', { s: large('x'), t: 'sluice-large-string:0:0' }],
  ['small values', { a: 1, b: 'two', c: [true, null] }],
  ['undefined', undefined],
  ['null', null],
  ['a number', 5],
];

describe('documentJson', () => {
  it.each(ROWS)('gives what JSON.stringify gives: %s', (_, value) => {
    const text = documentJson(value);
    expect(text === undefined ? undefined : textOf(text)).toBe(JSON.stringify(value));
    expect(text?.length).toBe(JSON.stringify(value)?.length);
  });

  it('keeps a spliced text as its parts, each large string a part of its own (not a quoted copy)', () => {
    const blob = large('x');
    const text = documentJson({ n: 1, blob, list: [blob, 'small'] });
    expect(text).toBeInstanceOf(SplicedJson);
    const { parts } = text as SplicedJson;
    expect(parts.filter((part) => part === blob)).toHaveLength(2);
    expect(parts.join('')).toBe(JSON.stringify({ n: 1, blob, list: [blob, 'small'] }));
    expect(typeof documentJson({ n: 1, list: Array.from({ length: 300 }, () => 'small') })).toBe('string');
  });

  it('throws as JSON.stringify does on a cycle and on a BigInt', () => {
    const cycle: Record<string, unknown> = { s: large('c') };
    cycle.self = cycle;
    expect(() => documentJson(cycle)).toThrow(TypeError);
    expect(() => documentJson({ s: large('b'), n: 1n })).toThrow(TypeError);
  });
});
