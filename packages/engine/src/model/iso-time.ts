/**
 * ISO times of the clock readings a run records by the dozen (step, item and attempt times), written
 * and read back without `Date` objects: `Date#toISOString` and `Date.parse` were a visible share of a run's
 * CPU (issue 14). The text up to the second (`YYYY-MM-DDTHH:mm:ss.`) is made once per second and kept for
 * the few seconds in use at a time (now, a lease's expiry), the milliseconds appended; a canonical text is
 * read back from its digits.
 *
 * @module
 */

/** The latest time `toISOString` writes with a four-digit year: later ones take the slow path. */
const LAST_FOUR_DIGIT_MS = 253_402_300_800_000;

/** `YYYY-MM-DDTHH:mm:ss.` and its second (epoch ms), for the last few seconds formatted. */
const SLOTS = 4;
const slotSeconds: number[] = new Array(SLOTS).fill(Number.NaN);
const slotPrefixes: string[] = new Array(SLOTS).fill('\u0000');
let nextSlot = 0;

function prefixOf(second: number): string {
  for (let k = 1; k <= SLOTS; k++) {
    const i = (nextSlot - k + SLOTS) % SLOTS;
    if (slotSeconds[i] === second) return slotPrefixes[i] as string;
  }
  const prefix = new Date(second).toISOString().slice(0, 20);
  slotSeconds[nextSlot] = second;
  slotPrefixes[nextSlot] = prefix;
  nextSlot = (nextSlot + 1) % SLOTS;
  return prefix;
}

/**
 * The ISO time of `ms` (epoch milliseconds), exactly as `new Date(ms).toISOString()` writes it.
 *
 * @throws {RangeError} as `toISOString` does, for a time a `Date` cannot hold.
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= LAST_FOUR_DIGIT_MS) return new Date(ms).toISOString();
  const milli = ms % 1000;
  return `${prefixOf(ms - milli)}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/**
 * `Date.parse(text)`: computed from the digits for a text as `toISOString` writes it (with a day that
 * every month has), else by `Date.parse` (`NaN` for what is not a time).
 */
export function isoTimeMs(text: string): number {
  const ms = canonicalMs(text);
  return Number.isNaN(ms) ? Date.parse(text) : ms;
}

/**
 * Whether `text` is a time exactly as `toISOString` writes it, known without parsing: `YYYY-MM-DDTHH:mm:ss.sssZ`
 * with a year from 0100, a day from 01 to 28 (valid in every month) and every other field in range. `false`
 * says nothing about other texts (the caller checks them the slow way).
 */
export function isCanonicalIsoTime(text: string): boolean {
  return !Number.isNaN(canonicalMs(text));
}

/** Separators of `YYYY-MM-DDTHH:mm:ss.sssZ` by position. */
const SEPARATORS: readonly (readonly [number, number])[] = [
  [4, 45], // -
  [7, 45], // -
  [10, 84], // T
  [13, 58], // :
  [16, 58], // :
  [19, 46], // .
  [23, 90], // Z
];

/** The epoch ms of a canonical text (see {@link isCanonicalIsoTime}), else `NaN`. */
function canonicalMs(text: string): number {
  if (text.length !== 24) return Number.NaN;
  for (const [at, code] of SEPARATORS) if (text.charCodeAt(at) !== code) return Number.NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const milli = digits(text, 20, 3);
  // `Date.UTC` reads years 0 to 99 as 1900 to 1999: those take the slow path.
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= 28)) return Number.NaN;
  if (!(hour <= 23 && minute <= 59 && second <= 59 && milli >= 0)) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, milli);
}

/** The number written by `length` decimal digits at `at`; `NaN` when one is not a digit. */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}
