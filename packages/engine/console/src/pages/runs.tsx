/**
 * The workspace's runs, newest first, filtered by workflow and status (kept in the address, so a
 * filtered list can be shared). The first page is read again every 2 s while the tab is visible, so
 * runs appear and change status as they progress; older pages load on demand.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { Empty, ErrorBox, Loading, Status } from '../components/common.js';
import { between, cut, duration, relative, when } from '../format.js';
import { useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import { RUN_STATUSES, type RunSummary, type StoredWorkflow } from '../types.js';

interface RunPage {
  runs: RunSummary[];
  next_cursor: string | null;
}

const PAGE = 50;
export const LIVE_MS = 2000;

export function RunsPage({ query }: { query: URLSearchParams }) {
  const workflow = query.get('workflow') ?? undefined;
  const status = query.get('status') ?? undefined;
  const [older, setOlder] = useState<RunSummary[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [live, setLive] = useState(true);
  const first = useLoad(
    () => api<RunPage>('GET', withQuery('/v1/runs', { workflow, status, limit: PAGE })),
    [workflow, status],
    { ms: LIVE_MS, while: () => live },
  );
  const workflows = useLoad(() => api<{ workflows: StoredWorkflow[] }>('GET', '/v1/workflows?limit=200'), []);
  useEffect(() => {
    setOlder([]);
    setCursor(undefined);
  }, [workflow, status]);

  const next = cursor === undefined ? first.data?.next_cursor : cursor;
  const loadMore = async () => {
    if (next === null || next === undefined) return;
    const page = await api<RunPage>(
      'GET',
      withQuery('/v1/runs', { workflow, status, limit: PAGE, cursor: next }),
    );
    setOlder([...older, ...page.runs]);
    setCursor(page.next_cursor);
  };
  const filter = (name: string, value: string) => {
    const params = new URLSearchParams(query);
    if (value === '') params.delete(name);
    else params.set(name, value);
    const text = params.toString();
    navigate(`/runs${text === '' ? '' : `?${text}`}`);
  };
  const seen = new Set<string>();
  const runs = [...(first.data?.runs ?? []), ...older].filter((run) => !seen.has(run.id) && seen.add(run.id));

  return (
    <section>
      <div class="page-head">
        <h1>Runs</h1>
        <div class="filters">
          <label>
            Workflow{' '}
            <select
              aria-label="workflow filter"
              value={workflow ?? ''}
              onChange={(event) => filter('workflow', (event.target as HTMLSelectElement).value)}
            >
              <option value="">all</option>
              {workflows.data?.workflows.map((w) => (
                <option value={w.uid} key={w.uid}>
                  {w.name}
                </option>
              ))}
              {workflow !== undefined && !workflows.data?.workflows.some((w) => w.uid === workflow) && (
                <option value={workflow}>{workflow}</option>
              )}
            </select>
          </label>
          <label>
            Status{' '}
            <select
              aria-label="status filter"
              value={status ?? ''}
              onChange={(event) => filter('status', (event.target as HTMLSelectElement).value)}
            >
              <option value="">all</option>
              {RUN_STATUSES.map((s) => (
                <option value={s} key={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label class="live">
            <input type="checkbox" checked={live} onChange={() => setLive(!live)} /> live
          </label>
        </div>
      </div>
      <ErrorBox error={first.error} />
      {first.loading && <Loading />}
      {!first.loading && runs.length === 0 && (
        <Empty>No runs{workflow || status ? ' match these filters' : ' yet'}.</Empty>
      )}
      {runs.length > 0 && (
        <table class="list" aria-label="runs">
          <thead>
            <tr>
              <th>Status</th>
              <th>Run</th>
              <th>Workflow</th>
              <th>Created</th>
              <th>Duration</th>
              <th>Error</th>
            </tr>
          </thead>
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
      {next !== null && next !== undefined && (
        <button type="button" class="quiet" onClick={() => void loadMore()}>
          Load older runs
        </button>
      )}
    </section>
  );
}
