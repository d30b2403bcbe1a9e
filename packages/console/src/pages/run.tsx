/**
 * One run: its status (read again every second until it ends), the waterfall of its steps, items and
 * attempts, the details of the selected row (input, output, error, each attempt), and Retry / Cancel.
 * Values are shown as the API answers them: secrets come back redacted.
 */

import type { AttemptEntry, RunView, StepErrorRecord } from '@sluice/engine/api-types';
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, startRun } from '../api.js';
import { ErrorBox, Head, Json, Loading, Status, Time } from '../components/common.js';
import {
  AttemptPanel,
  type ChosenAttempt,
  Waterfall,
  type WaterfallRow,
  waterfallRows,
} from '../components/waterfall.js';
import { duration } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import { Origin } from './runs.js';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

function Fact({ term, value }: { term: string; value: ComponentChildren }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** What the API puts in place of a secret in a run's input. */
const REDACTED = '[redacted]';

function ErrorDetail({ error }: { error: StepErrorRecord | null }) {
  if (error === null) return null;
  return (
    <div class="error-box run-error" role="alert">
      <strong>{error.type}</strong>
      {error.status !== undefined && <span class="code">HTTP {error.status}</span>}
      <p>{error.message}</p>
      {error.body !== undefined && error.body !== '' && <pre class="body">{error.body}</pre>}
    </div>
  );
}

/** What an attempt came to: its HTTP status or error class, or the child run it stands for. */
function AttemptResult({ attempt }: { attempt: AttemptEntry }) {
  if (attempt.child_run_id !== undefined) {
    return (
      <a href={href('runs', attempt.child_run_id)} data-child-run={attempt.child_run_id}>
        child run {attempt.child_run_id.slice(0, 8)}
      </a>
    );
  }
  return <>{attempt.status !== undefined ? `HTTP ${attempt.status}` : (attempt.error ?? '–')}</>;
}

function Attempts({ history, onInspect }: { history: AttemptEntry[]; onInspect: (attempt: number) => void }) {
  if (history.length === 0) return <p class="muted">No HTTP attempts recorded.</p>;
  // A paginated step's attempts say which page each one fetched.
  const paged = history.some((attempt) => attempt.page !== undefined);
  return (
    <table class="list compact" aria-label="attempts">
      <Head columns={['#', ...(paged ? ['Page'] : []), 'Started', 'Waited before', 'Took', 'Result', '']} />
      <tbody>
        {history.map((attempt, index) => (
          <tr key={index}>
            <td>{index + 1}</td>
            {paged && <td data-page={attempt.page}>{attempt.page === undefined ? '–' : attempt.page + 1}</td>}
            <td>
              <Time iso={attempt.started_at} />
            </td>
            <td>{attempt.wait_ms > 0 ? duration(attempt.wait_ms) : '–'}</td>
            <td>{duration(attempt.duration_ms)}</td>
            <td>
              <AttemptResult attempt={attempt} />
            </td>
            <td>
              {attempt.child_run_id === undefined && (
                <button type="button" class="link" onClick={() => onInspect(index + 1)}>
                  Request and response
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RowDetail({ row, onInspect }: { row: WaterfallRow; onInspect: (attempt: number) => void }) {
  const record = row.record;
  return (
    <div class="card row-detail" data-testid="row-detail">
      <h3>
        {row.label} <Status status={row.status} />
      </h3>
      <p class="muted small">
        {record.attempts} attempt{record.attempts === 1 ? '' : 's'} · started <Time iso={record.started_at} />{' '}
        · took {duration(record.duration_ms)}
        {record.idempotency_key !== null && (
          <>
            {' '}
            · Idempotency-Key <code>{record.idempotency_key}</code>
          </>
        )}
      </p>
      <ErrorDetail error={record.error} />
      <Attempts history={record.history} onInspect={onInspect} />
      <div class="columns two">
        <Json label="input" value={record.input} />
        <Json label="output" value={record.output} />
      </div>
    </div>
  );
}

export function RunPage({ id }: { id: string }) {
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [chosen, setChosen] = useState<ChosenAttempt | undefined>(undefined);
  const path = `/v1/runs/${encodeURIComponent(id)}`;
  const run = useLoad(() => api<RunView>('GET', path), [id], {
    ms: 1000,
    while: (data) => !FINISHED.has(data.status),
  });
  const retry = useAction(async () => {
    // A retry resumes the same run from its failed step.
    await api('POST', `${path}/retry`);
    await run.reload();
  });
  const cancel = useAction(async () => {
    await api('POST', `${path}/cancel`);
    await run.reload();
  });
  // A new run of the workflow's latest version with this run's input (as the API shows it: redacted).
  const again = useAction(async (uid: string, input: unknown) => {
    const started = await startRun<{ id: string }>(uid, input);
    navigate(`/runs/${encodeURIComponent(started.id)}`);
  });

  if (run.loading) return <Loading />;
  const data = run.data;
  if (data === undefined) {
    return (
      <section>
        <h1>Run {id}</h1>
        <ErrorBox error={run.error} />
        <a href={href('runs')}>All runs</a>
      </section>
    );
  }
  const rows = waterfallRows(data);
  const shown = rows.find((row) => row.key === selected) ?? rows.find((row) => row.status === 'failed');
  const finished = FINISHED.has(data.status);
  const chosenRow = chosen === undefined ? undefined : rows.find((row) => row.key === chosen.row);

  return (
    <section class="run-page">
      <div class="page-head">
        <div>
          <div class="crumbs">
            <a href={href('runs')}>Runs</a> /
          </div>
          <h1>
            <Status status={data.status} />{' '}
            {data.workflow_uid === null ? (
              data.workflow
            ) : (
              <a href={href('workflows', data.workflow_uid)}>{data.workflow}</a>
            )}
            {data.version !== null && <span class="muted"> v{data.version}</span>}
          </h1>
          <p class="muted small mono">{data.id}</p>
        </div>
        <div class="actions">
          {data.workflow_uid !== null && (
            <button
              type="button"
              class="quiet"
              disabled={again.busy}
              title={
                JSON.stringify(data.input ?? null).includes(REDACTED)
                  ? `Starts the latest version with this input; its secrets were redacted, so the new run gets "${REDACTED}" in their place`
                  : 'Starts the latest version of the workflow with this input'
              }
              onClick={() => void again.run(data.workflow_uid as string, data.input ?? undefined)}
            >
              {again.busy ? 'Starting…' : 'Run again with this input'}
            </button>
          )}
          {data.status === 'failed' && (
            <button type="button" disabled={retry.busy} onClick={() => void retry.run()}>
              {retry.busy ? 'Retrying…' : 'Retry'}
            </button>
          )}
          {!finished && (
            <button type="button" class="danger" disabled={cancel.busy} onClick={() => void cancel.run()}>
              {cancel.busy ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
        </div>
      </div>
      <ErrorBox error={retry.error ?? cancel.error ?? again.error} title="Not done" />
      <dl class="facts">
        <Fact term="Started by" value={<Origin run={data} />} />
        <Fact term="Created" value={<Time iso={data.created_at} />} />
        <Fact term="Started" value={<Time iso={data.started_at} />} />
        <Fact term="Finished" value={<Time iso={data.finished_at} />} />
        <Fact term="Duration" value={duration(data.duration_ms)} />
        {data.resume_at !== null && <Fact term="Resumes" value={<Time iso={data.resume_at} />} />}
        {data.parent_run_id !== null && (
          <div>
            <dt>Parent run</dt>
            <dd>
              <a href={href('runs', data.parent_run_id)} data-parent-run>
                {data.parent_run_id}
              </a>
            </dd>
          </div>
        )}
        {data.failure_of !== null && (
          <div>
            <dt>On failure of</dt>
            <dd>
              <a href={href('runs', data.failure_of)} data-failure-of>
                {data.failure_of}
              </a>
            </dd>
          </div>
        )}
      </dl>
      <ErrorDetail error={data.error} />
      <h2>Waterfall</h2>
      <Waterfall
        run={data}
        selected={shown?.key}
        onSelect={(row) => setSelected(row.key)}
        chosen={chosen}
        onChooseAttempt={(row, attempt) => setChosen({ row: row.key, attempt })}
      />
      <p class="legend muted small">
        <span class="wf-attempt wf-ok" /> answered <span class="wf-attempt wf-bad" /> HTTP error{' '}
        <span class="wf-attempt wf-error" /> no answer (connect, read, timeout) <span class="wf-wait" /> wait
        (before a retry, or a wait step)
      </p>
      {chosenRow !== undefined && chosen !== undefined && (
        <AttemptPanel
          runId={data.id}
          row={chosenRow}
          attempt={chosen.attempt}
          onClose={() => setChosen(undefined)}
        />
      )}
      {shown !== undefined ? (
        <RowDetail row={shown} onInspect={(attempt) => setChosen({ row: shown.key, attempt })} />
      ) : (
        <p class="muted small">Choose a row for its input, output, error and attempts.</p>
      )}
      <details>
        <summary>Run input</summary>
        <Json value={data.input} />
      </details>
    </section>
  );
}
