/**
 * Parses the `Retry-After` response header (RFC 9110 §10.2.3) relative to an injected clock.
 *
 * @module
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const DELTA_SECONDS = /^\s*([0-9]+)\s*$/;
const ZONE = String.raw`(?:\s+(GMT|UTC|UT|Z|[+-]\d{4}))?`;
/** IMF-fixdate and RFC 1123/2822 dates: `Sun, 06 Nov 1994 08:49:37 GMT` (the weekday is optional). */
const IMF_DATE = new RegExp(
  String.raw`^\s*(?:[a-z]+,?\s+)?(\d{1,2})\s+([a-z]{3})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?${ZONE}\s*$`,
  'i',
);
/** RFC 850 dates: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(
  String.raw`^\s*[a-z]+,\s*(\d{1,2})-([a-z]{3})-(\d{2,4})\s+(\d{1,2}):(\d{2}):(\d{2})${ZONE}\s*$`,
  'i',
);
/** ANSI C `asctime()` dates: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = /^\s*[a-z]{3}\s+([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})\s*$/i;

/**
 * Parses a `Retry-After` value into seconds to wait from `now`: either delta-seconds (`120`) or an
 * HTTP date in any of the three formats HTTP allows (IMF-fixdate, RFC 850, asctime). A date in the
 * past gives 0. A date without a zone is read as GMT, as HTTP dates always are. Two-digit years
 * below 69 are 20xx, the others 19xx (as Python's `email.utils` reads them, which urllib3 uses).
 *
 * @param value - the header value.
 * @param now - the current time in milliseconds since the epoch.
 * @returns seconds (never negative, fractional for dates), or `undefined` when the value is not a
 * valid delta-seconds or HTTP date (fractions such as `1.5` and negative numbers are invalid).
 *
 * @example
 * parseRetryAfter('120', Date.now()); // 120
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z')); // 60
 */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const delta = DELTA_SECONDS.exec(value);
  if (delta) return Number.parseInt(delta[1] as string, 10);
  const at = parseHttpDate(value);
  if (at === undefined) return undefined;
  return Math.max(0, (at - now) / 1000);
}

/** An HTTP date as milliseconds since the epoch, or `undefined` when it is not one. */
export function parseHttpDate(value: string): number | undefined {
  let m = IMF_DATE.exec(value) ?? RFC850_DATE.exec(value);
  if (m) return toEpoch(m[3], m[2], m[1], m[4], m[5], m[6], m[7]);
  m = ASCTIME_DATE.exec(value);
  if (m) return toEpoch(m[6], m[1], m[2], m[3], m[4], m[5], undefined);
  return undefined;
}

function toEpoch(
  yearText: string | undefined,
  monthText: string | undefined,
  dayText: string | undefined,
  hourText: string | undefined,
  minuteText: string | undefined,
  secondText: string | undefined,
  zone: string | undefined,
): number | undefined {
  const month = MONTHS.indexOf((monthText ?? '').toLowerCase());
  let year = Number(yearText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (month < 0 || hour > 23 || minute > 59 || second > 60) return undefined;
  if ((yearText ?? '').length === 2) year += year < 69 ? 2000 : 1900;
  const check = new Date(0);
  check.setUTCFullYear(year, month, day);
  check.setUTCHours(hour, minute, Math.min(second, 59), 0);
  const ms = check.getTime();
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return undefined;
  return ms - zoneOffsetMs(zone);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || !/^[+-]/.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(3, 5));
  return sign * (hours * 60 + minutes) * 60_000;
}
