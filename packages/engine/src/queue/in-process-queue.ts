/**
 * The in-process run queue: run ids in arrival order, at most `concurrency` executing at once. The
 * database stays the source of truth (a queued id that is lost is found again by the engine's
 * sweeper), so the queue holds ids only, and queuing a run does not claim it: the executor claims the
 * run when it gets a slot. A BullMQ queue (issue 5, later) takes the same shape.
 *
 * @internal
 * @module
 */

/** Executes one queued run; must not reject (the engine records failures itself). */
export type RunExecutor = (runId: string) => Promise<void>;

/** A FIFO of run ids with a cap on how many execute at once. */
export class InProcessRunQueue {
  readonly #concurrency: number;
  readonly #execute: RunExecutor;
  readonly #waiting: string[] = [];
  readonly #active = new Map<string, Promise<void>>();
  #paused = true;

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
  remove(runId: string): boolean {
    const at = this.#waiting.indexOf(runId);
    if (at >= 0) this.#waiting.splice(at, 1);
    return at >= 0;
  }

  /** The promise of run `runId` while it executes here. */
  active(runId: string): Promise<void> | undefined {
    return this.#active.get(runId);
  }

  /** Starts taking runs off the queue. */
  start(): void {
    this.#paused = false;
    this.#drain();
  }

  /** Stops starting runs; the waiting ones stay in the store, unfinished. Returns the executing ones. */
  stop(): Promise<void>[] {
    this.#paused = true;
    this.#waiting.length = 0;
    return [...this.#active.values()];
  }

  /** Runs queued or executing. */
  get depth(): number {
    return this.#waiting.length + this.#active.size;
  }

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
