import { describe, expect, it } from 'vitest';
import { parseHttpDate, parseRetryAfter } from '../../src/retry/retry-after.js';

const now = Date.parse('1994-11-06T08:49:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    ['0', 0],
    ['  7 ', 7],
    ['Sun, 06 Nov 1994 08:49:37 GMT', 37],
    ['06 Nov 1994 08:49:37 GMT', 37],
    ['Sun, 06 Nov 1994 08:50:00 UTC', 60],
    ['Sun, 06 Nov 1994 09:49:37 +0100', 37],
    ['Sun, 06 Nov 1994 03:49:37 -0500', 37],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 37],
    ['Sun Nov  6 08:49:37 1994', 37],
    ['Sun, 06 Nov 1994 08:49:37', 37],
  ])('reads %j as %d seconds', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it('gives fractional seconds when the clock is between seconds', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:01 GMT', now + 500)).toBe(0.5);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', now)).toBe(0);
  });

  it.each([
    '',
    '1.5',
    '-1',
    '+5',
    'soon',
    'Sun, 30 Feb 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:00:00 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
  ])('rejects %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('parseHttpDate', () => {
  it('reads two-digit years below 69 as 20xx and the others as 19xx', () => {
    expect(parseHttpDate('Monday, 06-Nov-23 08:49:37 GMT')).toBe(Date.parse('2023-11-06T08:49:37Z'));
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(Date.parse('1994-11-06T08:49:37Z'));
  });
});
