/**
 * The run queue of an engine: in this process by default; BullMQ on Redis with `queue`, shared by every
 * process on it; with `execute: false` (an API node) it only pushes, and worker processes execute.
 *
 * @internal
 * @module
 */
import { type Logger, silentLogger } from '@sluice/sdk';
import { EngineError } from '../errors.js';
import { BullmqRunQueue } from './bullmq-queue.js';
import { InProcessRunQueue } from './in-process-queue.js';
import type { RunQueue } from './run-queue.js';

/** `createEngine({ queue })`. */
export interface EngineQueueOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`. */
  redis: string;
  /** The Redis key prefix, so deployments (and tests) sharing a Redis stay apart. @default 'sluice' */
  prefix?: string;
}

/** What {@link createRunQueue} builds the queue from. */
export interface RunQueueOptions {
  /** BullMQ on this Redis; absent: in this process. */
  queue?: EngineQueueOptions | undefined;
  /** `false`: push only (an API node). */
  execute?: boolean | undefined;
  /** Runs executing at once in this process. */
  concurrency: number;
  /** Executes one run. */
  run: (id: string) => Promise<void>;
  /** A BullMQ connection came back: look for the runs it may have missed. */
  onReconnect: () => void;
  /** BullMQ's job lock, as long as a run lease. */
  lockMs: number;
  logger?: Logger | undefined;
}

/**
 * The queue `options` ask for.
 * @throws {EngineError} `SLUICE_QUEUE` for `execute: false` without a shared queue.
 */
export function createRunQueue(options: RunQueueOptions): RunQueue {
  if (options.queue === undefined) {
    if (options.execute === false) {
      throw new EngineError('SLUICE_QUEUE', 'createEngine({ execute: false }) needs a shared queue', {
        hint: 'pass queue: { redis: "redis://..." } so worker processes execute the runs',
      });
    }
    return new InProcessRunQueue(options.concurrency, options.run);
  }
  return new BullmqRunQueue({
    url: options.queue.redis,
    ...(options.queue.prefix === undefined ? {} : { prefix: options.queue.prefix }),
    ...(options.execute === false ? {} : { execute: options.run }),
    concurrency: options.concurrency,
    logger: options.logger ?? silentLogger,
    onReconnect: options.onReconnect,
    lockMs: options.lockMs,
  });
}
