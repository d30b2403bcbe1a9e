/**
 * The run queue on BullMQ (Redis), shared by every process of a deployment (`sluice serve --redis`,
 * `sluice worker`). A job is a pointer, "continue run X": its id is the run id, so a run has at most one
 * job waiting or executing, and jobs are removed once done (completed or failed) so the id frees up for
 * the next push. A process that executes runs has a BullMQ `Worker` with `concurrency` slots that calls
 * the engine's executor, which claims the run in the store first: a duplicated or stale job finds the
 * run claimed or finished and does nothing. Jobs lost with Redis (a restart without persistence, keys
 * deleted) are pushed again by the engine's sweeper, which lists the claimable runs from the store.
 *
 * Redis outages: pushes fail fast (no offline queue) and are logged once per outage; the worker's
 * connection retries forever (`maxRetriesPerRequest: null`, as BullMQ requires) and picks up again by
 * itself; `onReconnect` tells the engine to sweep at once, so jobs lost meanwhile come back.
 *
 * BullMQ loads on `start()` (about 300 ms), not with the package: `sluice run` imports the engine too.
 *
 * @internal
 * @module
 */
import { type Logger, silentLogger } from '@sluice/sdk';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { describe, maskUrl } from '../driver-errors.js';
import { EngineError } from '../errors.js';
import { OutageLog } from './outage-log.js';
import type { QueueStats, RunExecutor, RunQueue } from './run-queue.js';

/** The BullMQ queue name; the Redis keys are `<prefix>:runs:*`. */
export const RUN_QUEUE_NAME = 'runs';

/** The job name of "continue run X" (its data is `{ runId }`). */
const JOB_NAME = 'continue';

/** How long `start()` waits for Redis before it gives up, in ms. */
const CONNECT_TIMEOUT_MS = 10_000;

/** How long `close()` waits for the worker before it drops its connections, in ms. */
const CLOSE_TIMEOUT_MS = 5_000;

/** Options of {@link BullmqRunQueue}. */
export interface BullmqRunQueueOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** The Redis key prefix, so deployments (and tests) sharing a Redis stay apart. @default 'sluice' */
  prefix?: string;
  /** Executes runs here (a `Worker`); without it the process only pushes (an API node). */
  execute?: RunExecutor;
  /** Runs executing at once in this process. */
  concurrency: number;
  logger?: Logger;
  /** Told when Redis answers again after an outage (sweep now: jobs may have been lost). */
  onReconnect?: () => void;
  /**
   * How long a job stays locked to a worker that stopped renewing it (it died), in ms: the run lease,
   * so a dead worker's jobs go back to the queue when its runs' leases expire, not after BullMQ's
   * default 30 s lock plus 30 s stall check. @default 30000
   */
  lockMs?: number;
}

const DEFAULT_LOCK_MS = 30_000;

interface RunJob {
  runId: string;
}

/** The {@link RunQueue} on BullMQ. */
export class BullmqRunQueue implements RunQueue {
  readonly shared = true;
  readonly #options: BullmqRunQueueOptions;
  readonly #logger: Logger;
  readonly #prefix: string;
  readonly #connections: Redis[] = [];
  #queue: Queue<RunJob> | undefined;
  /** Runs pushed before `start()` connected; pushed then. */
  readonly #early = new Set<string>();
  readonly #outage: OutageLog;
  readonly #active = new Map<string, Promise<void>>();
  readonly #pushes = new Set<Promise<unknown>>();
  #worker: Worker<RunJob> | undefined;
  #workerClosed: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #stopped = false;
  #waiting = 0;
  #countedAt = 0;

