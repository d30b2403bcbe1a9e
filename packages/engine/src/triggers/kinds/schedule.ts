/**
 * The `schedule` trigger kind: a run at each time a cron expression matches, in its time zone (croner).
 * The row stores only the next fire time (`next_at`); a service that was down over one or more fire
 * times fires **once** when it is back (for the time it missed), then goes on from the first fire time
 * after now. Missed ticks are not replayed one by one. The expression and the time zone are checked when
 * the workflow is validated, with the library that runs them.
 *
 * @module
 */
import { Cron } from 'croner';
import { shown } from '../../model/shown.js';
import type { TriggerKind, TriggerProblem } from '../trigger-kind.js';

/** `trigger.schedule`: start a run at each cron time. */
export interface ScheduleTrigger {
  /** A cron expression (5 or 6 fields, croner syntax). */
  cron: string;
  /** An IANA time zone. @default 'UTC' */
  timezone?: string;
  /** `INPUT` of each scheduled run. @default {} */
  input?: unknown;
}

declare module '../../model/workflow.js' {
  interface TriggerTypes {
    schedule: ScheduleTrigger;
  }
}

/** The time zone of a schedule without `timezone`. */
export const DEFAULT_TIMEZONE = 'UTC';

/** The `schedule` trigger kind. */
export const scheduleTrigger: TriggerKind<ScheduleTrigger> = {
  key: 'schedule',
  summary: 'a cron schedule',
  schema: {
    description: 'Start a run at each time a cron expression matches.',
    type: 'object',
    errorMessage: 'must be an object with a cron expression (cron, timezone, input)',
    additionalProperties: false,
    required: ['cron'],
    properties: {
      cron: {
        description:
          'A cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first), in croner ' +
          'syntax: `*/15 * * * *`, `0 9 * * MON-FRI`, `@daily`.',
        type: 'string',
        minLength: 1,
        examples: ['0 * * * *', '0 9 * * MON-FRI'],
        errorMessage: 'must be a cron expression string, e.g. "0 9 * * MON-FRI"',
      },
      timezone: {
        description: 'The IANA time zone the cron times are in, e.g. `Europe/Paris`. Default: UTC.',
        type: 'string',
        minLength: 1,
        default: 'UTC',
        examples: ['UTC', 'Europe/Paris', 'America/New_York'],
        errorMessage: 'must be an IANA time zone name, e.g. Europe/Paris',
      },
      input: {
        description: '`INPUT` of each scheduled run (any JSON value, not a template). Default: `{}`.',
      },
    },
  },
  checks: [cronAndZoneProblems],
  // On reconcile a past next_at is a fire time missed while the service was down: keep it, it fires once.
  firstDue: (schedule, due) =>
    due.why === 'reconcile' && due.kept !== null ? due.kept : nextFireTime(schedule, due.now),
  nextDue: (schedule, now) => nextFireTime(schedule, now),
  async fire(ctx, _row, _stored, schedule) {
    const now = ctx.now();
    return {
      patch: { next_at: nextFireTime(schedule, now), last_error: null },
      events: [schedule.input ?? {}],
    };
  },
};

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

/** Problems of `cron` and `timezone`, for the values the schema accepted. */
function cronAndZoneProblems(
  schedule: Readonly<Record<string, unknown>>,
  reported: (path: readonly (string | number)[]) => boolean,
): TriggerProblem[] {
  const { cron, timezone } = schedule;
  const out: TriggerProblem[] = [];
  const zoneOk = typeof timezone !== 'string' || timezoneProblem(timezone) === undefined;
  if (typeof timezone === 'string' && !zoneOk && !reported(['timezone'])) {
    out.push({ path: ['timezone'], message: timezoneProblem(timezone) as string });
  }
  if (typeof cron === 'string' && cron !== '' && !reported(['cron'])) {
    const problem = cronProblem(cron, zoneOk && typeof timezone === 'string' ? timezone : undefined);
    if (problem !== undefined) out.push({ path: ['cron'], message: problem });
  }
  return out;
}

/** Why `expression` is not a cron expression croner runs, or `undefined` when it is. */
export function cronProblem(expression: string, timezone?: string): string | undefined {
  let job: Cron;
  try {
    job = new Cron(expression, { paused: true, ...(timezone === undefined ? {} : { timezone }) });
  } catch (err) {
    const reason = ((err as Error).message ?? String(err)).replace(/^CronPattern: /, '');
    return `is not a valid cron expression: ${lowerFirst(reason)} (got ${shown(expression)})`;
  }
  try {
    if (job.nextRun() === null) {
      return `never matches a time (got ${shown(expression)}); check the day and month fields`;
    }
  } finally {
    job.stop();
  }
  return undefined;
}

/** Why `timezone` is not an IANA time zone `Intl` knows, or `undefined` when it is. */
export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
    return undefined;
  } catch {
    return `is not a known IANA time zone, e.g. UTC or Europe/Paris (got ${shown(timezone)})`;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
