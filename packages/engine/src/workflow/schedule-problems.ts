/**
 * The checks of `trigger.schedule` a schema cannot make: the cron expression parses with croner (the
 * library the scheduler runs it with) and matches some time, and the time zone is one `Intl` knows.
 *
 * @internal
 * @module
 */
import { Cron } from 'croner';
import type { RawProblem } from './schema-problems.js';
import { shown } from './shown.js';
import type { PathSegment } from './source-map.js';

const CRON_PATH: PathSegment[] = ['trigger', 'schedule', 'cron'];
const TIMEZONE_PATH: PathSegment[] = ['trigger', 'schedule', 'timezone'];

/** Problems of `trigger.schedule.cron` and `.timezone`, for the values the schema accepted. */
export function scheduleProblems(doc: Record<string, unknown>, schema: readonly RawProblem[]): RawProblem[] {
  const trigger = doc.trigger;
  if (!isObject(trigger) || !isObject(trigger.schedule)) return [];
  const { cron, timezone } = trigger.schedule;
  const out: RawProblem[] = [];
  const zoneOk = typeof timezone !== 'string' || timezoneProblem(timezone) === undefined;
  if (typeof timezone === 'string' && !zoneOk && !reported(schema, TIMEZONE_PATH)) {
    out.push({ path: TIMEZONE_PATH, message: timezoneProblem(timezone) as string });
  }
  if (typeof cron === 'string' && cron !== '' && !reported(schema, CRON_PATH)) {
    const problem = cronProblem(cron, zoneOk && typeof timezone === 'string' ? timezone : undefined);
    if (problem !== undefined) out.push({ path: CRON_PATH, message: problem });
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

function reported(schema: readonly RawProblem[], path: readonly PathSegment[]): boolean {
  return schema.some((p) => path.every((segment, i) => p.path[i] === segment));
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
