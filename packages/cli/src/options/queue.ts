/**
 * The queue flags: `--redis` (the BullMQ queue and the step limits of a deployment, shared by `sluice serve`
 * and `sluice worker`; read by `sluice status`), `--redis-prefix`, and what they mean for the engine.
 *
 * @module
 */
import { Option } from 'commander';
import { CliError } from '../errors.js';

/** The queue flags as commander hands them over. */
export interface QueueFlags {
  /** A Redis URL: runs go through the BullMQ queue shared with `sluice worker` processes (needs --database). */
  redis?: string;
  /** The Redis key prefix of the queue. @default sluice */
  redisPrefix?: string;
}

/** `--redis <url>`, worded for the command. */
export function redisOption(description: string): Option {
  return new Option('--redis <url>', description);
}

/** `--redis-prefix <prefix>`. */
export function redisPrefixOption(
  description = 'the Redis key prefix of the queue (default sluice)',
): Option {
  return new Option('--redis-prefix <prefix>', description);
}

/** Where a queue lives: a Redis URL and its key prefix. */
export interface RedisQueue {
  redis: string;
  prefix?: string;
}

/**
 * `--redis`, `--redis-prefix` and `--no-worker` as engine options: the run queue and the step limits
 * (`concurrency`, `rate_limit`) both live in that Redis, under that prefix, so they hold across every
 * node. A shared queue needs a shared store: `--redis` without `--database` is refused (SQLite is one
 * machine's file).
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` naming the flag.
 */
export function queueOptions(
  options: QueueFlags & { worker?: boolean; database?: string },
  command: string,
): { queue?: RedisQueue; limits?: RedisQueue; execute?: false } {
  if (options.redis === undefined) {
    if (options.worker === false) {
      throw new CliError('SLUICE_CLI_OPTION', `${command} --no-worker needs --redis`, {
        hint: 'workers take runs from the Redis queue: give --redis redis://... (and --database postgres://...)',
      });
    }
    if (options.redisPrefix !== undefined) {
      throw new CliError('SLUICE_CLI_OPTION', '--redis-prefix applies with --redis only', {
        hint: 'give --redis redis://... too, or drop --redis-prefix',
      });
    }
    return {};
  }
  if (options.database === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', `${command} --redis needs --database postgres://...`, {
      hint: 'processes sharing a queue share the store too; a SQLite file belongs to one machine',
    });
  }
  if (options.redisPrefix !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(options.redisPrefix)) {
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `--redis-prefix ${JSON.stringify(options.redisPrefix)} is not a key prefix`,
      {
        hint: 'use 1 to 64 letters, digits, dots, dashes and underscores',
      },
    );
  }
  const redis = {
    redis: options.redis,
    ...(options.redisPrefix === undefined ? {} : { prefix: options.redisPrefix }),
  };
  return {
    queue: redis,
    limits: redis,
    ...(options.worker === false ? { execute: false as const } : {}),
  };
}
