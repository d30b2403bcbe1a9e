/**
 * The paging decisions of the connector's triggers, as pure functions over one page of customers.
 *
 * @module
 */

/** The page size the triggers ask for (the API's maximum). */
export const PAGE_SIZE = 100;
/** Where the triggers start when `created_since` is not given. */
export const FAR_PAST = '1970-01-01T00:00:00Z';

/** The part of a customer the paging looks at. */
export interface Timestamped {
  id: number;
  created_at: string;
}

/**
 * Turns a `created_since`-like input into the ISO string the API takes: strings pass through,
 * dates are formatted, anything else (absent) gives `fallback`.
 */
export function toTimestamp(value: unknown, fallback: string): string {
  if (value instanceof Date) return `${value.toISOString().slice(0, 19)}Z`;
  if (typeof value === 'string' && value !== '') return value;
  return fallback;
}

/**
 * One ascending poll over a page fetched with `created_since = since, order = asc, limit = PAGE_SIZE`.
 * The next poll starts at the newest `created_at` seen (inclusive, so customers sharing that timestamp
 * are fetched again and dropped by the runtime's dedup); a full page means more may be waiting.
 */
export function ascendingPage<T extends Timestamped>(
  customers: readonly T[],
  since: string,
): { events: T[]; nextPoll: string; canPollMore: boolean } {
  return {
    events: [...customers],
    nextPoll: customers.at(-1)?.created_at ?? since,
    canPollMore: customers.length >= PAGE_SIZE,
  };
}

/**
 * One descending page fetched with `created_before = cursor (exclusive), order = desc, limit = PAGE_SIZE`.
 * A full page may end inside a group of customers sharing one `created_at`; the rest of that group is
 * on the next page, and an exclusive `created_before` equal to that timestamp would skip it. So a
 * full page holds back its oldest group and the cursor becomes the oldest timestamp it does emit: the
 * next page then begins with the whole held-back group. No gaps, no duplicates.
 *
 * A full page of one single timestamp cannot be split this way; it is emitted whole with that
 * timestamp as the cursor (customers of that instant beyond the page are then missed).
 */
export function descendingPage<T extends Timestamped>(
  customers: readonly T[],
): { events: T[]; nextPage?: string } {
  const oldest = customers.at(-1)?.created_at;
  if (oldest === undefined || customers.length < PAGE_SIZE) return { events: [...customers] };
  const events = customers.filter((c) => c.created_at !== oldest);
  const last = events.at(-1);
  if (last === undefined) return { events: [...customers], nextPage: oldest };
  return { events, nextPage: last.created_at };
}
