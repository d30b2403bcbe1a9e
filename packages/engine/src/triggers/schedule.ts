/**
 * `trigger.schedule`: when a cron schedule fires next, in its time zone (croner). The trigger loop
 * stores only the next fire time (`next_at`); a service that was down over one or more fire times
 * fires **once** when it is back (for the fire time it missed), then goes on from the first fire time
 * after now. Missed ticks are not replayed one by one. The expression and the time zone are checked when
 * the workflow is validated (`workflow/schedule-problems.ts`).
 *
 * @internal
 * @module
 */
import { Cron } from 'croner';
import type { ScheduleTrigger } from '../workflow/model.js';

/** The time zone of a schedule without `timezone`. */
export const DEFAULT_TIMEZONE = 'UTC';

/**
 * The first fire time strictly after `after` (ms since the epoch), as ISO, or `null` when the
 * expression never fires again.
 *
 * @throws {Error} croner's error for an expression or a time zone that validation would have refused.
 */
export function nextFireTime(schedule: ScheduleTrigger, after: number): string | null {
  // No callback: croner computes times and starts no timer.
  const job = new Cron(schedule.cron, { timezone: schedule.timezone ?? DEFAULT_TIMEZONE, paused: true });
  try {
    return job.nextRun(new Date(after))?.toISOString() ?? null;
  } finally {
    job.stop();
  }
}
