/**
 * A run as a waterfall: one row per step, and one per item of a fanned-out step, on a shared time axis
 * from the run's start. Each attempt is a bar (its colour says how it ended; its label is the HTTP
 * status or the error class), and the wait before a retry is a hatched stretch before it. Clicking a
 * bar opens the attempt's panel ({@link AttemptPanel}): the request as sent and the response as
 * received (`GET /v1/runs/{id}/attempts`), JSON bodies pretty-printed.
 */

import type {
  AttemptEntry,
  AttemptsView,
  AttemptView,
  RecordedBody,
  RunView,
  StepItemRecord,
  StepRecord,
} from '@sluice/engine/api-types';
import { api, withQuery } from '../api.js';
import { duration, when } from '../format.js';
import { useLoad } from '../hooks.js';
import { ErrorBox, Loading } from './common.js';

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
  if (attempt.child_run_id !== undefined) return 'child run';
  const result = attempt.status !== undefined ? String(attempt.status) : (attempt.error ?? '');
  // A paginated step's attempts: which page (from 1) each one fetched.
  return attempt.page === undefined ? result : `p${attempt.page + 1} ${result}`;
}

/** The one entry of a wait step that waits: no call, all wait (`steps/wait.ts`). */
function isStoredWait(attempt: AttemptEntry): boolean {
  return (
    attempt.duration_ms === 0 &&
    attempt.wait_ms > 0 &&
    attempt.status === undefined &&
    attempt.error === undefined &&
    attempt.child_run_id === undefined
  );
}

/** `3 tries`, or `4 pages` (`· 5 tries` when some page was tried again) for a paginated call. */
function triesText(attempts: readonly AttemptEntry[]): string | undefined {
  const pages = new Set(attempts.flatMap((attempt) => (attempt.page === undefined ? [] : [attempt.page])))
    .size;
  if (pages > 0)
    return `${pages} page${pages === 1 ? '' : 's'}${attempts.length > pages ? ` · ${attempts.length} tries` : ''}`;
  return attempts.length > 1 ? `${attempts.length} tries` : undefined;
}

const ms = (iso: string) => new Date(iso).getTime();

/** An attempt chosen for its panel: the row's key and the attempt's number (from 1). */
export interface ChosenAttempt {
  row: string;
  attempt: number;
}

export function Waterfall({
  run,
  selected,
  onSelect,
  chosen,
  onChooseAttempt,
}: {
  run: RunView;
  selected: string | undefined;
  onSelect: (row: WaterfallRow) => void;
  /** The attempt whose panel is open. */
  chosen?: ChosenAttempt | undefined;
  /** A click on an attempt's bar (the row is selected too). */
  onChooseAttempt?: (row: WaterfallRow, attempt: number) => void;
}) {
  const rows = waterfallRows(run);
  const origin = ms(run.started_at ?? run.created_at);
  const times = rows.flatMap((row) => [
    row.finished_at === null ? Number.NaN : ms(row.finished_at),
    ...row.history.map((a) => ms(a.started_at) + a.duration_ms + (isStoredWait(a) ? a.wait_ms : 0)),
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
                if (isStoredWait(attempt)) {
                  // A wait step waiting: the wait runs forward from the step's start to when it ends.
                  const until = when(new Date(at + attempt.wait_ms).toISOString());
                  return (
                    <span
                      key={index}
                      class="wf-wait"
                      data-waits-until={until}
                      style={{ left: x(at), width: w(attempt.wait_ms) }}
                      title={`waits until ${until}`}
                    />
                  );
                }
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
                    {/* biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the bar sits inside the row's button (a button cannot hold one); keyboards open the same panel from the attempts table of the row's details */}
                    <span
                      class={`wf-attempt wf-${kind}${
                        chosen?.row === row.key && chosen.attempt === index + 1 ? ' chosen' : ''
                      }`}
                      data-attempt={index + 1}
                      style={{ left: x(at), width: w(attempt.duration_ms) }}
                      title={`${title} · click for the request and response`}
                      onClick={(event) => {
                        if (onChooseAttempt === undefined) return;
                        // The row is selected as well; the panel shows this attempt.
                        event.stopPropagation();
                        onSelect(row);
                        onChooseAttempt(row, index + 1);
                      }}
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
              {triesText(attempts) !== undefined && <span class="muted"> · {triesText(attempts)}</span>}
            </span>
          </button>
        );
      })}
    </div>
  );
}

