/**
 * paging_desc triggers: the API lists records newest first. A poll cycle asks for the newest page
 * (cursor `undefined`), then follows `nextPage` backwards until it is absent or a page reaches a record
 * already emitted (not newer than the high-water mark, or a known dedup signature), and emits the new
 * records oldest first. Pure: the caller passes the poll function in.
 *
 * Records sharing one `sortBy` value are told apart by document id, so a new record with the same
 * timestamp as the high-water mark is still emitted, and a record repeated across a page boundary (an
 * inclusive cursor) is emitted once. A record whose `sortBy` moved past the mark (an update, with
 * `sortBy` on the modification time) is emitted again.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { checkEvents, checkMaxPolls, type PollCycle, type TriggerRecord } from './poll-ascending.js';
import {
  DEDUP_WINDOW,
  defaultDocumentId,
  describe,
  type HighWaterMark,
  initialTriggerState,
  type JsonValue,
  type PagingDescTriggerState,
  rememberSignatures,
  type SortValue,
  toJsonValue,
  toKey,
} from './trigger-state.js';

/** What a paging_desc `poll` returns, once checked. */
export interface PagingDescPollResult {
  /** Newest first. */
  readonly events: readonly TriggerRecord[];
  /** The cursor of the next (older) page; absent or `null` on the last page. */
  readonly nextPage?: unknown;
}

/**
 * Checks what an author's paging_desc `poll` returned.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` naming the trigger and what is wrong.
 */
export function checkPagingDescResult(value: unknown, path: string): PagingDescPollResult {
  checkEvents(value, path, '{ events: [...newest first], nextPage? }');
  return value as PagingDescPollResult;
}

/** The record callbacks of a paging_desc trigger. */
export interface PagingDescKeys {
  /** @default the record's `id` field, matched case-insensitively */
  readonly documentId?: ((record: TriggerRecord) => unknown) | undefined;
  readonly sortBy: (record: TriggerRecord) => unknown;
  /** @default `${documentId}@${sortBy}` */
  readonly dedup?: ((record: TriggerRecord) => unknown) | undefined;
}

/** A record with its keys worked out. */
export interface KeyedRecord {
  readonly record: TriggerRecord;
  readonly id: string;
  readonly sort: SortValue;
  readonly signature: string;
}

/**
 * Works out a record's document id, sort value and dedup signature.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` when a callback returns nothing usable.
 */
export function keyRecord(
  record: TriggerRecord,
  index: number,
  keys: PagingDescKeys,
  path: string,
): KeyedRecord {
  const at = `(events[${index}])`;
  let rawId: unknown;
  if (keys.documentId) rawId = keys.documentId(record);
  else {
    rawId = defaultDocumentId(record);
    if (rawId === undefined || rawId === null) {
      throw new SdkError('SLUICE_TRIGGER_RESULT', `${path}.poll: events[${index}] has no id field`, {
        hint: 'define documentId(record) to say which field identifies a record',
      });
    }
  }
  const id = toKey(rawId, `${path}.documentId ${at}`);
  const sort = toSortValue(keys.sortBy(record), `${path}.sortBy ${at}`);
  const signature = keys.dedup ? toKey(keys.dedup(record), `${path}.dedup ${at}`) : `${id}@${sort}`;
  return { record, id, sort, signature };
}

/**
 * Turns a `sortBy` result into a stored sort value: strings and finite numbers as they are, dates as
 * ISO strings.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` for anything else.
 */
export function toSortValue(value: unknown, path: string): SortValue {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.toISOString();
  throw new SdkError(
    'SLUICE_TRIGGER_RESULT',
    `${path}: must return a string, a number or a Date (got ${describe(value)})`,
    {
      hint: 'return the field the API sorts by, such as created_at',
    },
  );
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Orders two sort values: numbers by value, ISO 8601 dates by instant (so `+02:00` and `Z` compare
 * right), other strings by code point. Negative when `a` is older.
 */
export function compareSortValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  const sa = String(a);
  const sb = String(b);
  if (ISO_DATE.test(sa) && ISO_DATE.test(sb)) {
    const ta = Date.parse(sa);
    const tb = Date.parse(sb);
    if (Number.isFinite(ta) && Number.isFinite(tb)) return Math.sign(ta - tb);
  }
  const na = Number(sa);
  const nb = Number(sb);
  if (sa.trim() !== '' && sb.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb))
    return Math.sign(na - nb);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** True when the record is not newer than the high-water mark (so it was emitted before). */
export function isBelowHighWater(record: KeyedRecord, high: HighWaterMark | undefined): boolean {
  if (high === undefined) return false;
  const order = compareSortValues(record.sort, high.sortBy);
  return order < 0 || (order === 0 && high.ids.includes(record.id));
}

/** The newer of two high-water marks; ids are merged when they share a sort value. */
export function mergeHighWater(
  a: HighWaterMark | undefined,
  b: HighWaterMark | undefined,
  window: number = DEDUP_WINDOW,
): HighWaterMark | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const order = compareSortValues(a.sortBy, b.sortBy);
  if (order !== 0) return order > 0 ? a : b;
  const ids = [...new Set([...a.ids, ...b.ids])];
  return { sortBy: a.sortBy, ids: ids.length > window ? ids.slice(ids.length - window) : ids };
}

