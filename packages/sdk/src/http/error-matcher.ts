/**
 * What `afterErrorResponse` and `detectOn` match on: a status code, a string found in the body (or in
 * the status line, `404 Not Found`, as Workato also looks at the error message), a regular expression
 * tested on the same, or a list of these. Pure functions.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { describe } from './values.js';

/**
 * What `afterErrorResponse` matches: a status code, a string found in the body, a regular expression
 * tested on the body, or a list of these.
 */
export type ErrorMatcher = number | string | RegExp | readonly (number | string | RegExp)[];

/** The parts of a response a matcher looks at. */
export interface MatchTarget {
  status: number;
  /** `404 Not Found`. */
  statusLine: string;
  /** The body as text (UTF-8). */
  bodyText: string;
}

/** Tells whether `matcher` matches the response. */
export function matchesResponse(matcher: ErrorMatcher, target: MatchTarget): boolean {
  if (Array.isArray(matcher)) return matcher.some((one) => matchesResponse(one, target));
  if (typeof matcher === 'number') return matcher === target.status;
  if (typeof matcher === 'string')
    return target.bodyText.includes(matcher) || target.statusLine.includes(matcher);
  if (matcher instanceof RegExp) {
    // A copy without the g/y flags, so the caller's lastIndex is neither used nor changed.
    const re = new RegExp(matcher.source, matcher.flags.replace(/[gy]/g, ''));
    return re.test(target.bodyText) || re.test(target.statusLine);
  }
  return false;
}

/** What `detectOn` and `refreshOn` look at. */
export interface AuthPatternTarget {
  /** The status, or `undefined` for a success that `detectOn` flagged (the gem has no `http_code` then). */
  status: number | undefined;
  /** The error's message: `401 Unauthorized`, or the body of a success that `detectOn` flagged. */
  message: string | undefined;
  /** The body as text (UTF-8). */
  bodyText: string | undefined;
}

/**
 * How the authorization's `detectOn` and `refreshOn` match, as the Workato connector SDK does
 * (`pattern === value` in `Connection::Authorization#refresh?` and `Request#detect_auth_error!`): a status
 * code equals the status; a string equals the whole body or the whole message (not a substring); a
 * regular expression is tested on the body and on the message.
 */
export function matchesAuthPattern(matcher: ErrorMatcher, target: AuthPatternTarget): boolean {
  if (Array.isArray(matcher)) return matcher.some((one) => matchesAuthPattern(one, target));
  if (typeof matcher === 'number') return matcher === target.status;
  if (typeof matcher === 'string') return matcher === target.bodyText || matcher === target.message;
  if (matcher instanceof RegExp) {
    const re = new RegExp(matcher.source, matcher.flags.replace(/[gy]/g, ''));
    return (
      (target.bodyText !== undefined && re.test(target.bodyText)) ||
      (target.message !== undefined && re.test(target.message))
    );
  }
  return false;
}

/**
 * The first of `handlers` whose matcher matches the failed response (`bodyText` is its body as text).
 */
export function findMatching<H extends { readonly matcher: ErrorMatcher }>(
  handlers: readonly H[],
  failure: { readonly status: number; readonly statusText: string },
  bodyText: string,
): H | undefined {
  const target = {
    status: failure.status,
    statusLine: `${failure.status} ${failure.statusText}`.trim(),
    bodyText,
  };
  return handlers.find((handler) => matchesResponse(handler.matcher, target));
}

/**
 * Checks that `value` is a matcher: an integer status, a non-empty string, a RegExp, or a non-empty
 * list of these. `where` names the option in the message (`afterErrorResponse(matcher)`).
 *
 * @throws {SdkError} `SLUICE_HTTP_OPTION` otherwise.
 */
export function validateMatcher(value: unknown, where: string): ErrorMatcher {
  const one = (item: unknown): item is number | string | RegExp =>
    (typeof item === 'number' && Number.isInteger(item) && item >= 100 && item <= 599) ||
    (typeof item === 'string' && item !== '') ||
    item instanceof RegExp;
  if (one(value)) return value;
  if (Array.isArray(value) && value.length > 0 && value.every(one)) return Object.freeze([...value]);
  throw new SdkError(
    'SLUICE_HTTP_OPTION',
    `${where}: expected a status code (100-599), a non-empty string, a RegExp or a non-empty list of these, got ${describeMatcher(value)}`,
    { hint: 'e.g. 404, "not found", /rate limit/i or [401, /token expired/]' },
  );
}

function describeMatcher(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list with an invalid entry';
  return describe(value);
}
