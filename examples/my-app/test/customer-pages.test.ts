import { describe, expect, it } from 'vitest';
import { ascendingPage, descendingPage, FAR_PAST, PAGE_SIZE, toTimestamp } from '../src/customer-pages.js';

/** `count` customers, newest first, ids descending, with `created_at` given per index by `stamp`. */
function page(count: number, stamp: (index: number) => string, firstId = 1000) {
  return Array.from({ length: count }, (_, i) => ({ id: firstId - i, created_at: stamp(i) }));
}

const minute = (m: number) => `2020-01-01T00:${String(m).padStart(2, '0')}:00Z`;

describe('toTimestamp', () => {
  it('passes strings through, formats dates to seconds and falls back when absent', () => {
    expect(toTimestamp('2017-01-01T00:00:00Z', FAR_PAST)).toBe('2017-01-01T00:00:00Z');
    expect(toTimestamp(new Date('2017-01-01T00:00:00.456Z'), FAR_PAST)).toBe('2017-01-01T00:00:00Z');
    expect(toTimestamp(undefined, FAR_PAST)).toBe(FAR_PAST);
    expect(toTimestamp('', 'x')).toBe('x');
    expect(toTimestamp(42, 'x')).toBe('x');
  });
});

describe('ascendingPage', () => {
  it('continues from the newest created_at and polls more when the page is full', () => {
    const full = page(PAGE_SIZE, (i) => minute(i % 60)).reverse();
    expect(ascendingPage(full, FAR_PAST)).toEqual({
      events: full,
      nextPoll: full.at(-1)?.created_at,
      canPollMore: true,
    });
  });

  it('keeps the cursor when the page is empty and stops when it is short', () => {
    expect(ascendingPage([], minute(5))).toEqual({ events: [], nextPoll: minute(5), canPollMore: false });
    const short = [{ id: 1, created_at: minute(7) }];
    expect(ascendingPage(short, minute(5))).toEqual({
      events: short,
      nextPoll: minute(7),
      canPollMore: false,
    });
  });
});

describe('descendingPage', () => {
  it('emits a short page whole and ends paging', () => {
    const short = page(3, (i) => minute(10 - i));
    expect(descendingPage(short)).toEqual({ events: short });
    expect(descendingPage([])).toEqual({ events: [] });
  });

  it('holds back the oldest tie group of a full page and points the cursor past it', () => {
    // The last 3 customers share minute 0; the one before them is minute 1.
    const full = page(PAGE_SIZE, (i) =>
      i >= PAGE_SIZE - 3 ? minute(0) : minute(Math.min(59, PAGE_SIZE - 3 - i)),
    );
    const { events, nextPage } = descendingPage(full);
    expect(events).toEqual(full.slice(0, PAGE_SIZE - 3));
    expect(nextPage).toBe(minute(1));
  });

  it('uses the last created_at when the page ends on a distinct timestamp', () => {
    const full = page(PAGE_SIZE, (i) => `2020-01-01T00:00:00.${String(999 - i).padStart(3, '0')}Z`);
    const { events, nextPage } = descendingPage(full);
    expect(events).toEqual(full.slice(0, PAGE_SIZE - 1));
    expect(nextPage).toBe(full[PAGE_SIZE - 2]?.created_at);
  });

  it('emits a full page of one timestamp whole, with that timestamp as the cursor', () => {
    const full = page(PAGE_SIZE, () => minute(3));
    expect(descendingPage(full)).toEqual({ events: full, nextPage: minute(3) });
  });
});
