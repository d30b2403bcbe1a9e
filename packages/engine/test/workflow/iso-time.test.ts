import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/model/iso-time.js';

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
