/** The workspace's workflows and the global ones, with the status of each one's last run here. */

import type { WorkflowListView } from '@sluice/engine/api-types';
import { api, withQuery } from '../api.js';
import { Empty, ErrorBox, Head, Loading, Scope, Status, Time } from '../components/common.js';
import { LoadMore } from '../components/load-more.js';
import { usePagedList } from '../hooks.js';
import { href } from '../router.js';

interface WorkflowPage {
  workflows: WorkflowListView[];
  next_cursor: string | null;
}

function triggerKind(workflow: WorkflowListView): string {
  const trigger = workflow.trigger;
  if (trigger?.schedule !== undefined) return 'schedule';
  if (trigger?.webhook !== undefined) return 'webhook';
  if (trigger?.poll !== undefined) return 'poll';
  return '–';
}

export function WorkflowsPage() {
  const list = usePagedList(
    async (cursor) => {
      const page = await api<WorkflowPage>('GET', withQuery('/v1/workflows', { limit: 50, cursor }));
      return { items: page.workflows, next_cursor: page.next_cursor };
    },
    (workflow) => workflow.uid,
    [],
    { ms: 5000 },
  );
  const workflows = list.items;

  return (
    <section>
      <div class="page-head">
        <h1>Workflows</h1>
        <a class="button" href={href('workflows', 'new')}>
          New workflow
        </a>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && <Loading />}
      {!list.loading && workflows.length === 0 && (
        <Empty>
          No workflows yet. <a href={href('workflows', 'new')}>Publish one from YAML</a>, or with{' '}
          <code>POST /v1/workflows</code>.
        </Empty>
      )}
      {workflows.length > 0 && (
        <table class="list" aria-label="workflows">
          <Head columns={['Name', 'Scope', 'Steps', 'Trigger', 'Version', 'Last run']} />
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
                  v{workflow.version}{' '}
                  <span class="muted small">
                    <Time iso={workflow.updated} relative />
                  </span>
                </td>
                <td>
                  {workflow.last_run ? (
                    <a href={href('runs', workflow.last_run.id)} class="last-run">
                      <Status status={workflow.last_run.status} />{' '}
                      <span class="muted small">
                        <Time iso={workflow.last_run.created_at} relative />
                      </span>
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
      <LoadMore list={list} label="Load more" />
    </section>
  );
}
