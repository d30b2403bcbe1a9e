/**
 * The state a trigger keeps between poll cycles: plain JSON, so the CLI can print it and read it back
 * and the engine can store it in the same transaction as the runs it starts. Also the helpers both
 * trigger kinds share: JSON normalisation, the bounded dedup ledger, and record signatures.
 *
 * @module
 */
import { SdkError } from '../errors.js';

/** A JSON value, as a trigger state holds it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A `sortBy` value as stored: dates become ISO strings. */
export type SortValue = string | number;

/**
 * How many dedup signatures a trigger state remembers, newest last. Why a window is enough:
 * - ascending: the cursor (`closure`) only moves forward, so a record comes back only when the API
 *   repeats records near the cursor (an inclusive `created_since`, one shared timestamp). Those are the
 *   records emitted last, so the newest signatures are the ones needed.
 * - paging_desc: paging stops at the first page that reaches the high-water mark, so only records at or
 *   above it, plus one page below it, are ever compared with the ledger; everything older is judged by
 *   the high-water mark alone.
 * A window of 10,000 covers 100 pages of 100 records near the cursor.
 */
export const DEDUP_WINDOW = 10_000;

/** The state of an ascending trigger. */
export interface AscendingTriggerState {
  readonly kind: 'ascending';
  /** The author's cursor (`nextPoll` of the last poll that gave one); absent before the first. */
  readonly closure?: JsonValue;
  /** Dedup signatures of the latest emitted events, oldest first, at most {@link DEDUP_WINDOW}. */
  readonly seen: readonly string[];
}

/** The newest point a paging_desc trigger has emitted up to. */
export interface HighWaterMark {
  /** The greatest `sortBy` emitted so far. */
  readonly sortBy: SortValue;
  /** The document ids emitted with exactly that `sortBy` (several records can share a timestamp). */
  readonly ids: readonly string[];
}

/** The state of a paging_desc trigger. */
export interface PagingDescTriggerState {
  readonly kind: 'paging_desc';
  /** Dedup signatures of the latest emitted events, oldest first, at most {@link DEDUP_WINDOW}. */
  readonly seen: readonly string[];
  /** Absent until the first record is emitted. */
  readonly high?: HighWaterMark;
  /**
   * Set when a cycle hit its page limit before reaching the high-water mark: the next cycle goes on
   * from `cursor`, and `top` (the newest record of the backlog) becomes the high-water mark once the
   * backlog is done.
   */
  readonly backfill?: { readonly cursor: JsonValue; readonly top?: HighWaterMark };
}

/** What a trigger remembers between poll cycles: JSON, safe to print, store and read back. */
export type TriggerState = AscendingTriggerState | PagingDescTriggerState;

/** The kinds of trigger. */
export type TriggerKind = TriggerState['kind'];

/** The state of a trigger that has never polled. */
export function initialTriggerState(kind: 'ascending'): AscendingTriggerState;
export function initialTriggerState(kind: 'paging_desc'): PagingDescTriggerState;
export function initialTriggerState(kind: TriggerKind): TriggerState;
export function initialTriggerState(kind: TriggerKind): TriggerState {
  return kind === 'ascending' ? { kind, seen: [] } : { kind, seen: [] };
}

/**
 * Normalises `value` to JSON (a `Date` becomes its ISO string), so a state behaves the same whether it
 * stayed in memory or went through storage. `undefined` stays `undefined`.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` when the value cannot be written as JSON.
 */
export function toJsonValue(value: unknown, path: string): JsonValue | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new SdkError(
      'SLUICE_TRIGGER_RESULT',
      `${path}: must be JSON-serialisable (${(err as Error).message})`,
      {
        hint: 'use strings, numbers, booleans, arrays and plain objects for cursors',
        cause: err,
      },
    );
  }
  if (text === undefined) {
    throw new SdkError(
      'SLUICE_TRIGGER_RESULT',
      `${path}: must be JSON-serialisable (got ${describe(value)})`,
      {
        hint: 'use strings, numbers, booleans, arrays and plain objects for cursors',
      },
    );
  }
  return JSON.parse(text) as JsonValue;
}