/** A body as recorded: JSON pretty-printed when it parses, text as is, base64 bytes marked. */
export function bodyText(body: RecordedBody): string {
  if (body.encoding === 'base64') return body.body;
  if (!body.cut) {
    try {
      return JSON.stringify(JSON.parse(body.body), null, 2);
    } catch {
      // Not JSON: shown as the text it is.
    }
  }
  return body.body;
}

function BodyView({ body, label }: { body: RecordedBody; label: string }) {
  if (body.body_bytes === 0) return <p class="muted small">No {label.toLowerCase()}.</p>;
  const size = `${body.body_bytes} bytes`;
  const note = `${body.encoding === 'base64' ? 'binary, shown as base64' : 'text'} · ${
    body.cut ? `first 64 KiB of ${size}` : size
  }`;
  return (
    <figure class="json" data-testid={`${label.toLowerCase().replace(' ', '-')}`}>
      <figcaption>
        {label} <span class="muted small">({note})</span>
      </figcaption>
      <pre>{bodyText(body)}</pre>
    </figure>
  );
}

function HeadersTable({ headers, label }: { headers: Record<string, string | string[]>; label: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p class="muted small">No headers.</p>;
  return (
    <table class="list compact" aria-label={label}>
      <tbody>
        {entries.flatMap(([name, value]) =>
          (Array.isArray(value) ? value : [value]).map((one, index) => (
            <tr key={`${name}#${index}`}>
              <th scope="row" class="mono">
                {name}
              </th>
              <td class="mono">{one}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

/** One HTTP request of an attempt and what came back. */
function ExchangeView({ line }: { line: AttemptView }) {
  const { request, response } = line;
  return (
    <div class="exchange" data-testid="exchange">
      <p class="muted small">
        {line.exchange !== undefined && line.exchange > 1 && <>request {line.exchange} · </>}
        started {when(line.started_at)} · took {duration(line.duration_ms)}
        {line.wait_ms > 0 && <> · waited {duration(line.wait_ms)} before</>}
      </p>
      {line.pruned === true || request === undefined ? (
        <p class="muted" data-testid="pruned">
          The request and response of this attempt are not kept (past the workspace's retention, or retention
          0).
        </p>
      ) : (
        <div class="columns two">
          <section aria-label="request">
            <h4>Request</h4>
            <p class="mono" data-testid="request-line">
              <strong>{request.method}</strong> {request.url}
            </p>
            <HeadersTable headers={request.headers} label="request headers" />
            <BodyView body={request} label="Request body" />
          </section>
          <section aria-label="response">
            <h4>Response</h4>
            {response === undefined ? (
              <p class="error-box">No response: {line.error ?? 'the request failed'}</p>
            ) : (
              <>
                <p class="mono" data-testid="response-status">
                  <strong>HTTP {response.status}</strong>
                </p>
                <HeadersTable headers={response.headers} label="response headers" />
                <BodyView body={response} label="Response body" />
              </>
            )}
          </section>
        </div>
      )}
    </div>
  );
}

/** The request(s) and response(s) of one attempt of `row`, read from the attempts API. */
export function AttemptPanel({
  runId,
  row,
  attempt,
  onClose,
}: {
  runId: string;
  row: WaterfallRow;
  attempt: number;
  onClose: () => void;
}) {
  const path = withQuery(`/v1/runs/${encodeURIComponent(runId)}/attempts`, {
    step: row.step,
    item: row.item ?? 0,
  });
  const loaded = useLoad(() => api<AttemptsView>('GET', path), [path]);
  const lines = loaded.data?.attempts.filter((line) => line.attempt === attempt) ?? [];
  return (
    <section class="card attempt-panel" data-testid="attempt-panel" aria-label={`attempt ${attempt}`}>
      <div class="page-head">
        <h3>
          {row.label} · attempt {attempt}
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {loaded.loading ? (
        <Loading />
      ) : loaded.error !== undefined ? (
        <ErrorBox error={loaded.error} />
      ) : lines.length === 0 ? (
        <p class="muted">This attempt sent no HTTP request.</p>
      ) : (
        lines.map((line) => <ExchangeView key={`${line.attempt}.${line.exchange ?? 0}`} line={line} />)
      )}
    </section>
  );
}
