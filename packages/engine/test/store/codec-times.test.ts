/**
 * `toTime` stores every time in canonical form. Canonical texts the engine makes skip the parse (issue
 * 14); this checks that the shortcut gives what the parse gives for every day of every month, and still
 * refuses or normalizes what is not canonical (day 29 to 31, hour 24, second 60, other forms).
 */
import { describe, expect, it } from 'vitest';
import { StoreValueError, toTime } from '../../src/store/codec.js';

/** What the store did before the shortcut: parse, then print. */
function parsed(value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new StoreValueError('not a time');
  return new Date(ms).toISOString();
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

describe('toTime', () => {
  it('gives the parsed form for every day 00 to 39 of every month 00 to 13, leap years and not', () => {
    let checked = 0;
    for (const year of [1999, 2000, 2023, 2024, 2100]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 39; day++) {
          const value = `${year}-${pad(month)}-${pad(day)}T23:59:59.999Z`;
          let expected: string | Error;
          try {
            expected = parsed(value);
          } catch (err) {
            expected = err as Error;
          }
          if (expected instanceof Error) expect(() => toTime(value, 'c')).toThrow(/c is not an ISO time/);
          else expect(toTime(value, 'c')).toBe(expected);
          checked++;
        }
      }
    }
    expect(checked).toBe(5 * 14 * 40);
  });

  it.each([
    '2024-01-01T24:00:00.000Z',
    '2024-01-01T12:00:00Z',
    '2024-01-01T13:00:00.000+01:00',
    '2024-01-01',
    '+002024-01-01T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
  ])('gives the parsed form of %s', (value) => {
    expect(toTime(value, 'c')).toBe(parsed(value));
  });

  it.each([
    '',
    'yesterday',
    '2024-01-01T23:60:00.000Z',
    '2024-01-01T23:59:60.000Z',
    '2024-01-01T12:00:00.000Zjunk',
    '２０２４-01-01T00:00:00.000Z',
  ])('refuses %j, naming the column', (value) => {
    expect(() => toTime(value, 'runs.created_at')).toThrow(/runs\.created_at is not an ISO time/);
  });
});
