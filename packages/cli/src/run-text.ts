/**
 * How the service commands print a run for people (`sluice runs show`, `runs watch`, `runs start
 * --wait`): its fields, then one line per step with its status, attempts, items and error; and the exit
 * code a run's end gives (0 succeeded, 1 failed, 3 cancelled). Pure.
 *
 * @module
 */
import type { RunStatus, RunView, StepRecord } from '@sluice/engine/api-types';
import { formatDuration, formatTable, formatTime, truncate } from './table.js';

/** The exit code of a command that waited for a run: 0 succeeded, 1 failed, 3 cancelled. */
export const RUN_EXIT_CODES: Readonly<Record<'succeeded' | 'failed' | 'cancelled', number>> = {
  succeeded: 0,
  failed: 1,
  cancelled: 3,
};

/** Whether a run with `status` has ended. */
export function runEnded(status: RunStatus): status is 'succeeded' | 'failed' | 'cancelled' {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/** `3/5`: a fanned-out step's finished items of all; `-` for a single call. */
function itemsOf(step: StepRecord): string {
  if (step.items.length === 0) return '-';
  const done = step.items.filter((item) => item.status !== 'pending' && item.status !== 'running').length;
  return `${done}/${step.items.length}`;
}

/** The last attempt of a step (of its last item that has one): `503`, `connect`, or `-`. */
function lastAttempt(step: StepRecord): string {
  const histories = [step.history, ...step.items.map((item) => item.history)];
  const last = histories
    .flat()
    .filter((entry) => entry !== undefined)
    .sort((a, b) => a.started_at.localeCompare(b.started_at))
    .at(-1);
  if (last === undefined) return '-';
  return last.status !== undefined ? String(last.status) : (last.error ?? '-');
}

/** The steps of a run as a table: name, status, attempts, items, last attempt, start, duration, error. */
export function formatSteps(run: RunView): string {
  return formatTable(
    ['STEP', 'STATUS', 'ATTEMPTS', 'ITEMS', 'LAST', 'STARTED', 'DURATION', 'ERROR'],
    run.steps.map((step) => [
      step.name,
      step.status,
      String(step.attempts),
      itemsOf(step),
      lastAttempt(step),
      formatTime(step.started_at),
      formatDuration(step.duration_ms),
      step.error === null ? '' : truncate(step.error.message, 80),
    ]),
  );
}

/** The first line of a run: `run <id> of <workflow> v<N>: <status>`. */
export function runHeadline(run: RunView): string {
  const version = run.workflow_version === null ? '' : ` v${run.workflow_version}`;
  return `run ${run.id} of ${run.workflow}${version}: ${run.status}`;
}

/** A run for `sluice runs show`: its fields, then its steps. */
export function formatRun(run: RunView): string {
  const lines = [
    `run:        ${run.id}`,
    `workflow:   ${run.workflow}${run.workflow_uid === null ? '' : ` (uid ${run.workflow_uid})`}${
      run.workflow_version === null ? '' : ` version ${run.workflow_version}`
    }`,
    `status:     ${run.status}`,
    `created:    ${formatTime(run.created_at)}`,
    `started:    ${formatTime(run.started_at)}`,
    `finished:   ${formatTime(run.finished_at)}${
      run.duration_ms === null ? '' : ` (${formatDuration(run.duration_ms)})`
    }`,
  ];
  if (run.resume_at !== null) lines.push(`resumes:    ${formatTime(run.resume_at)}`);
  if (run.parent_run_id !== null) lines.push(`parent:     ${run.parent_run_id}`);
  if (run.failure_of !== null) lines.push(`failure of: ${run.failure_of}`);
  lines.push(`input:      ${truncate(JSON.stringify(run.input) ?? 'null', 100)}`);
  if (run.error !== null) lines.push(`error:      ${run.error.message}`);
  return `${lines.join('\n')}\n\n${formatSteps(run)}`;
}

/** The last line of a run that ended: `run <id> succeeded in 1.2s`, with the error when it failed. */
export function runEnding(run: RunView): string {
  const took = run.duration_ms === null ? '' : ` in ${formatDuration(run.duration_ms)}`;
  const error = run.error === null ? '' : `: ${run.error.message}`;
  return `run ${run.id} ${run.status}${took}${error}\n`;
}
