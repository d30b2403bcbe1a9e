/**
 * The engine's sweeper (DESIGN §4 "Durability"): every `intervalMs` it lists the runs the store says
 * could be claimed now (`listClaimableRuns`: unfinished, no live lease, no stored wait still ahead)
 * and hands them to the queue. One pass finds three kinds of runs: the unfinished runs at start-up,
 * runs abandoned by a process that died (their lease expired), and runs whose stored wait is due. The
 * sweeper never claims: the engine claims a run when the queue gives it an executor slot, so a run
 * waiting in this process's queue stays free for another process to take.
 *
 * @internal
 * @module
 */
import type { ServiceRunStore } from '../store/service-store.js';

/** Options of {@link Sweeper}. */
export interface SweeperOptions {
  store: { readonly runs: Pick<ServiceRunStore, 'listClaimableRuns'> };
  /** Time between passes, in ms. */
  intervalMs: number;
  /** The clock, in ms since the epoch (the same clock as the leases). */
  now: () => number;
  /** How many more runs the queue takes now; a pass lists at most this many. */
  room: () => number;
  /** Queues a run (the queue ignores one it already has). */
  enqueue: (runId: string) => void;
  /** Told about a pass that failed (the next one tries again). */
  onError: (err: unknown) => void;
  /** Told about a pass that read the store (it is reachable). */
  onPass?: () => void;
}

/** Finds claimable runs on a timer, when poked, and when a stored wait it was told about is due. */
export class Sweeper {
  readonly #options: SweeperOptions;
  #interval: NodeJS.Timeout | undefined;
  #wake: { at: number; timer: NodeJS.Timeout } | undefined;
  #pass: Promise<number> | undefined;
  #again = false;
  #stopped = false;
  /** The last pass filled its limit: more runs may be waiting in the store. */
  #backlog = false;

  constructor(options: SweeperOptions) {
    this.#options = options;
  }

  /** Runs the first pass and starts the timer; resolves how many runs the first pass queued. */
  async start(): Promise<number> {
    const queued = await this.#run();
    if (!this.#stopped && this.#interval === undefined) {
      this.#interval = setInterval(() => this.poke(), this.#options.intervalMs);
      this.#interval.unref();
    }
    return queued;
  }

  /** Sweeps soon: now, or right after the pass in progress. */
  poke(): void {
    if (this.#stopped) return;
    if (this.#pass !== undefined) {
      this.#again = true;
      return;
    }
    void this.#run();
  }

  /** Sweeps when the queue has room again and the last pass left runs behind. */
  pokeIfBacklog(): void {
    if (this.#backlog) this.poke();
  }

  /** Sweeps at `at` (ms since the epoch, on the sweeper's clock) unless an earlier wake is set. */
  wakeAt(at: number): void {
    if (this.#stopped || (this.#wake !== undefined && this.#wake.at <= at)) return;
    if (this.#wake !== undefined) clearTimeout(this.#wake.timer);
    const timer = setTimeout(
      () => {
        this.#wake = undefined;
        this.poke();
      },
      Math.max(0, at - this.#options.now()),
    );
    timer.unref();
    this.#wake = { at, timer };
  }

  /** Stops the timers and waits for a pass in progress. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#interval);
    if (this.#wake !== undefined) clearTimeout(this.#wake.timer);
    this.#wake = undefined;
    await this.#pass?.catch(() => undefined);
  }

  #run(): Promise<number> {
    const pass = this.#sweep()
      .catch((err: unknown) => {
        this.#options.onError(err);
        return 0;
      })
      .finally(() => {
        this.#pass = undefined;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
    this.#pass = pass;
    return pass;
  }

  async #sweep(): Promise<number> {
    const limit = this.#options.room();
    if (this.#stopped) return 0;
    if (limit <= 0) {
      this.#backlog = true;
      return 0;
    }
    const now = new Date(this.#options.now()).toISOString();
    const runs = await this.#options.store.runs.listClaimableRuns(now, limit);
    this.#options.onPass?.();
    this.#backlog = runs.length >= limit;
    if (this.#stopped) return 0;
    for (const run of runs) this.#options.enqueue(run.id);
    return runs.length;
  }
}
