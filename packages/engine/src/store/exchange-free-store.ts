/**
 * A {@link Store} that keeps no HTTP exchanges (issue 15): the engine hands one to each run of a
 * workspace whose `attempt_retention_days` is 0, so the requests and responses its attempts carry in
 * memory are dropped before any write; the attempts themselves are stored as always.
 *
 * @internal
 * @module
 */
import type { AttemptEntry, Store } from './store.js';

/** `store` with the exchanges of every saved step and item dropped. */
export function exchangeFreeStore(store: Store): Store {
  return {
    createRun: (run) => store.createRun(run),
    updateRun: (id, patch) => store.updateRun(id, patch),
    getRun: (id) => store.getRun(id),
    saveStep: (step) =>
      store.saveStep(step.history == null ? step : { ...step, history: bare(step.history) }),
    saveStepItem: (item) => store.saveStepItem({ ...item, history: bare(item.history) }),
    listSteps: (id) => store.listSteps(id),
    listStepItems: (id, options) => store.listStepItems(id, options),
  };
}

function bare(history: readonly AttemptEntry[]): AttemptEntry[] {
  return history.map(({ exchanges: _dropped, ...entry }) => entry);
}
