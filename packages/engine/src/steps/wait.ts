/**
 * The `wait` step kind (issue 15): `wait: { seconds: 30 }` or `wait: { until: "<RFC 3339 time>" }` pauses
 * the run. It holds no worker slot and no timer a restart would lose: a wait of at least `longWaitMs`
 * (5 s) is a stored wait, as a long Retry-After is (`waits.ts`). In the engine service the item is
 * committed unfinished, the run keeps `resume_at` and no lease, and whichever process sweeps when it is
 * due resumes it; `sluice run` and `runWorkflow` sleep through it. A shorter wait sleeps.
 *
 * The end of a `seconds` wait is counted from when the item first started, so a resumed run waits only
 * for what is left: the suspended item commits one history entry, the wait itself (`duration_ms` 0,
 * `wait_ms` the whole wait), whose `started_at` the resumed item starts from. The output is
 * `{ until }`, the ISO time the wait ended.
 *
 * @module
 */
import { TemplateError } from '../errors.js';
import type { StepBase } from '../model/workflow.js';
import type { AttemptEntry } from '../store/store.js';
import { isTemplate } from '../template/scan.js';
import { itemRecorder } from './item-record.js';
import type { ItemContext, ItemResult, ItemTask, StepCheck, StepKind } from './step-kind.js';
import { createWaiter, RunSuspended } from './waits.js';

/** A step that pauses the run. */
export interface WaitStep extends StepBase {
  /** Exactly one of `seconds` and `until`. */
  wait: { seconds?: number; until?: string };
}

declare module '../model/workflow.js' {
  interface StepTypes {
    wait: WaitStep;
  }
}

/** The longest wait: 366 days (a yearly job may wait up to a leap year). */
export const MAX_WAIT_SECONDS = 366 * 24 * 3600;

const exactlyOne: StepCheck = (step) => {
  const wait = step.wait as Record<string, unknown> | undefined;
  if (typeof wait !== 'object' || wait === null) return [];
  const given = ['seconds', 'until'].filter((key) => wait[key] !== undefined);
  return given.length === 1
    ? []
    : [{ path: ['wait'], message: 'must have exactly one of seconds and until' }];
};

/** A literal `until` (no template) must be a time: a run would fail on it only when the step runs. */
const untilIsTime: StepCheck = (step) => {
  const until = (step.wait as Record<string, unknown> | null | undefined)?.until;
  if (typeof until !== 'string' || isTemplate(until)) return [];
  if (RFC3339.test(until) && !Number.isNaN(Date.parse(until))) return [];
  const message = `must be an RFC 3339 time, e.g. 2026-12-31T09:00:00Z, or a template of one (got ${JSON.stringify(until)})`;
  return [{ path: ['wait', 'until'], message }];
};

export const waitStep: StepKind<WaitStep> = {
  name: 'wait',
  key: 'wait',
  summary: 'a durable wait',
  keyHint: 'a wait, { seconds: 30 } or { until: "{{ INPUT.not_before }}" }',
  properties: {
    wait: {
      description:
        'Pauses the run: `seconds` (from when the step starts), or `until` (an RFC 3339 time, a template). ' +
        'A wait of 5 s or more is stored, not slept: it survives restarts and holds no worker. At most 366 days.',
      type: 'object',
      additionalProperties: false,
      errorMessage: 'must be an object with seconds or until',
      properties: {
        seconds: {
          description: 'Seconds to wait, from when the step starts; at most 366 days.',
          type: 'number',
          minimum: 0,
          maximum: MAX_WAIT_SECONDS,
          examples: [30],
          errorMessage: `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS} (366 days)`,
        },
        until: {
          description: 'Wait until this RFC 3339 time (a template); a time past goes on at once.',
          type: 'string',
          examples: ['{{ INPUT.not_before }}'],
          errorMessage: 'must be an RFC 3339 time or a template of one',
        },
      },
    },
  },
  snippets: [
    { label: 'wait step', body: { name: '$1', wait: { seconds: 30 } } },
    { label: 'wait until step', body: { name: '$1', wait: { until: '{{ INPUT.$2 }}' } } },
  ],
  templatedFields: [['wait', 'until']],
  checks: [exactlyOne, untilIsTime],
  async runItem(ctx: ItemContext, task: ItemTask<WaitStep>): Promise<ItemResult> {
    const record = itemRecorder(ctx, task, ctx.logger);
    const { seconds, until } = task.step.wait;
    let end: number;
    if (seconds !== undefined) {
      end = task.startedAt + seconds * 1000;
    } else {
      let rendered: unknown;
      try {
        const state = {
          ...ctx.state,
          CURRENT_STEP: { name: task.step.name, input: task.input, index: task.itemIndex },
        };
        rendered = await ctx.renderer.render(until ?? null, state, {
          step: task.step.name,
          field: 'wait.until',
        });
      } catch (err) {
        if (err instanceof TemplateError) return record.fail({ type: 'template', message: err.message });
        throw err;
      }
      end = typeof rendered === 'string' && RFC3339.test(rendered) ? Date.parse(rendered) : Number.NaN;
      if (Number.isNaN(end)) {
        const message = `steps.${task.step.name}.wait.until: ${JSON.stringify(rendered)} is not an RFC 3339 time (2026-12-31T09:00:00Z)`;
        return record.fail({ type: 'other', message });
      }
      if (end - ctx.now() > MAX_WAIT_SECONDS * 1000) {
        const message = `steps.${task.step.name}.wait.until: ${rendered} is more than 366 days away`;
        return record.fail({ type: 'other', message });
      }
    }
    const at = ctx.now();
    const left = end - at;
    if (left > 0) {
      const entry: AttemptEntry = {
        started_at: new Date(task.startedAt).toISOString(),
        duration_ms: 0,
        wait_ms: Math.max(0, end - task.startedAt),
      };
      const waiter = createWaiter({
        sleep: ctx.sleep,
        // The clock of `left`: the stored resume time is the wait's end to the millisecond.
        now: () => at,
        ...(ctx.longWaitMs === undefined ? {} : { longWaitMs: ctx.longWaitMs }),
        onLongWait: (resumeAt) => ctx.onLongWait(resumeAt),
      });
      try {
        await waiter(left, ctx.signal);
      } catch (err) {
        // Committed with the wait as its one entry: the resumed item counts from its start.
        if (err instanceof RunSuspended) throw err.withAttempts([entry]);
        throw err;
      }
    }
    return record.succeed({ until: new Date(end).toISOString() }, 0, []);
  },
};

/** An RFC 3339 date-time with an offset (`Z` or `±hh:mm`), as the format asks. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
