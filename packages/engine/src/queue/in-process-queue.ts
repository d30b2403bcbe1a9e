/**
 * The in-process run queue: run ids in arrival order, at most `concurrency` executing at once. The
 * database stays the source of truth (a queued id that is lost is found again by the engine's
 * sweeper), so the queue holds ids only, and queuing a run does not claim it: the executor claims the
 * run when it gets a slot. `BullmqRunQueue` is the same {@link RunQueue} shared across processes.
 *
 * @internal
 * @module
 */

import type { QueueStats, RunExecutor, RunQueue } from './run-queue.js';

export type { RunExecutor } from './run-queue.js';

/** A FIFO of run ids with a cap on how many execute at once. */
export class InProcessRunQueue implements RunQueue {
  readonly shared = false;
  readonly #concurrency: number;
  readonly #execute: RunExecutor;
  readonly #waiting: string[] = [];
  readonly #active = new Map<string, Promise<void>>();
  #paused = true;
  #stopped = false;

  constructor(concurrency: number, execute: RunExecutor) {
    this.#concurrency = Math.max(1, concurrency);
    this.#execute = execute;
  }

  /** Queues `runId` (once); it runs when a slot is free and the queue is started. */
  push(runId: string): void {
    if (this.#active.has(runId) || this.#waiting.includes(runId)) return;
    this.#waiting.push(runId);
    this.#drain();
  }

  /** Removes `runId` if it has not started; resolves whether it was waiting. */
  async remove(runId: string): Promise<boolean> {
    const at = this.#waiting.indexOf(runId);
    if (at >= 0) this.#waiting.splice(at, 1);
    return at >= 0;
  }

  /** The promise of run `runId` while it executes here. */
  active(runId: string): Promise<void> | undefined {
    return this.#active.get(runId);
  }

  /** Starts taking runs off the queue. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#paused = false;
    this.#drain();
  }

  /** Stops starting runs; the waiting ones stay in the store, unfinished. Returns the executing ones. */
  stop(): Promise<void>[] {
    this.#stopped = true;
    this.#paused = true;
    this.#waiting.length = 0;
    return [...this.#active.values()];
  }

  /** Keeps the waiting runs but starts none (the store is unreachable). */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (this.#stopped) return;
    this.#paused = false;
    this.#drain();
  }

  freeSlots(): number {
    if (this.#paused || this.#waiting.length > 0) return 0;
    return this.#concurrency - this.#active.size;
  }

  /** Runs queued or executing. */
  get depth(): number {
    return this.#waiting.length + this.#active.size;
  }

  async stats(): Promise<QueueStats> {
    return { waiting: this.#waiting.length, active: this.#active.size, local: this.#active.size };
  }

  async close(): Promise<void> {}

  #drain(): void {
    while (!this.#paused && this.#active.size < this.#concurrency && this.#waiting.length > 0) {
      const runId = this.#waiting.shift() as string;
      const done = this.#execute(runId).finally(() => {
        this.#active.delete(runId);
        this.#drain();
      });
      this.#active.set(runId, done);
    }
  }
}
