/**
 * Run ids are time-ordered UUIDs (version 7): a later run's id sorts after an earlier one's, so its rows
 * go at the end of the store's indexes (issue 14), and they stay UUIDs any client can parse.
 */
import { describe, expect, it } from 'vitest';
import { newRunId } from '../../src/run/run-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRunId', () => {
  it('starts with the time it was made, in milliseconds', () => {
    const before = Date.now();
    const id = newRunId();
    const after = Date.now();
    const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('makes version 7 UUIDs that never repeat', () => {
    const ids = Array.from({ length: 5000 }, () => newRunId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sorts ids of a later millisecond after those of an earlier one, whatever their random part', () => {
    const times = [0, 1, 255, 256, 4095, 4096, 1_700_000_000_000, 1_700_000_000_001, 2 ** 48 - 1];
    const ids = times.flatMap((ms) => [newRunId(ms), newRunId(ms), newRunId(ms)]);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    const byTime = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ids.map(byTime)).toEqual(times.flatMap((ms) => [ms, ms, ms]));
    const sorted = [...ids].sort();
    expect(sorted.map(byTime)).toEqual(times.flatMap((ms) => [ms, ms, ms]));
  });
});
