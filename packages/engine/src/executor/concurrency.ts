/**
 * Step concurrency (DESIGN §4 "Step execution"): `concurrency: N` caps the simultaneous calls of a step
 * across every run of its workflow in this process; without it, a fanned-out step runs its items one
 * at a time within a run, and runs do not limit each other.
 *
 * @module
 */
import { Semaphore } from './semaphore.js';

/**
 * The process-wide semaphores of steps with a `concurrency`, keyed by workflow and step. Every run
 * that shares a `ConcurrencyLimits` shares the caps; the engine keeps one per process.
 */
export class ConcurrencyLimits {
  readonly #semaphores = new Map<string, Semaphore>();

  /**
   * The semaphore of `step` in `workflow` (its uid, else its name) with `capacity` permits. A later
   * call with another capacity (an updated workflow) changes it for everyone.
   *
   * @internal
   */
  semaphore(workflow: string, step: string, capacity: number): Semaphore {
    const key = JSON.stringify([workflow, step]);
    let semaphore = this.#semaphores.get(key);
    if (semaphore === undefined) {
      semaphore = new Semaphore(capacity);
      this.#semaphores.set(key, semaphore);
    } else if (semaphore.capacity !== capacity) {
      semaphore.capacity = capacity;
    }
    return semaphore;
  }
}

/** The limits shared by every run that is not given its own. */
export const processLimits: ConcurrencyLimits = new ConcurrencyLimits();

/** How a step's items run: how many at once within this run, and the shared cap, if any. */
export interface StepConcurrency {
  /** Items of this run in flight at once. */
  perRun: number;
  /** Held around each call; `undefined` when the step has no `concurrency`. */
  shared: Semaphore | undefined;
}

/**
 * Decides how a step runs: with `concurrency: N`, up to N items of the run at once, under a semaphore
 * of N shared by all runs of the workflow; without it, one item at a time and no shared cap.
 */
export function stepConcurrency(
  limits: ConcurrencyLimits,
  workflow: string,
  step: string,
  concurrency: number | undefined,
): StepConcurrency {
  if (concurrency === undefined || concurrency < 1) return { perRun: 1, shared: undefined };
  return { perRun: concurrency, shared: limits.semaphore(workflow, step, concurrency) };
}
