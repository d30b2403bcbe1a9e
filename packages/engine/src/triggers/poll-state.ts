/**
 * What a poll trigger stores in `trigger_states.state`: the SDK's trigger state (cursor and dedup ledger)
 * tagged with a fingerprint of the configuration it was polled with (`connector`, `trigger`,
 * `connection`, `input`). A state whose fingerprint differs from the workflow's current poll is not
 * used: the trigger starts over, as when the configuration changes on publish. The interval is not part
 * of it, so changing only how often to poll keeps the cursor.
 *
 * @internal
 * @module
 */
import { createHash } from 'node:crypto';
import type { TriggerState } from '@sluice/sdk/internal';
import type { PollTrigger } from '../workflow/model.js';

/** The stored form of a poll trigger's state. */
export interface StoredPollState {
  /** {@link pollFingerprint} of the configuration the state belongs to. */
  config: string;
  /** The SDK state, as `pollTrigger` returned it. */
  trigger: TriggerState;
}

/** The default poll interval, in seconds. */
export const DEFAULT_POLL_INTERVAL = 60;

/** A hash of what the cursor depends on: the connector, its trigger, the connection and the input. */
export function pollFingerprint(poll: PollTrigger): string {
  const config = [poll.connector, poll.trigger, poll.connection ?? null, poll.input ?? {}];
  return createHash('sha256').update(canonicalJson(config)).digest('base64url');
}

/** The SDK state to resume from, or `undefined` (start over) when none was stored for this configuration. */
export function resumableState(stored: unknown, poll: PollTrigger): TriggerState | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { config, trigger } = stored as Partial<StoredPollState>;
  return config === pollFingerprint(poll) && trigger !== undefined ? trigger : undefined;
}

/** Whether `stored` belongs to a different configuration than `poll` (a state of none does not). */
export function isStaleState(stored: unknown, poll: PollTrigger): boolean {
  return stored !== null && stored !== undefined && resumableState(stored, poll) === undefined;
}

/** The poll interval in ms. */
export function pollIntervalMs(poll: PollTrigger): number {
  return (poll.interval ?? DEFAULT_POLL_INTERVAL) * 1000;
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` give the same fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    const entries = keys.map(
      (k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`,
    );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
