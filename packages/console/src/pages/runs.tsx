/**
 * The workspace's runs, newest first, searched by run id, workflow, status, origin (what started the
 * run) and a creation time range, all kept in the address so a search can be shared
 * (`#/runs?status=failed&origin=schedule&since=2026-12-07T08:00:00.000Z`). The first page is read
 * again every 2 s while the tab is visible, so runs appear and change status as they progress; older
 * pages load on demand (keyset pages: the service never counts or scans all runs).
 */

import type { RunStatus, RunSummaryView, WorkflowListView } from '@sluice/engine/api-types';
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { Empty, ErrorBox, Head, Loading, Status, Time } from '../components/common.js';
import { LoadMore } from '../components/load-more.js';
import { between, cut, duration } from '../format.js';
import { useLoad, usePagedList } from '../hooks.js';
import { href, navigate } from '../router.js';

const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

/** What may start a run (`origin`), with how the list names it. */
export const RUN_ORIGINS: readonly [string, string][] = [
  ['console', 'console'],
  ['api', 'API'],
  ['cli', 'CLI'],
  ['schedule', 'schedule'],
  ['webhook', 'webhook'],
  ['poll', 'poll'],
  ['connector_webhook', 'connector webhook'],
  ['parent', 'parent run'],
  ['on_failure', 'on_failure'],
  ['local', 'sluice run'],
];

/** The search parameters, in the address and in `GET /v1/runs`. */
const FILTERS = ['id', 'workflow', 'status', 'origin', 'since', 'until'] as const;

interface RunPage {
  runs: RunSummaryView[];
  next_cursor: string | null;
}

const PAGE = 50;
export const LIVE_MS = 2000;

