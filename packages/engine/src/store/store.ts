/**
 * The store a run's execution sees: the runs domain's {@link RunStore} (`runs/run-store.ts`), under the
 * name the executor and the step kinds use, with the row types they read and write.
 *
 * @module
 */
import type { RunStore } from './runs/run-store.js';

export { newRunAsStored } from './runs/run-codec.js';
export type {
  AttemptEntry,
  NewRun,
  RunPatch,
  RunRow,
  RunStatus,
  RunStore,
  StepErrorRecord,
  StepItemRow,
  StepRow,
  StepStatus,
} from './runs/run-store.js';
export { isFinished } from './runs/run-store.js';

/** The database behind a run: one run's rows (`createRun`, `updateRun`, `saveStep`, `saveStepItem`, ...). */
export type Store = RunStore;
