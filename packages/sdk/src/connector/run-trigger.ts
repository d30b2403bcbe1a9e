/**
 * Running one poll cycle of a trigger definition: picks the ascending or paging_desc semantics, checks a
 * stored state, and binds the record callbacks. The runtime supplies the poll function.
 *
 * @module
 */
import { pollAscending } from '../trigger/poll-ascending.js';
import { pollPagingDesc } from '../trigger/poll-paging-desc.js';
import {
  type AscendingTriggerState,
  type PagingDescTriggerState,
  parseTriggerState,
  type TriggerState,
} from '../trigger/trigger-state.js';
import type { AscendingTriggerDefinition, PagingDescTriggerDefinition } from './define-connector.js';

/** What {@link runTriggerCycle} needs. */
export interface RunTriggerCycleOptions {
  readonly name: string;
  readonly trigger: AscendingTriggerDefinition | PagingDescTriggerDefinition;
  /** The previous cycle's state, possibly read back from JSON. @default a fresh state */
  readonly state?: unknown;
  /** @default 100 */
  readonly maxPolls?: number | undefined;
  /** Calls the author's `poll` with the cursor. */
  readonly poll: (closure: unknown) => unknown;
}

/**
 * Runs one full poll cycle and returns the new events, oldest first, with the next state.
 *
 * @throws {SdkError} `SLUICE_TRIGGER_STATE` for a malformed state, `SLUICE_TRIGGER_RESULT` for a malformed
 *   poll result.
 */
export async function runTriggerCycle(
  options: RunTriggerCycleOptions,
): Promise<{ events: unknown[]; state: TriggerState }> {
  const path = `triggers.${options.name}`;
  const { trigger, maxPolls, poll } = options;
  if (trigger.type === 'paging_desc') {
    const state =
      options.state === undefined
        ? undefined
        : (parseTriggerState(options.state, 'paging_desc', `${path}.state`) as PagingDescTriggerState);
    const { documentId, dedup } = trigger;
    const cycle = await pollPagingDesc({
      path,
      poll,
      state,
      maxPolls,
      sortBy: (record) => trigger.sortBy(record),
      documentId: documentId === undefined ? undefined : (record) => documentId.call(trigger, record),
      dedup: dedup === undefined ? undefined : (record) => dedup.call(trigger, record),
    });
    return { events: cycle.events, state: cycle.state };
  }
  const state =
    options.state === undefined
      ? undefined
      : (parseTriggerState(options.state, 'ascending', `${path}.state`) as AscendingTriggerState);
  const { dedup } = trigger;
  const cycle = await pollAscending({
    path,
    poll,
    state,
    maxPolls,
    dedup: dedup === undefined ? undefined : (record) => dedup.call(trigger, record),
  });
  return { events: cycle.events, state: cycle.state };
}
