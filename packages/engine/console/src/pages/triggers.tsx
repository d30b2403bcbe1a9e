/**
 * The triggers of the workspace's workflows: what each is doing (kind, last and next poll, events
 * seen, last error) and a switch to enable or disable it, for those who may write the workflow.
 */
import { api } from '../api.js';
import { Empty, ErrorBox, Loading } from '../components/common.js';
import { relative, when } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { href } from '../router.js';
import { canWrite, useMe } from '../session.js';
import type { StoredWorkflow, TriggerState } from '../types.js';

export function TriggerRow({
  trigger,
  writable,
  onChange,
}: {
  trigger: TriggerState;
  writable: boolean;
  onChange: () => Promise<void>;
}) {
  const toggle = useAction(async () => {
    const verb = trigger.enabled ? 'disable' : 'enable';
    await api('POST', `/v1/workflows/${encodeURIComponent(trigger.workflow_uid)}/trigger/${verb}`);
    await onChange();
  });
  return (
    <tr data-trigger={trigger.workflow_uid} data-enabled={String(trigger.enabled)}>
      <td>
        <a href={href('workflows', trigger.workflow_uid)}>{trigger.workflow_name ?? trigger.workflow_uid}</a>
      </td>
      <td>{trigger.kind}</td>
      <td>
        <span class={trigger.enabled ? 'on' : 'off'}>{trigger.enabled ? 'enabled' : 'disabled'}</span>
      </td>
      <td title={when(trigger.last_polled_at)}>{relative(trigger.last_polled_at)}</td>
      <td title={when(trigger.next_at)}>{trigger.enabled ? relative(trigger.next_at) : '–'}</td>
      <td>{trigger.events_seen}</td>
      <td class="error-cell">
        {trigger.last_error ?? ''}
        {trigger.hook_path !== undefined && (
          <div class="small">
            POST <code>{trigger.hook_path}</code>
          </div>
        )}
      </td>
      <td>
        {writable && (
          <button type="button" class="quiet" disabled={toggle.busy} onClick={() => void toggle.run()}>
            {trigger.enabled ? 'Disable' : 'Enable'}
          </button>
        )}
        {toggle.error !== undefined && <span class="field-error"> {toggle.error.message}</span>}
      </td>
    </tr>
  );
}

export const TRIGGER_HEAD = ['Workflow', 'Kind', 'State', 'Last poll', 'Next', 'Events', 'Last error', ''];

export function TriggersPage() {
  const me = useMe();
  const triggers = useLoad(() => api<{ triggers: TriggerState[] }>('GET', '/v1/triggers'), [], { ms: 5000 });
  const workflows = useLoad(() => api<{ workflows: StoredWorkflow[] }>('GET', '/v1/workflows?limit=200'), []);
  const scopeOf = (uid: string) => workflows.data?.workflows.find((w) => w.uid === uid);
  return (
    <section>
      <div class="page-head">
        <h1>Triggers</h1>
      </div>
      <ErrorBox error={triggers.error} />
      {triggers.loading && <Loading />}
      {triggers.data?.triggers.length === 0 && (
        <Empty>No workflow of this workspace has a trigger (schedule, webhook or poll).</Empty>
      )}
      {triggers.data !== undefined && triggers.data.triggers.length > 0 && (
        <table class="list" aria-label="triggers">
          <thead>
            <tr>
              {TRIGGER_HEAD.map((head) => (
                <th key={head}>{head}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {triggers.data.triggers.map((trigger) => {
              const workflow = scopeOf(trigger.workflow_uid);
              const writable =
                workflow !== undefined ? canWrite(me, workflow) : me.kind === 'key' && me.role === 'admin';
              return (
                <TriggerRow
                  trigger={trigger}
                  writable={writable}
                  onChange={triggers.reload}
                  key={trigger.workflow_uid}
                />
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
