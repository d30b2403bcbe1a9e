/**
 * The run queue the engine hands runs to (`push`) and takes them from (through its executor). A queued
 * item is a pointer, "continue run X": the store stays the source of truth, the executor claims the run
 * (a conditional update with a lease) before it executes it, and the sweeper finds any run the queue
 * lost. So a lost or a duplicated item is harmless. Two implementations: `InProcessRunQueue` (one
 * process) and `BullmqRunQueue` (Redis, shared by every process of a deployment).
 *
 * @internal
 * @module
 */

/** Executes one queued run (claims it first; a failed claim is a no-op); must not reject. */
export type RunExecutor = (runId: string) => Promise<void>;

/** What a queue holds now. */
export interface QueueStats {
  /** Runs waiting for an executor: in this process, or in Redis for every process. */
  waiting: number;
  /** Runs executing: in this process, or on every worker of a shared queue. */
  active: number;
  /** Runs executing in this process. */
  local: number;
}

/** A queue of run ids with a cap on how many execute at once in this process. */
export interface RunQueue {
  /** True when other processes share the queue: a run pushed here may execute elsewhere. */
  readonly shared: boolean;
  /** Queues `runId` (at most once at a time); never throws (a lost push is found by the sweeper). */
  push(runId: string): void;
  /** Removes `runId` if no executor took it yet; resolves whether it was waiting. */
  remove(runId: string): Promise<boolean>;
  /** The promise of run `runId` while it executes in this process. */
  active(runId: string): Promise<void> | undefined;
  /**
   * How many runs pushed now would start executing in this process at once (free slots, nothing
   * waiting, not paused). A shared queue answers 0: a run pushed there may execute anywhere.
   */
  freeSlots(): number;
  /** Runs queued or executing, as far as this process knows without waiting (metrics gauge). */
  readonly depth: number;
  /** Starts taking runs (or only pushing, for a queue that does not execute here). */
  start(): Promise<void>;
  /** Stops taking new runs; returns the promises of the runs executing here. */
  stop(): Promise<void>[];
  /** Stops taking runs while the store is unreachable (claims would fail); `resume` undoes it. */
  pause(): void;
  resume(): void;
  /** Counts, read from the queue now. */
  stats(): Promise<QueueStats>;
  /** Releases connections; after `stop()`, once the executing runs ended. Idempotent. */
  close(): Promise<void>;
}
