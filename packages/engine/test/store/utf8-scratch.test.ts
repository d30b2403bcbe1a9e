/**
 * `Utf8Scratch` (issue 14): the document file binds a large text as its UTF-8 in a reused buffer, cast
 * back to text. What SQLite stores must be what binding the string itself stores (better-sqlite3's own
 * conversion is the reference), for every kind of character, for spliced texts, and after the buffer was
 * used by a longer text.
 */
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SplicedJson } from '../../src/store/runs/document-json.js';
import { SCRATCH_FROM_CHARS, Utf8Scratch } from '../../src/store/runs/utf8-scratch.js';

const long = (unit: string) => unit.repeat(Math.ceil(SCRATCH_FROM_CHARS / unit.length) + 1);

const TEXTS: [string, string][] = [
  ['ASCII', long('a')],
  ['Latin-1 (a one-byte string above ASCII)', long('é\u00ff')],
  ['BMP characters of three bytes', long('€\u2028')],
  ['surrogate pairs', long('😀')],
  ['a lone high surrogate', `${long('x')}\ud800`],
  ['a lone low surrogate first', `\udc00${long('x')}`],
  ['NUL and control characters', long('\u0000\u0001\n')],
  ['mixed', long('a"\\é€😀\ud83d')],
];

describe('Utf8Scratch', () => {
  let db: Sqlite.Database;
  let scratch: Utf8Scratch;
  beforeEach(() => {
    db = new Sqlite(':memory:');
    db.exec('create table t (id integer primary key, bound text, written text)');
    scratch = new Utf8Scratch();
  });
  afterEach(() => {
    scratch.release();
    db.close();
  });

  /** Stores `text` both ways; resolves what SQLite holds for each. */
  const storeBoth = (text: string, bound: string | Buffer | null) => {
    const { lastInsertRowid } = db
      .prepare('insert into t (bound, written) values (?, cast(? as text))')
      .run(text, bound);
    return db
      .prepare(
        'select bound = written as same, typeof(written) as type, length(written) as chars, length(bound) as boundChars, written from t where id = ?',
      )
      .get(lastInsertRowid) as {
      same: number;
      type: string;
      chars: number;
      boundChars: number;
      written: string;
    };
  };

  it.each(TEXTS)('stores what binding the string stores: %s', (_, text) => {
    const [bound] = scratch.bindable([text]);
    // A lone surrogate is written apart by the two conversions: such a text is bound as itself.
    const wellFormed = !/\p{Surrogate}/u.test(text);
    expect(Buffer.isBuffer(bound)).toBe(wellFormed);
    if (wellFormed) expect(Buffer.compare(bound as Buffer, Buffer.from(text, 'utf8'))).toBe(0);
    const stored = storeBoth(text, bound ?? null);
    expect(stored).toMatchObject({ same: 1, type: 'text', chars: stored.boundChars });
    expect(stored.written).toBe(db.prepare('select ? as v').pluck().get(text));
  });

  it('writes a spliced text part after part, and several texts one after the other', () => {
    const parts = ['{"a":', `"${long('é')}"`, ',"b":', `"${long('😀')}"`, '}'];
    const spliced = new SplicedJson(parts);
    const views = scratch.bindable(['{"w":1}', spliced, null, long('z')]);
    expect(views[0]).toBe('{"w":1}');
    expect(views[2]).toBeNull();
    expect((views[1] as Buffer).toString('utf8')).toBe(parts.join(''));
    expect((views[3] as Buffer).toString('utf8')).toBe(long('z'));
    expect(storeBoth(parts.join(''), views[1] ?? null)).toMatchObject({ same: 1, type: 'text' });
  });

  it('binds a spliced text with a lone surrogate in a part as the joined string', () => {
    const parts = ['["', long('x'), '\ud800', '"]'];
    expect(scratch.bindable([new SplicedJson(parts)])).toEqual([parts.join('')]);
  });

  it('binds short texts as themselves, a short spliced one joined', () => {
    expect(scratch.bindable(['short', null, new SplicedJson(['[', '1', ']'])])).toEqual([
      'short',
      null,
      '[1]',
    ]);
  });

  it('gives exact views after the buffer held a longer text, and again after a release', () => {
    const longer = long('l').repeat(3);
    const shorter = long('s');
    expect((scratch.bindable([longer])[0] as Buffer).length).toBe(longer.length);
    const [view] = scratch.bindable([shorter]);
    expect((view as Buffer).toString('latin1')).toBe(shorter);
    expect(storeBoth(shorter, view ?? null)).toMatchObject({ same: 1, chars: shorter.length });
    scratch.release();
    expect((scratch.bindable([shorter])[0] as Buffer).toString('latin1')).toBe(shorter);
  });
});
