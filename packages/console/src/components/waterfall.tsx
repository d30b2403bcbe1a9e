/**
 * A run as a waterfall: one row per step, and one per item of a fanned-out step, on a shared time axis
 * from the run's start. Each attempt is a bar (its colour says how it ended; its label is the HTTP
 * status or the error class), and the wait before a retry is a hatched stretch before it.
 */

import type { AttemptEntry, RunView, StepItemRecord, StepRecord } from '@sluice/engine/api-types';
import { duration, when } from '../format.js';

/** A row of the waterfall: a step, or an item of one. */
export interface WaterfallRow {
  key: string;
  step: string;
  item: number | undefined;
  label: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  history: AttemptEntry[];
  record: StepRecord | StepItemRecord;
}

export function waterfallRows(run: RunView): WaterfallRow[] {
  return run.steps.flatMap((step): WaterfallRow[] => {
    const head: WaterfallRow = {
      key: step.name,
      step: step.name,
      item: undefined,
      label: step.items.length > 0 ? `${step.name} (${step.items.length} items)` : step.name,
      status: step.status,
      started_at: step.started_at,
      finished_at: step.finished_at,
      history: step.history,
      record: step,
    };
    const items = step.items.map(
      (item): WaterfallRow => ({
        key: `${step.name}#${item.index}`,
        step: step.name,
        item: item.index,
        label: `item ${item.index}`,
        status: item.status,
        started_at: item.started_at,
        finished_at: item.finished_at,
        history: item.history,
        record: item,
      }),
    );
    return [head, ...items];
  });
}

/** How an attempt ended, for its colour. */
function outcome(attempt: AttemptEntry, last: boolean, rowStatus: string): string {
  if (attempt.error !== undefined) return 'error';
  if (attempt.status !== undefined && attempt.status >= 400)
    return last && rowStatus === 'succeeded' ? 'ok' : 'bad';
  return 'ok';
}

function attemptLabel(attempt: AttemptEntry): string {
  return attempt.status !== undefined ? String(attempt.status) : (attempt.error ?? '');
}

const ms = (iso: string) => new Date(iso).getTime();

export function Waterfall({
  run,
  selected,
  onSelect,
}: {
  run: RunView;
  selected: string | undefined;
  onSelect: (row: WaterfallRow) => void;
}) {
  const rows = waterfallRows(run);
  const origin = ms(run.started_at ?? run.created_at);
  const times = rows.flatMap((row) => [
    row.finished_at === null ? Number.NaN : ms(row.finished_at),
    ...row.history.map((a) => ms(a.started_at) + a.duration_ms),
  ]);
  const end = Math.max(
    origin + 1,
    run.finished_at === null ? Date.now() : ms(run.finished_at),
    ...times.filter((t) => !Number.isNaN(t)),
  );
  const span = end - origin;
  const x = (t: number) => `${(((t - origin) / span) * 100).toFixed(3)}%`;
  const w = (d: number) => `${Math.max((d / span) * 100, 0.4).toFixed(3)}%`;

  return (
    <div class="waterfall" data-testid="waterfall">
      <div class="wf-axis" aria-hidden="true">
        <span class="wf-label">step</span>
        <span class="wf-track">
          <span class="wf-tick" style={{ left: '0%' }}>
            0
          </span>
          <span class="wf-tick" style={{ left: '50%' }}>
            {duration(span / 2)}
          </span>
          <span class="wf-tick wf-tick-end" style={{ right: '0%' }}>
            {duration(span)}
          </span>
        </span>
        <span class="wf-meta">time</span>
      </div>
      {rows.map((row) => {
        const attempts = row.history;
        const start = row.started_at === null ? undefined : ms(row.started_at);
        const stop =
          row.finished_at === null
            ? row.status === 'running'
              ? Date.now()
              : undefined
            : ms(row.finished_at);
        return (
          <button
            type="button"
            class={`wf-row${row.item !== undefined ? ' wf-item' : ''}${selected === row.key ? ' selected' : ''}`}
            aria-pressed={selected === row.key}
            key={row.key}
            data-row={row.key}
            data-status={row.status}
            onClick={() => onSelect(row)}
          >
            <span class="wf-label" title={row.label}>
              <span class={`dot status-${row.status}`} />
              {row.label}
            </span>
            <span class="wf-track">
              {start !== undefined && stop !== undefined && attempts.length === 0 && (
                <span
                  class={`wf-span status-${row.status}`}
                  style={{ left: x(start), width: w(stop - start) }}
                  title={`${row.label}: ${duration(stop - start)}`}
                />
              )}
              {attempts.map((attempt, index) => {
                const at = ms(attempt.started_at);
                // A label needs room before the next attempt's wait or bar (about 4% of the track).
                const next = attempts[index + 1];
                const nextAt =
                  next === undefined ? Number.POSITIVE_INFINITY : ms(next.started_at) - next.wait_ms;
                const crowded = (nextAt - at) / span < 0.04;
                const kind = outcome(attempt, index === attempts.length - 1, row.status);
                const title = `attempt ${index + 1}: ${attemptLabel(attempt) || 'no answer'} after ${duration(
                  attempt.duration_ms,
                )}${attempt.wait_ms > 0 ? `, waited ${duration(attempt.wait_ms)} before` : ''} (${when(attempt.started_at)})`;
                return (
                  <span key={index}>
                    {attempt.wait_ms > 0 && (
                      <span
                        class="wf-wait"
                        style={{ left: x(at - attempt.wait_ms), width: w(attempt.wait_ms) }}
                        title={`waited ${duration(attempt.wait_ms)} before attempt ${index + 1}`}
                      />
                    )}
                    <span
                      class={`wf-attempt wf-${kind}`}
                      data-attempt={index + 1}
                      style={{ left: x(at), width: w(attempt.duration_ms) }}
                      title={title}
                    >
                      <span class={`wf-attempt-label${crowded ? ' crowded' : ''}`}>
                        {attemptLabel(attempt)}
                      </span>
                    </span>
                  </span>
                );
              })}
            </span>
            <span class="wf-meta">
              {start !== undefined && stop !== undefined ? duration(stop - start) : row.status}
              {attempts.length > 1 && <span class="muted"> · {attempts.length} tries</span>}
            </span>
          </button>
        );
      })}
    </div>
  );
}
