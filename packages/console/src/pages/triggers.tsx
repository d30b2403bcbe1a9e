/**
 * The triggers of the workspace's workflows: what each is doing (kind, last and next poll, events
 * seen, last error) and a switch to enable or disable it, for those who may write the workflow.
 */

import type { TriggerListView, TriggerView, WorkflowListView } from '@sluice/engine/api-types';
import { api } from '../api.js';
import { Empty, ErrorBox, Head, Loading, Time } from '../components/common.js';
import { useAction, useLoad } from '../hooks.js';
import { href } from '../router.js';
import { canWrite, useMe } from '../session.js';

/** Enables a disabled trigger or disables an enabled one, then lets the page read it again. */
function useToggle(trigger: TriggerView, onChange: () => Promise<void>) {
  return useAction(async () => {
    const verb = trigger.enabled ? 'disable' : 'enable';
    await api('POST', `/v1/workflows/${encodeURIComponent(trigger.workflow_uid)}/trigger/${verb}`);
    await onChange();
  });
}

interface TriggerProps {
  trigger: TriggerView;
  writable: boolean;
  onChange: () => Promise<void>;
}

function ToggleButton({ trigger, writable, onChange }: TriggerProps) {
  const toggle = useToggle(trigger, onChange);
  if (!writable) return null;
  return (
    <>
      <button type="button" class="quiet" disabled={toggle.busy} onClick={() => void toggle.run()}>
        {trigger.enabled ? 'Disable' : 'Enable'}
      </button>
      {toggle.error !== undefined && <span class="field-error"> {toggle.error.message}</span>}
    </>
  );
}

function HookPath({ trigger }: { trigger: TriggerView }) {
  if (trigger.hook_path === undefined) return null;
  return (
    <div class="small hook-path">
      POST <code>{trigger.hook_path}</code>
    </div>
  );
}

function State({ trigger }: { trigger: TriggerView }) {
  return <span class={trigger.enabled ? 'on' : 'off'}>{trigger.enabled ? 'enabled' : 'disabled'}</span>;
}

/** A trigger as a row of the triggers page. */
export function TriggerRow(props: TriggerProps & { trigger: TriggerListView }) {
  const { trigger } = props;
  return (
    <tr data-trigger={trigger.workflow_uid} data-enabled={String(trigger.enabled)}>
      <td>
        <a href={href('workflows', trigger.workflow_uid)}>{trigger.workflow_name ?? trigger.workflow_uid}</a>
      </td>
      <td>
        {trigger.kind}
        <HookPath trigger={trigger} />
      </td>
      <td>
        <State trigger={trigger} />
      </td>
      <td>
        <Time iso={trigger.last_polled_at} relative />
      </td>
      <td>{trigger.enabled ? <Time iso={trigger.next_at} relative /> : '–'}</td>
      <td>{trigger.events_seen}</td>
      <td class="error-cell">{trigger.last_error ?? ''}</td>
      <td>
        <ToggleButton {...props} />
      </td>
    </tr>
  );
}

/** A trigger as a card of its workflow's page. */
export function TriggerCard(props: TriggerProps) {
  const { trigger } = props;
  return (
    <div class="card trigger-card" data-trigger={trigger.workflow_uid} data-enabled={String(trigger.enabled)}>
      <h3>
        {trigger.kind} <State trigger={trigger} />
      </h3>
      <p class="small muted">
        last poll <Time iso={trigger.last_polled_at} relative /> · next{' '}
        {trigger.enabled ? <Time iso={trigger.next_at} relative /> : '–'} · {trigger.events_seen} events
      </p>
      <HookPath trigger={trigger} />
      {trigger.last_error !== null && <p class="field-error">{trigger.last_error}</p>}
      <ToggleButton {...props} />
    </div>
  );
}

const TRIGGER_HEAD = ['Workflow', 'Kind', 'State', 'Last poll', 'Next', 'Events', 'Last error', ''];

export function TriggersPage() {
  const me = useMe();
  const triggers = useLoad(() => api<{ triggers: TriggerListView[] }>('GET', '/v1/triggers'), [], {
    ms: 5000,
  });
  const workflows = useLoad(
    () => api<{ workflows: WorkflowListView[] }>('GET', '/v1/workflows?limit=200'),
    [],
  );
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
          <Head columns={TRIGGER_HEAD} />
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
