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
 * with a day from 01 to 28 (valid in every month) and every other field in range. `false` says nothing about
 * other texts (the caller checks them the slow way).
 */
export function isCanonicalIsoTime(text: string): boolean {
  return CANONICAL.test(text);
}

/**
 * `toISOString`'s form with a day that every month has and every other field in range (a regex is compiled
 * to machine code: faster here than reading the characters one by one).
 */
const CANONICAL = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** The epoch ms of a canonical text (see {@link isCanonicalIsoTime}), else `NaN`. */
function canonicalMs(text: string): number {
  if (!isCanonicalIsoTime(text)) return Number.NaN;
  const days = daysFromCivil(number(text, 0, 4), number(text, 5, 2), number(text, 8, 2));
  const clock = number(text, 11, 2) * 3_600_000 + number(text, 14, 2) * 60_000 + number(text, 17, 2) * 1000;
  return days * 86_400_000 + clock + number(text, 20, 3);
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (year 0 or later): H. Hinnant's
 * `days_from_civil`, in integers (`Date.UTC` costs several times more).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The number the `length` digits at `at` write (the caller checked they are digits). */
function number(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}