/** A filter of the list: `all`, or one of `options` (`[value, label]`). */
function FilterSelect({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string | undefined;
  options: readonly [string, string][];
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}{' '}
      <select
        aria-label={`${label.toLowerCase()} filter`}
        value={value ?? ''}
        onChange={(event) => onChange((event.target as HTMLSelectElement).value)}
      >
        <option value="">all</option>
        {options.map(([optionValue, optionLabel]) => (
          <option value={optionValue} key={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
    </label>
  );
}

/** `2026-12-07T14:05` in the browser's zone, for a `datetime-local` input, from an ISO time. */
function localInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A creation time bound: typed in the browser's zone, kept in the address as ISO (UTC). */
function TimeFilter({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string | undefined;
  onChange: (iso: string) => void;
}) {
  return (
    <label>
      {label}{' '}
      <input
        type="datetime-local"
        aria-label={`${label.toLowerCase()} filter`}
        value={localInput(value)}
        title={value === undefined ? 'any time' : value}
        onChange={(event) => {
          const text = (event.target as HTMLInputElement).value;
          onChange(text === '' ? '' : new Date(text).toISOString());
        }}
      />
    </label>
  );
}

/** What started a run, linking the run that did when it was one. */
export function Origin({ run }: { run: Pick<RunSummaryView, 'origin' | 'parent_run_id' | 'failure_of'> }) {
  const label = RUN_ORIGINS.find(([value]) => value === run.origin)?.[1] ?? run.origin ?? 'unknown';
  const by = run.parent_run_id ?? run.failure_of;
  return (
    <span class={`origin origin-${run.origin ?? 'unknown'}`} data-origin={run.origin ?? ''}>
      {by === null ? label : <a href={href('runs', by)}>{label}</a>}
    </span>
  );
}

export function RunsPage({ query }: { query: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? undefined])) as Record<
    (typeof FILTERS)[number],
    string | undefined
  >;
  const { id, workflow, status, origin, since, until } = filters;
  const [idText, setIdText] = useState(id ?? '');
  const [live, setLive] = useState(true);
  const list = usePagedList(
    async (cursor) => {
      const page = await api<RunPage>('GET', withQuery('/v1/runs', { ...filters, limit: PAGE, cursor }));
      return { items: page.runs, next_cursor: page.next_cursor };
    },
    (run) => run.id,
    [id, workflow, status, origin, since, until],
    { ms: LIVE_MS, while: () => live },
  );
  const workflows = useLoad(
    () => api<{ workflows: WorkflowListView[] }>('GET', '/v1/workflows?limit=200'),
    [],
  );
  const filter = (name: (typeof FILTERS)[number], value: string) => {
    const params = new URLSearchParams(query);
    if (value === '') params.delete(name);
    else params.set(name, value);
    const text = params.toString();
    navigate(`/runs${text === '' ? '' : `?${text}`}`);
  };
  const filtered = FILTERS.some((name) => filters[name] !== undefined);
  const runs = list.items;

  return (
    <section class="runs-page">
      <div class="page-head">
        <h1>Runs</h1>
        <label class="live">
          <input type="checkbox" checked={live} onChange={() => setLive(!live)} /> live
        </label>
      </div>
      <form
        class="filters search"
        aria-label="search runs"
        onSubmit={(event) => {
          event.preventDefault();
          filter('id', idText.trim());
        }}
      >
        <label>
          Run id{' '}
          <input
            type="search"
            aria-label="run id filter"
            placeholder="the full run id"
            value={idText}
            onInput={(event) => setIdText((event.target as HTMLInputElement).value)}
            onChange={(event) => filter('id', (event.target as HTMLInputElement).value.trim())}
          />
        </label>
        <FilterSelect
          label="Workflow"
          value={workflow}
          options={[
            ...(workflows.data?.workflows.map((w): [string, string] => [w.uid, w.name]) ?? []),
            // A filter from an address whose workflow is not listed (deleted, or on a later page) stays shown.
            ...(workflow !== undefined && !workflows.data?.workflows.some((w) => w.uid === workflow)
              ? [[workflow, workflow] as [string, string]]
              : []),
          ]}
          onChange={(value) => filter('workflow', value)}
        />
        <FilterSelect
          label="Status"
          value={status}
          options={RUN_STATUSES.map((s): [string, string] => [s, s])}
          onChange={(value) => filter('status', value)}
        />
        <FilterSelect
          label="Origin"
          value={origin}
          options={[
            ...RUN_ORIGINS,
            ...(origin !== undefined && !RUN_ORIGINS.some(([value]) => value === origin)
              ? [[origin, origin] as [string, string]]
              : []),
          ]}
          onChange={(value) => filter('origin', value)}
        />
        <TimeFilter label="From" value={since} onChange={(value) => filter('since', value)} />
        <TimeFilter label="To" value={until} onChange={(value) => filter('until', value)} />
        {filtered && (
          <a
            href={href('runs')}
            class="clear"
            onClick={() => {
              setIdText('');
            }}
          >
            Clear
          </a>
        )}
      </form>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {!list.loading && runs.length === 0 && (
        <Empty>No runs{filtered ? ' match this search' : ' yet'}.</Empty>
      )}
      {runs.length > 0 && (
        <table class="list cards" aria-label="runs">
          <Head columns={['Status', 'Run', 'Workflow', 'Started by', 'Created', 'Duration', 'Error']} />
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.id} data-status={run.status}>
                <td data-label="Status">
                  <Status status={run.status} />
                </td>
                <td data-label="Run">
                  <a href={href('runs', run.id)} class="mono">
                    {run.id.slice(0, 8)}
                  </a>
                </td>
                <td data-label="Workflow">
                  {run.workflow_uid === null ? (
                    run.workflow
                  ) : (
                    <a href={href('workflows', run.workflow_uid)}>{run.workflow}</a>
                  )}
                  {run.version !== null && <span class="muted small"> v{run.version}</span>}
                </td>
                <td data-label="Started by">
                  <Origin run={run} />
                </td>
                <td data-label="Created">
                  <Time iso={run.created_at} relative />
                </td>
                <td data-label="Duration">
                  {duration(run.started_at === null ? null : between(run.started_at, run.finished_at))}
                </td>
                <td data-label="Error" class="error-cell">
                  {run.error === null ? '' : cut(`${run.error.type}: ${run.error.message}`, 80)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore list={list} label="Load older runs" />
    </section>
  );
}