/** Appends `signatures` to `seen` and keeps the newest {@link DEDUP_WINDOW} (or `window`). */
export function rememberSignatures(
  seen: readonly string[],
  signatures: readonly string[],
  window: number = DEDUP_WINDOW,
): string[] {
  const all = signatures.length === 0 ? [...seen] : [...seen, ...signatures];
  return all.length > window ? all.slice(all.length - window) : all;
}

/**
 * Turns what a `dedup` or `documentId` callback returned into a string key.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` for anything but a non-empty string or a finite number.
 */
export function toKey(value: unknown, path: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  throw new SdkError(
    'SLUICE_TRIGGER_RESULT',
    `${path}: must return a non-empty string or a number (got ${describe(value)})`,
    {
      hint: 'return the record id, or a string built from it',
    },
  );
}

/** The record's `id` field, matched case-insensitively (`id`, `ID`, `Id`); `undefined` when it has none. */
export function defaultDocumentId(record: Readonly<Record<string, unknown>>): unknown {
  if ('id' in record) return record.id;
  for (const key of Object.keys(record)) if (key.toLowerCase() === 'id') return record[key];
  return undefined;
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return value instanceof Date ? `a Date (${String(value)})` : 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return `${typeof value} ${String(value)}`;
}

/** True for a non-null, non-array object: what a trigger event must be. */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a state read back from JSON (the CLI's `--state`, the engine's store) and returns it typed.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_STATE` when it is malformed or belongs to the other trigger kind.
 */
export function parseTriggerState(value: unknown, kind: TriggerKind, path: string): TriggerState {
  const fail = (what: string): never => {
    throw new SdkError('SLUICE_TRIGGER_STATE', `${path}${what}`, {
      hint: `pass the state printed by the previous poll of this trigger, or none to start over (a ${kind} state looks like ${JSON.stringify(initialTriggerState(kind))})`,
    });
  };
  if (!isRecord(value)) return fail(`: must be an object (got ${describe(value)})`);
  if (value.kind !== kind)
    return fail(`.kind: must be ${JSON.stringify(kind)} (got ${describe(value.kind)})`);
  const seen = value.seen;
  if (!Array.isArray(seen) || !seen.every((s) => typeof s === 'string')) {
    return fail('.seen: must be an array of strings');
  }
  if (kind === 'ascending') {
    const closure = toJsonValue(value.closure, `${path}.closure`);
    return closure === undefined ? { kind, seen: [...seen] } : { kind, seen: [...seen], closure };
  }
  const state: {
    kind: 'paging_desc';
    seen: string[];
    high?: HighWaterMark;
    backfill?: PagingDescTriggerState['backfill'];
  } = {
    kind,
    seen: [...seen],
  };
  if (value.high !== undefined) state.high = parseHigh(value.high, '.high', fail);
  if (value.backfill !== undefined) {
    const backfill = value.backfill;
    if (!isRecord(backfill) || backfill.cursor === undefined || backfill.cursor === null) {
      return fail(`.backfill: must be { cursor, top? } (got ${describe(backfill)})`);
    }
    const cursor = toJsonValue(backfill.cursor, `${path}.backfill.cursor`) ?? null;
    state.backfill =
      backfill.top === undefined
        ? { cursor }
        : { cursor, top: parseHigh(backfill.top, '.backfill.top', fail) };
  }
  return state;
}

function parseHigh(value: unknown, at: string, fail: (what: string) => never): HighWaterMark {
  if (!isRecord(value)) return fail(`${at}: must be { sortBy, ids } (got ${describe(value)})`);
  const { sortBy, ids } = value;
  if (typeof sortBy !== 'string' && typeof sortBy !== 'number') {
    return fail(`${at}.sortBy: must be a string or a number (got ${describe(sortBy)})`);
  }
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    return fail(`${at}.ids: must be an array of strings`);
  }
  return { sortBy, ids: [...ids] };
}
