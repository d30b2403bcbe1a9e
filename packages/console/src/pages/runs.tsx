/**
 * The workspace's runs, newest first, filtered by workflow and status (kept in the address, so a
 * filtered list can be shared). The first page is read again every 2 s while the tab is visible, so
 * runs appear and change status as they progress; older pages load on demand.
 */

import type { RunStatus, RunSummaryView, WorkflowListView } from '@sluice/engine/api-types';
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { Empty, ErrorBox, Head, Loading, Status } from '../components/common.js';
import { LoadMore } from '../components/load-more.js';
import { between, cut, duration, relative, when } from '../format.js';
import { useLoad, usePagedList } from '../hooks.js';
import { href, navigate } from '../router.js';

const RUN_STATUSES: readonly RunStatus[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

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
  options: [string, string][];
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

export function RunsPage({ query }: { query: URLSearchParams }) {
  const workflow = query.get('workflow') ?? undefined;
  const status = query.get('status') ?? undefined;
  const [live, setLive] = useState(true);
  const list = usePagedList(
    async (cursor) => {
      const page = await api<RunPage>(
        'GET',
        withQuery('/v1/runs', { workflow, status, limit: PAGE, cursor }),
      );
      return { items: page.runs, next_cursor: page.next_cursor };
    },
    (run) => run.id,
    [workflow, status],
    { ms: LIVE_MS, while: () => live },
  );
  const workflows = useLoad(
    () => api<{ workflows: WorkflowListView[] }>('GET', '/v1/workflows?limit=200'),
    [],
  );
  const filter = (name: string, value: string) => {
    const params = new URLSearchParams(query);
    if (value === '') params.delete(name);
    else params.set(name, value);
    const text = params.toString();
    navigate(`/runs${text === '' ? '' : `?${text}`}`);
  };
  const runs = list.items;

  return (
    <section>
      <div class="page-head">
        <h1>Runs</h1>
        <div class="filters">
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
          <label class="live">
            <input type="checkbox" checked={live} onChange={() => setLive(!live)} /> live
          </label>
        </div>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {!list.loading && runs.length === 0 && (
        <Empty>No runs{workflow || status ? ' match these filters' : ' yet'}.</Empty>
      )}
      {runs.length > 0 && (
        <table class="list" aria-label="runs">
          <Head columns={['Status', 'Run', 'Workflow', 'Created', 'Duration', 'Error']} />
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.id} data-status={run.status}>
                <td>
                  <Status status={run.status} />
                </td>
                <td>
                  <a href={href('runs', run.id)} class="mono">
                    {run.id.slice(0, 8)}
                  </a>
                </td>
                <td>
                  {run.workflow_uid === null ? (
                    run.workflow
                  ) : (
                    <a href={href('workflows', run.workflow_uid)}>{run.workflow}</a>
                  )}
                  {run.version !== null && <span class="muted small"> v{run.version}</span>}
                </td>
                <td title={when(run.created_at)}>{relative(run.created_at)}</td>
                <td>{duration(run.started_at === null ? null : between(run.started_at, run.finished_at))}</td>
                <td class="error-cell">
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