/** The high-water mark of a set of records: their greatest sort value and the ids that have it. */
export function highWaterOf(records: readonly KeyedRecord[]): HighWaterMark | undefined {
  let high: HighWaterMark | undefined;
  for (const record of records) high = mergeHighWater(high, { sortBy: record.sort, ids: [record.id] });
  return high;
}

/** What scanning one page found. */
export interface PageScan {
  /** Records to emit, newest first, as on the page. */
  readonly fresh: KeyedRecord[];
  /** True when the page reached records emitted before: paging stops here. */
  readonly reached: boolean;
}

/**
 * Sorts one page into new records and already-emitted ones. `batch` holds the signatures collected so
 * far in this cycle (it is updated); `known` the ledger. Pure apart from `batch`.
 */
export function scanPage(
  page: readonly KeyedRecord[],
  context: {
    readonly high: HighWaterMark | undefined;
    readonly known: ReadonlySet<string>;
    readonly batch: Set<string>;
    /** In a backfill the ledger holds newer records of this backlog, so a ledger hit does not stop paging. */
    readonly backfilling: boolean;
  },
): PageScan {
  const fresh: KeyedRecord[] = [];
  let reached = false;
  for (const record of page) {
    if (isBelowHighWater(record, context.high)) {
      reached = true;
      continue;
    }
    if (context.known.has(record.signature)) {
      if (!context.backfilling) reached = true;
      continue;
    }
    if (context.batch.has(record.signature)) continue;
    context.batch.add(record.signature);
    fresh.push(record);
  }
  return { fresh, reached };
}

/**
 * Ends a cycle: the collected records (newest first) are emitted oldest first and remembered. When
 * `pendingCursor` is given the cycle stopped at its page limit: the high-water mark stays where it was
 * (older pages still hold new records) and the next cycle goes on from that cursor. Pure.
 */
export function finishPagingDesc(
  state: PagingDescTriggerState,
  collected: readonly KeyedRecord[],
  pendingCursor: JsonValue | undefined,
  window: number = DEDUP_WINDOW,
): { events: TriggerRecord[]; state: PagingDescTriggerState } {
  const oldestFirst = [...collected].reverse();
  const seen = rememberSignatures(
    state.seen,
    oldestFirst.map((keyed) => keyed.signature),
    window,
  );
  const top = mergeHighWater(state.backfill?.top, highWaterOf(collected), window);
  const base =
    state.high === undefined
      ? { kind: 'paging_desc' as const, seen }
      : { kind: 'paging_desc' as const, seen, high: state.high };
  let next: PagingDescTriggerState;
  if (pendingCursor !== undefined) {
    next = {
      ...base,
      backfill: top === undefined ? { cursor: pendingCursor } : { cursor: pendingCursor, top },
    };
  } else {
    const high = mergeHighWater(state.high, top, window);
    next = high === undefined ? { kind: 'paging_desc', seen } : { kind: 'paging_desc', seen, high };
  }
  return { events: oldestFirst.map((keyed) => keyed.record), state: next };
}

/** Options of {@link pollPagingDesc}. */
export interface PollPagingDescOptions extends PagingDescKeys {
  /** Names the trigger in errors: `triggers.new_customer`. */
  readonly path: string;
  /** Calls the author's `poll` with a page cursor (`undefined` for the newest page). */
  readonly poll: (cursor: JsonValue | undefined) => unknown;
  /** @default a fresh state */
  readonly state?: PagingDescTriggerState | undefined;
  /** Pages per cycle at most. @default 100 */
  readonly maxPolls?: number | undefined;
  /** Signatures remembered. @default 10,000 */
  readonly window?: number | undefined;
}

/**
 * Runs one poll cycle of a paging_desc trigger and returns the new records oldest first with the next
 * state. When the cycle reaches `maxPolls` pages before any record seen before, it emits what it has
 * and the next cycle goes on from the next page (no record is lost; each batch is oldest first).
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` when a poll result or a record callback is malformed.
 */
export async function pollPagingDesc(
  options: PollPagingDescOptions,
): Promise<PollCycle<PagingDescTriggerState>> {
  const maxPolls = checkMaxPolls(options.maxPolls);
  const window = options.window ?? DEDUP_WINDOW;
  const state = options.state ?? initialTriggerState('paging_desc');
  const context = {
    high: state.high,
    known: new Set(state.seen),
    batch: new Set<string>(),
    backfilling: state.backfill !== undefined,
  };
  let cursor: JsonValue | undefined = state.backfill?.cursor;
  const collected: KeyedRecord[] = [];
  let polls = 0;
  while (polls < maxPolls) {
    polls += 1;
    const result = checkPagingDescResult(await options.poll(cursor), options.path);
    const page = result.events.map((record, index) => keyRecord(record, index, options, options.path));
    const scan = scanPage(page, context);
    collected.push(...scan.fresh);
    const next = toJsonValue(result.nextPage, `${options.path}.poll: nextPage`);
    if (scan.reached || next === undefined || next === null) {
      return { ...finishPagingDesc(state, collected, undefined, window), polls };
    }
    cursor = next;
  }
  return { ...finishPagingDesc(state, collected, cursor, window), polls };
}
