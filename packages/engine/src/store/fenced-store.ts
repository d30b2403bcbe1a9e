/**
 * A {@link Store} whose writes can be switched off: the engine hands one to each run it executes, and
 * fences it when `close()` checkpoints the run, so nothing more is recorded and the run stays as its
 * last commit left it, to be resumed on the next start (like after a crash).
 *
 * @internal
 * @module
 */
import { EngineError } from '../errors.js';
import type { Store } from './store.js';

/** `store` with its writes refused once `isFenced()` (a run checkpointed by `close()`). */
export function fencedStore(store: Store, isFenced: () => boolean): Store {
  const guard =
    <A extends unknown[]>(write: (...args: A) => Promise<void>) =>
    (...args: A): Promise<void> =>
      isFenced()
        ? Promise.reject(new EngineError('SLUICE_ENGINE_CLOSED', 'the engine closed; write skipped'))
        : write(...args);
  return {
    createRun: guard((run) => store.createRun(run)),
    updateRun: guard((id, patch) => store.updateRun(id, patch)),
    getRun: (id) => store.getRun(id),
    saveStep: guard((step) => store.saveStep(step)),
    saveStepItem: guard((item) => store.saveStepItem(item)),
    listSteps: (id) => store.listSteps(id),
    listStepItems: (id, options) => store.listStepItems(id, options),
  };
}
