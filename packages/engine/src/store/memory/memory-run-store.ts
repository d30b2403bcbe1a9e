/**
 * A {@link RunStore} in memory: one process's runs, gone when it exits. `sluice run` without `--db`
 * uses it, so a local run does not load a SQL driver or migrate a database it throws away. It holds
 * rows as a SQL store does: each value through the same row codecs (`runs/run-codec.ts`), so a value
 * reads back as a fresh copy (a caller changing an object after saving it does not change the stored
 * row), times in canonical ISO form, absent apart from `null`, and the same refusals (a value JSON
 * cannot hold, a time that does not parse, a step of a run that does not exist, a second run with the
 * same id), each as `SLUICE_STORE` naming the store and the call.
 *
 * @module
 */

import { describe } from '../../driver-errors.js';
import { EngineError } from '../../errors.js';
import { StoreValueError } from '../codec.js';
import type { RunStepItemsTable, RunStepsTable, RunsTable } from '../database.js';
import {
  itemToRow,
  newRunToRow,
  rowToItem,
  rowToRun,
  rowToStep,
  rowWithText,
  runPatchToColumns,
  stepToRow,
} from '../runs/run-codec.js';
import {
  isFinished,
  type ListItemsOptions,
  type NewRun,
  type RunPatch,
  type RunRow,
  type RunStore,
  type StepItemRow,
  type StepRow,
} from '../runs/run-store.js';
import { withStepCalls } from '../runs/step-calls.js';

/** `row` as a read that does not take the `exchanges` column sees it. */
function lean<R extends { exchanges?: string | null }>(row: R): R {
  if (row.exchanges === undefined) return row;
  const { exchanges: _apart, ...rest } = row;
  return rest as R;
}

/** What a memory store's errors name as the database. */
const LOCATION = 'in-memory store';

/** One run's rows: the run, its steps by index, its items by `step:item`. */
interface RunRows {
  run: RunsTable;
  steps: Map<number, RunStepsTable>;
  items: Map<string, RunStepItemsTable>;
}

/**
 * The runs of one process, in memory. Every method behaves as the SQL store's (`openStore`) does for
 * {@link RunStore}; nothing survives {@link MemoryRunStore.close} or the process.
 *
 * @example
 * ```ts
 * const store = new MemoryRunStore();
 * const outcome = await runWorkflow(workflow, { store, renderer, input: null });
 * const record = await getRunRecord(store, outcome.id);
 * ```
 */
export class MemoryRunStore implements RunStore, AsyncDisposable {
  /** What errors name as the database. */
  readonly location = LOCATION;
  #runs: Map<string, RunRows> | undefined = new Map();

  createRun(run: NewRun): Promise<void> {
    return this.#do(`runs.createRun(${run.id})`, (runs) => {
      const row = rowWithText(newRunToRow(run));
      if (runs.has(row.id)) throw new Error(`run ${row.id} already exists`);
      runs.set(row.id, { run: row, steps: new Map(), items: new Map() });
    });
  }

  /**
   * Changes the run. A patch that sets `status` (other than back to `pending`, a retry) is dropped when
   * the run has ended, as {@link RunStore.updateRun} says.
   *
   * @throws {EngineError} `SLUICE_STORE` when the run does not exist.
   */
  updateRun(id: string, patch: RunPatch): Promise<void> {
    return this.#do(`runs.updateRun(${id})`, (runs) => {
      const columns = runPatchToColumns(patch);
      const rows = runs.get(id);
      if (rows === undefined) throw new Error(`run ${id} does not exist`);
      const guarded = patch.status !== undefined && patch.status !== 'pending';
      if (guarded && isFinished(rows.run.status)) return;
      rows.run = { ...rows.run, ...columns };
    });
  }

  getRun(id: string): Promise<RunRow | undefined> {
    return this.#do(`runs.getRun(${id})`, (runs) => {
      const rows = runs.get(id);
      return rows === undefined ? undefined : rowToRun(rows.run);
    });
  }

  saveStep(step: StepRow): Promise<void> {
    return this.#do(`runs.saveStep(${step.run_id}, ${step.step_index})`, (runs) => {
      const row = stepToRow(step);
      this.#rowsOf(runs, row.run_id).steps.set(row.step_index, row);
    });
  }

  saveStepItem(item: StepItemRow): Promise<void> {
    return this.#do(`runs.saveStepItem(${item.run_id}, ${item.step_index}, ${item.item_index})`, (runs) => {
      const row = itemToRow(item);
      this.#rowsOf(runs, row.run_id).items.set(`${row.step_index}:${row.item_index}`, row);
    });
  }

  listSteps(runId: string): Promise<StepRow[]> {
    return this.#do(`runs.listSteps(${runId})`, (runs) => {
      const steps = [...(runs.get(runId)?.steps.values() ?? [])];
      return steps.sort((a, b) => a.step_index - b.step_index).map((row) => rowToStep(lean(row)));
    });
  }

  listStepItems(runId: string, options: ListItemsOptions = {}): Promise<StepItemRow[]> {
    // As the SQL store, the exchanges column is read only when asked for.
    const read = <R extends { exchanges?: string | null }>(row: R): R =>
      options.exchanges === true ? row : lean(row);
    return this.#do(`runs.listStepItems(${runId})`, (runs) => {
      const rows = runs.get(runId);
      const items = [...(rows?.items.values() ?? [])];
      const sorted = items.sort((a, b) => a.step_index - b.step_index || a.item_index - b.item_index);
      const steps = [...(rows?.steps.values() ?? [])].map((row) => rowToStep(read(row)));
      return withStepCalls(
        steps,
        sorted.map((row) => rowToItem(read(row))),
      );
    });
  }

  /** Drops every run. Idempotent; later calls fail with `SLUICE_STORE`. */
  close(): Promise<void> {
    this.#runs = undefined;
    return Promise.resolve();
  }

  /** The same as {@link close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A step or item belongs to a run that exists, as the SQL store's foreign keys require. */
  #rowsOf(runs: Map<string, RunRows>, runId: string): RunRows {
    const rows = runs.get(runId);
    if (rows === undefined) throw new Error(`run ${runId} does not exist`);
    return rows;
  }

  /** Runs one call, failing as `SLUICE_STORE` naming the store and the call, as the SQL store does. */
  async #do<T>(operation: string, body: (runs: Map<string, RunRows>) => T): Promise<T> {
    const runs = this.#runs;
    if (runs === undefined) {
      throw new EngineError('SLUICE_STORE', `${LOCATION}: ${operation}: the store is closed`, {
        hint: 'open a new store; close() ends it for good',
      });
    }
    try {
      return body(runs);
    } catch (err) {
      throw new EngineError('SLUICE_STORE', `${LOCATION}: ${operation} failed: ${describe(err)}`, {
        hint:
          err instanceof StoreValueError
            ? 'the executor passed a value the store cannot hold'
            : 'create the run first, once; a memory store holds only the runs of this process',
        cause: err,
      });
    }
  }
}
