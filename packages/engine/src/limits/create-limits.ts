/**
 * The step limits of an engine: in this process by default, or in Redis, shared by every process on it.
 *
 * @internal
 * @module
 */
import type { Logger } from '@sluice/sdk';
import { ConcurrencyLimits } from './concurrency-limits.js';
import { RedisLimits } from './redis-limits.js';
import type { StepLimits } from './step-limits.js';

/** `createEngine({ limits })`. */
export interface EngineLimitsOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`. */
  redis: string;
  /** The Redis key prefix; the same on every node that shares the limits. @default 'sluice' */
  prefix?: string;
  /**
   * How long a step's concurrency slot stays held without a renewal, in ms (renewed every third of it
   * while the call lasts): the slot of a process that died is free again after at most this. @default 10000
   */
  leaseMs?: number;
}

/** The limits `options` ask for: Redis with `options`, else this process's own. */
export function createStepLimits(options: EngineLimitsOptions | undefined, logger: Logger): StepLimits {
  return options === undefined ? new ConcurrencyLimits() : new RedisLimits({ ...options, logger });
}
