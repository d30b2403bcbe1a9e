/**
 * Follows a run of a running `sluice serve` until it ends (`sluice runs watch`, `runs start --wait`,
 * `runs retry --wait`): polls `GET /v1/runs/{id}` every interval. On a terminal it redraws the run's
 * headline and steps (status, attempts, items, last attempt) in place; elsewhere it appends one line per
 * change (the run's status, a step's status or attempt count), so a log reads in order.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunView } from '@sluice/engine/api-types';
import type { CommandIo } from './command-io.js';
import { formatSteps, runEnded, runHeadline } from './run-text.js';
import type { ServiceClient } from './service-client.js';

/** How a run is followed. */
export interface WatchOptions {
  /** Between two reads of the run, in ms. @default 500 */
  intervalMs?: number;
  /** `redraw`: the steps in place (a terminal); `lines`: a line per change; `quiet`: nothing. */
  mode: 'redraw' | 'lines' | 'quiet';
  /** The run as already read, if any: the first poll is skipped. */
  first?: RunView;
}

/** The default of {@link WatchOptions.intervalMs}. */
export const WATCH_INTERVAL_MS = 500;

/** Lines appended for what changed between `before` and `now` (`before` undefined: everything). */
function changes(before: RunView | undefined, now: RunView): string[] {
  const lines: string[] = [];
  // The run's status first on the first read, else after the steps that moved it.
  if (before === undefined) lines.push(runHeadline(now));
  now.steps.forEach((step, index) => {
    const old = before?.steps[index];
    if (old !== undefined && old.status === step.status && old.attempts === step.attempts) return;
    if (old === undefined && step.status === 'pending' && step.attempts === 0) return;
    const attempts = step.attempts === 1 ? '1 attempt' : `${step.attempts} attempts`;
    const items =
      step.items.length === 0
        ? ''
        : `, ${step.items.filter((i) => i.status !== 'pending' && i.status !== 'running').length}/${step.items.length} items`;
    lines.push(`step ${step.name}: ${step.status} (${attempts}${items})`);
  });
  if (before !== undefined && before.status !== now.status) lines.push(runHeadline(now));
  return lines;
}

/**
 * Polls run `id` until it ended and resolves its last view, printing as `options.mode` says.
 *
 * @throws {CliError} `SLUICE_CLI_SERVER` when the service stops answering; {@link ServiceError}.
 */
export async function watchRun(
  client: ServiceClient,
  id: string,
  io: CommandIo,
  options: WatchOptions,
): Promise<RunView> {
  const interval = options.intervalMs ?? WATCH_INTERVAL_MS;
  const path = `/v1/runs/${encodeURIComponent(id)}`;
  let before: RunView | undefined;
  let drawn = 0;
  let run = options.first ?? (await client.get<RunView>(path));
  for (;;) {
    if (options.mode === 'lines') {
      for (const line of changes(before, run)) io.stdout(`${line}\n`);
    } else if (options.mode === 'redraw') {
      const block = `${runHeadline(run)}\n${formatSteps(run)}`;
      // Back to the first line of the last drawing, and clear it and what follows.
      io.stdout(`${drawn > 0 ? `\u001b[${drawn}F\u001b[J` : ''}${block}`);
      drawn = block.split('\n').length - 1;
    }
    if (runEnded(run.status)) return run;
    before = run;
    await sleep(interval);
    run = await client.get<RunView>(path);
  }
}
