/**
 * `new Date(ms).toISOString()` for the clock readings a run records by the dozen (step, item and
 * attempt times): the date and time up to the second are formatted once per second, the milliseconds
 * appended. `Date#toISOString` was a visible share of a run's CPU (issue 14).
 *
 * @module
 */

/** The latest year `toISOString` writes with four digits: later ones take the slow path. */
const LAST_FOUR_DIGIT_MS = 253_402_300_800_000;

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * The ISO time of `ms` (epoch milliseconds), exactly as `new Date(ms).toISOString()` gives it.
 *
 * @throws {RangeError} as `toISOString` does, for a time a `Date` cannot hold.
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= LAST_FOUR_DIGIT_MS) return new Date(ms).toISOString();
  const milli = ms % 1000;
  const second = ms - milli;
  if (second !== cachedSecond) {
    // `YYYY-MM-DDTHH:mm:ss.` of that second.
    cachedPrefix = new Date(second).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  return `${cachedPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
