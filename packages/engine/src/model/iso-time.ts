/**
 * ISO times of the clock readings a run records by the dozen (step, item and attempt times), written
 * and read back without `Date`: `Date#toISOString` and `Date.parse` were a visible share of a run's CPU
 * (issue 14). The text up to the second (`YYYY-MM-DDTHH:mm:ss.`) is made once per second and kept for
 * the few seconds in use at a time (now, a lease's expiry); the milliseconds are appended or read.
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
 * `Date.parse(text)`: at once for a time of a second {@link isoTime} wrote lately, else by `Date.parse`
 * (`NaN` for what is not a time).
 */
export function isoTimeMs(text: string): number {
  const slot = slotOf(text);
  return slot < 0 ? Date.parse(text) : (slotSeconds[slot] as number) + millisOf(text);
}

/**
 * Whether `text` is a time exactly as `toISOString` writes it, known without parsing: one of a second
 * {@link isoTime} wrote lately. `false` says nothing (the caller checks the slow way).
 */
export function isKnownIsoTime(text: string): boolean {
  return slotOf(text) >= 0;
}

/** The slot whose prefix `text` has, followed by three digits and `Z`; -1 when none. */
function slotOf(text: string): number {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */) return -1;
  if (!isDigit(text, 20) || !isDigit(text, 21) || !isDigit(text, 22)) return -1;
  // The second formatted last first: most texts are of it.
  for (let k = 1; k <= SLOTS; k++) {
    const i = (nextSlot - k + SLOTS) % SLOTS;
    if (text.startsWith(slotPrefixes[i] as string)) return i;
  }
  return -1;
}

function isDigit(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code >= 48 && code <= 57;
}

function millisOf(text: string): number {
  return (text.charCodeAt(20) - 48) * 100 + (text.charCodeAt(21) - 48) * 10 + (text.charCodeAt(22) - 48);
}
