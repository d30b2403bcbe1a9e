/**
 * How the Redis limits talk to Redis while a run waits: a call that fails (Redis restarting, the
 * network gone) is tried again with a growing pause, so an outage pauses the calls that wait for a
 * slot or a token instead of failing their steps; aborting the run's signal ends the wait at once.
 *
 * @internal
 * @module
 */
import type { Logger } from '@sluice/sdk';
import { abortable, pause } from './abortable.js';

const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 2_000;

/**
 * Runs `call` until it resolves, pausing between failures; logs the first failure of an outage (warn)
 * and its end (info), naming `what`.
 */
export async function untilItWorks<T>(
  call: () => Promise<T>,
  what: string,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<T> {
  let wait = FIRST_PAUSE_MS;
  let failed = false;
  for (;;) {
    try {
      const result = await abortable(call(), signal);
      if (failed) logger.info({ what }, 'Redis answers again; the limits go on');
      return result;
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      if (!failed) {
        logger.warn({ err, what }, 'Redis did not answer for a step limit; the call waits and tries again');
      }
      failed = true;
      await pause(wait, signal);
      wait = Math.min(LONGEST_PAUSE_MS, wait * 2);
    }
  }
}
