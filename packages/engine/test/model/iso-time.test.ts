import { describe, expect, it } from 'vitest';
import { isKnownIsoTime, isoTime, isoTimeMs } from '../../src/model/iso-time.js';

describe('isoTime', () => {
  it('writes what toISOString writes, second after second and millisecond after millisecond', () => {
    const start = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    for (let ms = start; ms < start + 2_500; ms += 1) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('writes what toISOString writes across years, leap days and the edges of the four-digit years', () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const times = [0, 1, 999, 1000, Date.UTC(2024, 1, 29, 12), 253_402_300_799_999, 253_402_300_800_000];
    for (let i = 0; i < 5_000; i++) times.push(Math.floor(next() * 253_402_300_800_000));
    for (const ms of times) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('takes the slow path, with its answer or its error, for times it does not format itself', () => {
    for (const ms of [-1, -86_400_001, 1.5, 8.64e15, -8.64e15]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });
});

describe('isoTimeMs and isKnownIsoTime', () => {
  it('read back what isoTime wrote, and what Date.parse reads of anything else', () => {
    const start = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
    const lease = start + 30_000;
    for (let ms = start; ms < start + 2_500; ms += 7) {
      // Two seconds in use at once, as a run's times and its lease's expiry are.
      for (const t of [ms, lease + (ms - start)]) {
        const text = isoTime(t);
        expect(isKnownIsoTime(text)).toBe(true);
        expect(isoTimeMs(text)).toBe(t);
      }
    }
    const others = [
      '2026-12-31T23:59:59.99Z',
      '2026-12-31T23:59:59.9999Z',
      '2026-12-31T23:59:59.99xZ',
      '2026-12-31T23:59:59.999+',
      '2026-12-31T23:59:59Z',
      '2026-12-31',
      'not a time',
      '',
      isoTime(start).replace('T', ' '),
      isoTime(start).toLowerCase(),
    ];
    for (const text of others) {
      expect(isKnownIsoTime(text)).toBe(false);
      expect(Object.is(isoTimeMs(text), Date.parse(text))).toBe(true);
    }
    // A time of a second not formatted lately: read by Date.parse.
    const old = new Date(Date.UTC(2001, 0, 1)).toISOString();
    expect(isKnownIsoTime(old)).toBe(false);
    expect(isoTimeMs(old)).toBe(Date.UTC(2001, 0, 1));
  });
});
