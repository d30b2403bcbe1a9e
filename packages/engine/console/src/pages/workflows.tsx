/** The workspace's workflows and the global ones, with the status of each one's last run here. */
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api.js';
import { Empty, ErrorBox, Loading, Scope, Status } from '../components/common.js';
import { relative } from '../format.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import type { StoredWorkflow } from '../types.js';

interface WorkflowPage {
  workflows: StoredWorkflow[];
  next_cursor: string | null;
}

function triggerKind(workflow: StoredWorkflow): string {
  const trigger = workflow.trigger;
  if (trigger?.schedule !== undefined) return 'schedule';
  if (trigger?.webhook !== undefined) return 'webhook';
  if (trigger?.poll !== undefined) return 'poll';
  return '–';
}

export function WorkflowsPage() {
  const [more, setMore] = useState<StoredWorkflow[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const first = useLoad(() => api<WorkflowPage>('GET', '/v1/workflows?limit=50'), [], { ms: 5000 });
  const next = cursor === undefined ? first.data?.next_cursor : cursor;
  const loadMore = async () => {
    if (next === null || next === undefined) return;
    const page = await api<WorkflowPage>('GET', withQuery('/v1/workflows', { limit: 50, cursor: next }));
    setMore([...more, ...page.workflows]);
    setCursor(page.next_cursor);
  };
  const workflows = [...(first.data?.workflows ?? []), ...more];

  return (
    <section>
      <div class="page-head">
        <h1>Workflows</h1>
        <a class="button" href={href('workflows', 'new')}>
          New workflow
        </a>
      </div>
      <ErrorBox error={first.error} />
      {first.loading && <Loading />}
      {!first.loading && workflows.length === 0 && (
        <Empty>
          No workflows yet. <a href={href('workflows', 'new')}>Publish one from YAML</a>, or with{' '}
          <code>POST /v1/workflows</code>.
        </Empty>
      )}
      {workflows.length > 0 && (
        <table class="list" aria-label="workflows">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scope</th>
              <th>Steps</th>
              <th>Trigger</th>
              <th>Version</th>
              <th>Last run</th>
            </tr>
          </thead>
          <tbody>
            {workflows.map((workflow) => (
              <tr key={workflow.uid} data-uid={workflow.uid}>
                <td>
                  <a href={href('workflows', workflow.uid)}>{workflow.name}</a>
                  <div class="muted small">{workflow.uid}</div>
                </td>
                <td>
                  <Scope scope={workflow.scope} />
                </td>
                <td>{workflow.steps.length}</td>
                <td>{triggerKind(workflow)}</td>
                <td>
                  v{workflow.version} <span class="muted small">{relative(workflow.updated)}</span>
                </td>
                <td>
                  {workflow.last_run ? (
                    <a href={href('runs', workflow.last_run.id)} class="last-run">
                      <Status status={workflow.last_run.status} />{' '}
                      <span class="muted small">{relative(workflow.last_run.created_at)}</span>
                    </a>
                  ) : (
                    <span class="muted">never run</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && next !== undefined && (
        <button type="button" class="quiet" onClick={() => void loadMore()}>
          Load more
        </button>
      )}
    </section>
  );
}
