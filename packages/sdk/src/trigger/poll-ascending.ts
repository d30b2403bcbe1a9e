/**
 * Ascending triggers (the default kind): the API lists records oldest first from a cursor. A poll
 * cycle calls the author's `poll` with the cursor, emits the events it returns in that order minus
 * those already emitted (by `dedup` signature), keeps `nextPoll` as the next cursor, and polls again
 * at once while `canPollMore` is true. Pure: the caller passes the poll function in.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import {
  type AscendingTriggerState,
  DEDUP_WINDOW,
  defaultDocumentId,
  describe,
  initialTriggerState,
  isRecord,
  type JsonValue,
  rememberSignatures,
  toJsonValue,
  toKey,
} from './trigger-state.js';

/** A trigger record: one event as the author's poll returned it. */
export type TriggerRecord = Readonly<Record<string, unknown>>;

/** What an ascending `poll` returns, once checked. */
export interface AscendingPollResult {
  readonly events: readonly TriggerRecord[];
  readonly nextPoll?: unknown;
  readonly canPollMore?: boolean;
}

/** How many polls one cycle makes at most, following `canPollMore`. */
export const DEFAULT_MAX_POLLS = 100;

/**
 * Checks what an author's `poll` returned. `path` names the trigger (`triggers.new_customer`).
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` naming the trigger and what is wrong.
 */
export function checkAscendingResult(value: unknown, path: string): AscendingPollResult {
  checkEvents(value, path, '{ events: [...], nextPoll?, canPollMore? }');
  const { canPollMore } = value;
  if (canPollMore !== undefined && canPollMore !== null && typeof canPollMore !== 'boolean') {
    throw new SdkError(
      'SLUICE_TRIGGER_RESULT',
      `${path}.poll: canPollMore must be a boolean (got ${describe(canPollMore)})`,
      { hint: 'return canPollMore: true only when more records may be waiting right now' },
    );
  }
  return value as AscendingPollResult;
}

/**
 * Checks that `value` is `{ events: [...] }` with an object per event.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT`.
 */
export function checkEvents(
  value: unknown,
  path: string,
  shape: string,
): asserts value is { readonly events: readonly TriggerRecord[] } & Readonly<Record<string, unknown>> {
  if (!isRecord(value) || !Array.isArray(value.events)) {
    const got = isRecord(value) ? `events: ${describe(value.events)}` : describe(value);
    throw new SdkError('SLUICE_TRIGGER_RESULT', `${path}.poll: must return { events: [...] } (got ${got})`, {
      hint: `return ${shape}; use events: [] when there is nothing new`,
    });
  }
  value.events.forEach((event: unknown, index: number) => {
    if (!isRecord(event)) {
      throw new SdkError(
        'SLUICE_TRIGGER_RESULT',
        `${path}.poll: events[${index}] must be an object (got ${describe(event)})`,
        { hint: 'return one object per record' },
      );
    }
  });
}

/**
 * The default `dedup` of ascending triggers: the record's `id` field (any case), or the whole record as
 * JSON when it has none.
 */
export function defaultAscendingDedup(record: TriggerRecord): unknown {
  const id = defaultDocumentId(record);
  return id === undefined || id === null ? JSON.stringify(record) : id;
}

/** What one poll adds to a cycle. */
export interface AscendingStep {
  /** The events to emit, in the order the poll returned them, without already-emitted ones. */
  readonly events: TriggerRecord[];
  readonly state: AscendingTriggerState;
  /** True when the poll said `canPollMore`. */
  readonly more: boolean;
}

/**
 * Applies one checked poll result to the state: drops events whose signature was seen, remembers the
 * others, and moves the cursor to `nextPoll` (kept when absent). Pure.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` when `dedup` returns nothing usable or `nextPoll` is not JSON.
 */
export function applyAscendingPoll(
  state: AscendingTriggerState,
  result: AscendingPollResult,
  options: { path: string; dedup?: ((record: TriggerRecord) => unknown) | undefined; window?: number },
): AscendingStep {
  const dedup = options.dedup ?? defaultAscendingDedup;
  const known = new Set(state.seen);
  const events: TriggerRecord[] = [];
  const signatures: string[] = [];
  result.events.forEach((event, index) => {
    const signature = toKey(dedup(event), `${options.path}.dedup (events[${index}])`);
    if (known.has(signature)) return;
    known.add(signature);
    signatures.push(signature);
    events.push(event);
  });
  const next = toJsonValue(result.nextPoll, `${options.path}.poll: nextPoll`);
  const closure: JsonValue | undefined = next === undefined || next === null ? state.closure : next;
  const seen = rememberSignatures(state.seen, signatures, options.window ?? DEDUP_WINDOW);
  return {
    events,
    state: closure === undefined ? { kind: 'ascending', seen } : { kind: 'ascending', closure, seen },
    more: result.canPollMore === true,
  };
}

/** Options of {@link pollAscending}. */
export interface PollAscendingOptions {
  /** Names the trigger in errors: `triggers.new_customer`. */
  readonly path: string;
  /** Calls the author's `poll` with the cursor (`undefined` on the very first poll). */
  readonly poll: (closure: JsonValue | undefined) => unknown;
  /** @default a fresh state */
  readonly state?: AscendingTriggerState | undefined;
  /** @default the record's `id` field, or the record as JSON */
  readonly dedup?: ((record: TriggerRecord) => unknown) | undefined;
  /** Polls per cycle at most, following `canPollMore`. @default 100 */
  readonly maxPolls?: number | undefined;
  /** Signatures remembered. @default 10,000 */
  readonly window?: number | undefined;
}

/** The outcome of one poll cycle. */
export interface PollCycle<S> {
  /** New events, oldest first. */
  readonly events: TriggerRecord[];
  /** The state to store and pass to the next cycle. */
  readonly state: S;
  /** How many times `poll` was called. */
  readonly polls: number;
}

/**
 * Runs one poll cycle of an ascending trigger: polls, then polls again at once while the result says
 * `canPollMore` (at most `maxPolls` times), and returns the new events oldest first with the next state.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_RESULT` when a poll result has the wrong shape.
 */
export async function pollAscending(
  options: PollAscendingOptions,
): Promise<PollCycle<AscendingTriggerState>> {
  const maxPolls = checkMaxPolls(options.maxPolls);
  let state = options.state ?? initialTriggerState('ascending');
  const events: TriggerRecord[] = [];
  let polls = 0;
  let more = true;
  while (more && polls < maxPolls) {
    polls += 1;
    const result = checkAscendingResult(await options.poll(state.closure), options.path);
    const step = applyAscendingPoll(state, result, {
      path: options.path,
      dedup: options.dedup,
      window: options.window ?? DEDUP_WINDOW,
    });
    events.push(...step.events);
    state = step.state;
    more = step.more;
  }
  return { events, state, polls };
}

/**
 * Checks a `maxPolls` option.
 *
 * @throws {RangeError} unless it is a positive integer.
 */
export function checkMaxPolls(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_POLLS;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`maxPolls: must be a positive integer (got ${String(value)})`);
  }
  return value;
}
