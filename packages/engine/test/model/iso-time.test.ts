import { describe, expect, it } from 'vitest';
import { isCanonicalIsoTime, isoTime, isoTimeMs } from '../../src/model/iso-time.js';

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

describe('isoTimeMs and isCanonicalIsoTime', () => {
  it('read back what isoTime wrote, and what Date.parse reads of anything else', () => {
    const start = Date.UTC(2026, 11, 27, 23, 59, 58, 990);
    for (let ms = start; ms < start + 2_500; ms += 7) {
      const text = isoTime(ms);
      expect(isCanonicalIsoTime(text)).toBe(true);
      expect(isoTimeMs(text)).toBe(ms);
    }
    let seed = 5;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 5_000; i++) {
      const text = isoTime(Math.floor(next() * 253_402_300_800_000));
      expect(isoTimeMs(text)).toBe(Date.parse(text));
      // Canonical when its day is one every month has, and its year one Date.UTC reads as written.
      const day = Number(text.slice(8, 10));
      expect(isCanonicalIsoTime(text)).toBe(day <= 28);
    }
    // Before 1970, leap days and century years, as toISOString writes them.
    for (let i = 0; i < 5_000; i++) {
      const text = new Date(Math.floor(next() * -59_011_459_200_000)).toISOString();
      expect(isoTimeMs(text)).toBe(Date.parse(text));
    }
    for (const text of [
      '2000-02-28T23:59:59.999Z',
      '1900-02-28T00:00:00.000Z',
      '2400-02-28T12:00:00.500Z',
      '0000-01-01T00:00:00.000Z',
      '0099-03-01T00:00:00.000Z',
    ]) {
      expect(isCanonicalIsoTime(text)).toBe(true);
      expect(isoTimeMs(text)).toBe(Date.parse(text));
    }
    const others = [
      '2026-12-31T23:59:59.99Z',
      '2026-12-31T23:59:59.9999Z',
      '2026-12-31T23:59:59.99xZ',
      '2026-12-31T23:59:59.999+',
      '2026-12-31T23:59:59Z',
      '2026-12-31',
      '2026-02-30T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-01T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z',
      '2026-01-01T23:60:00.000Z',
      '2026-01-01T23:00:60.000Z',
      '+2026-01-01T00:00:00.000Z',
      '2026-01-01 00:00:00.000Z',
      '2026-01-01t00:00:00.000z',
      '२०२६-01-01T00:00:00.000Z',
      'not a time',
      '',
    ];
    for (const text of others) {
      expect(isCanonicalIsoTime(text)).toBe(false);
      expect(Object.is(isoTimeMs(text), Date.parse(text))).toBe(true);
    }
  });
});