  constructor(options: BullmqRunQueueOptions) {
    if (!/^rediss?:\/\//i.test(options.url)) {
      throw new EngineError('SLUICE_QUEUE', `the Redis URL must start with redis:// or rediss://`, {
        hint: 'for example --redis redis://127.0.0.1:6379',
      });
    }
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'queue' });
    this.#prefix = options.prefix ?? 'sluice';
    this.#outage = new OutageLog(
      this.#logger,
      { down: 'redis unreachable, queueing paused', up: 'redis reachable again, re-pushing runs' },
      (down) => {
        if (!down) this.#options.onReconnect?.();
      },
    );
  }

  /** `<url without password> prefix <prefix>`, for start-up lines. */
  get location(): string {
    return `${maskUrl(this.#options.url)} (prefix ${this.#prefix})`;
  }

  push(runId: string): void {
    if (this.#closing !== undefined) return;
    if (this.#queue === undefined) {
      this.#early.add(runId);
      return;
    }
    // jobId = run id: adding a job whose id waits or executes is a no-op in BullMQ.
    const push = this.#queue
      .add(JOB_NAME, { runId }, { jobId: runId, removeOnComplete: true, removeOnFail: true, attempts: 1 })
      .then(
        () => this.#outage.succeeded(),
        (err: unknown) => this.#outage.failed(err),
      )
      .finally(() => this.#pushes.delete(push));
    this.#pushes.add(push);
  }

  async remove(runId: string): Promise<boolean> {
    if (this.#early.delete(runId)) return true;
    // 0 when the job is locked by a worker (executing) or gone.
    return (await this.#queue?.remove(runId).catch(() => 0)) === 1;
  }

  active(runId: string): Promise<void> | undefined {
    return this.#active.get(runId);
  }

  freeSlots(): number {
    return 0;
  }

  get depth(): number {
    // Synchronous for the metrics gauge: the last count read from Redis, read again at most once a second.
    if (Date.now() - this.#countedAt > 1000) {
      this.#countedAt = Date.now();
      void this.stats().catch(() => undefined);
    }
    return this.#waiting + this.#active.size;
  }

  async start(): Promise<void> {
    if (this.#queue !== undefined || this.#stopped) return;
    const [{ Queue, Worker }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
    // Pushes fail fast while Redis is down (no offline queue): the sweeper pushes again afterwards.
    const pushing = this.#connect(Redis, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }, true);
    const queue = new Queue<RunJob>(RUN_QUEUE_NAME, { connection: pushing, prefix: this.#prefix });
    queue.on('error', (err) => this.#outage.failed(err));
    this.#queue = queue;
    await this.#ready(queue.waitUntilReady());
    for (const runId of this.#early) this.push(runId);
    this.#early.clear();
    const execute = this.#options.execute;
    if (execute === undefined || this.#stopped) return;
    const connection = this.#connect(Redis, { maxRetriesPerRequest: null }, false);
    const worker = new Worker<RunJob>(RUN_QUEUE_NAME, (job) => this.#process(job, execute), {
      connection,
      prefix: this.#prefix,
      concurrency: Math.max(1, this.#options.concurrency),
      autorun: false,
      // A stalled job (its worker died) is moved back to wait by whichever worker checks first; the run's
      // own lease decides who executes it, so a job stalled again is not failed for it.
      lockDuration: this.#options.lockMs ?? DEFAULT_LOCK_MS,
      stalledInterval: Math.max(1000, Math.floor((this.#options.lockMs ?? DEFAULT_LOCK_MS) / 2)),
      maxStalledCount: 1000,
    });
    // A lost lock, a failed move to completed...: the store decides what happens to the run, not the job.
    worker.on('error', (err) => this.#logger.debug({ reason: describe(err) }, 'BullMQ worker error'));
    this.#worker = worker;
    void worker.run().catch((err: unknown) => this.#logger.error({ err }, 'the BullMQ worker stopped'));
    await this.#ready(worker.waitUntilReady());
  }

  stop(): Promise<void>[] {
    this.#stopped = true;
    // Stops fetching jobs now; resolves once the jobs executing here are done.
    this.#workerClosed ??= this.#worker?.close().catch(() => undefined);
    return [...this.#active.values()];
  }

  pause(): void {
    // Without waiting for the jobs executing here: their runs fence themselves if the store stays away.
    void this.#worker?.pause(true).catch(() => undefined);
  }

  resume(): void {
    if (!this.#stopped) this.#worker?.resume();
  }

  async stats(): Promise<QueueStats> {
    if (this.#queue === undefined) return { waiting: this.#early.size, active: 0, local: 0 };
    const counts = await this.#queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'paused');
    this.#waiting =
      (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.paused ?? 0);
    return { waiting: this.#waiting, active: counts.active ?? 0, local: this.#active.size };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    void this.stop();
    await Promise.allSettled([...this.#pushes]);
    const closed = Promise.allSettled([this.#workerClosed, this.#queue?.close()]);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
    await Promise.race([closed, timer]);
    for (const connection of this.#connections) connection.disconnect();
  }

  async #process(job: Job<RunJob>, execute: RunExecutor): Promise<void> {
    const runId = job.data.runId;
    // A job BullMQ gave back after a stall while this process still executes the run: nothing to do.
    if (this.#active.has(runId)) return;
    const done = execute(runId).finally(() => this.#active.delete(runId));
    this.#active.set(runId, done);
    await done;
  }

  /** An ioredis connection; only the pushing one logs outages (once each, not per connection). */
  #connect(RedisClass: typeof Redis, options: RedisOptions, logs: boolean): Redis {
    const connection = new RedisClass(this.#options.url, options);
    if (logs) {
      connection.on('error', (err: unknown) => this.#outage.failed(err));
      // A dropped connection need not emit 'error' (a reset socket just closes): count it as down.
      connection.on('close', () => {
        if (this.#closing === undefined) this.#outage.failed(new Error('connection closed'));
      });
      connection.on('ready', () => this.#outage.succeeded());
    } else {
      // ioredis prints unhandled error events; the pushing connection already logged the outage.
      connection.on('error', () => {});
    }
    this.#connections.push(connection);
    return connection;
  }

  /** `ready`, or `SLUICE_QUEUE` when Redis does not answer in time (at start only: later it retries). */
  async #ready(ready: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EngineError('SLUICE_QUEUE', `cannot connect to Redis at ${maskUrl(this.#options.url)}`, {
              hint: 'check the --redis URL and that Redis runs and accepts connections',
            }),
          ),
        CONNECT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
