/**
 * The rows of a run as its execution in this process wrote them, so `?wait=true` answers from memory
 * once the run ended here instead of reading the run and its steps back (issue 14: two reads and their
 * decoding per run). Only a run this process created started (`RunSupervisor.carry`) is recorded: its
 * row as inserted is known and every later write of it goes through this execution.
 *
 * What the recording answers is what a read would: each write is recorded once it resolved, in the form a
 * read gives back (`store/runs/rows-as-read.ts`). One race is not seen: another process sharing the
 * database cancelling the run just as it ends here (that process's end wins in the store; the answer
 * shows the end executed here).
 *
 * @internal
 * @module
 */
import { EngineError } from '../errors.js';
import { itemAsRead, runPatchedAsRead, stepAsRead } from '../store/runs/rows-as-read.js';
import { withStepCalls } from '../store/runs/step-calls.js';
import type { RunRow, StepItemRow, StepRow, Store } from '../store/store.js';

function readOnly(): Promise<never> {
  return Promise.reject(new EngineError('SLUICE_STORE', 'the recorded rows of an ended run are read-only'));
}

/** Records the writes of one run's execution; {@link ended} reads them back. */
export class RunRecorder {
  #run: RunRow;
  readonly #steps = new Map<number, StepRow>();
  readonly #items = new Map<string, StepItemRow>();

  /** `run`: the row as inserted (and as a read would give it). */
  constructor(run: RunRow) {
    this.#run = run;
  }

  /** `store`, its writes of this run recorded once they resolved. */
  wrap(store: Store): Store {
    const id = this.#run.id;
    return {
      createRun: (run) => store.createRun(run),
      // Each write's own promise, recorded in its reaction (no `async` layer per write of the hot path).
      updateRun: (runId, patch) =>
        store.updateRun(runId, patch).then(() => {
          if (runId === id) this.#run = runPatchedAsRead(this.#run, patch);
        }),
      getRun: (runId) => store.getRun(runId),
      saveStep: (step) =>
        store.saveStep(step).then(() => {
          if (step.run_id === id) this.#steps.set(step.step_index, stepAsRead(step));
        }),
      saveStepItem: (item) =>
        store.saveStepItem(item).then(() => {
          if (item.run_id === id) this.#items.set(`${item.step_index}:${item.item_index}`, itemAsRead(item));
        }),
      listSteps: (runId) => store.listSteps(runId),
      listStepItems: (runId, options) => store.listStepItems(runId, options),
    };
  }

  /** A read-only store of the recorded rows: what `runView` reads for `?wait=true`. */
  ended(): Store {
    const run = this.#run;
    const steps = [...this.#steps.values()].sort((a, b) => a.step_index - b.step_index);
    const items = [...this.#items.values()].sort(
      (a, b) => a.step_index - b.step_index || a.item_index - b.item_index,
    );
    const mine = (runId: string) => runId === run.id;
    return {
      createRun: readOnly,
      updateRun: readOnly,
      saveStep: readOnly,
      saveStepItem: readOnly,
      getRun: (runId) => Promise.resolve(mine(runId) ? run : undefined),
      listSteps: (runId) => Promise.resolve(mine(runId) ? steps : []),
      listStepItems: (runId) => Promise.resolve(mine(runId) ? withStepCalls(steps, items) : []),
    };
  }
}
