/**
 * The step limits of an engine: in this process by default, or in Redis, shared by every process on it.
 *
 * @internal
 * @module
 */
import type { Logger } from '@sluice/sdk';
import type { EngineLimitsOptions } from '../engine-options.js';
import { ConcurrencyLimits } from './concurrency-limits.js';
import { RedisLimits } from './redis-limits.js';
import type { StepLimits } from './step-limits.js';

/** The limits `options` ask for: Redis with `options`, else this process's own. */
export function createStepLimits(options: EngineLimitsOptions | undefined, logger: Logger): StepLimits {
  return options === undefined ? new ConcurrencyLimits() : new RedisLimits({ ...options, logger });
}
