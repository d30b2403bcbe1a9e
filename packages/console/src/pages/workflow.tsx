/**
 * One workflow: its steps as a flow, its versions, its trigger, its recent runs, and the actions the
 * caller may take on it (run with an input; edit, delete and switch its trigger when they may write it).
 */

import type {
  RunSummaryView,
  RunView,
  TriggerView,
  VersionView,
  WorkflowView,
} from '@sluice/engine/api-types';
import { useState } from 'preact/hooks';
import { ApiError, api, withQuery } from '../api.js';
import { ErrorBox, Json, Loading, Scope, Status } from '../components/common.js';
import { Flow } from '../components/flow.js';
import { duration, relative, when } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import { canWrite, useMe } from '../session.js';
import { TriggerCard } from './triggers.js';

/** The input a run gets: the text must be JSON (an empty text is no input). */
function parseInput(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `the input is not JSON: ${(err as Error).message}` };
  }
}

function RunForm({ uid, onClose }: { uid: string; onClose: () => void }) {
  const [text, setText] = useState('{\n  \n}');
  const parsed = parseInput(text);
  const start = useAction(async () => {
    if (!parsed.ok) throw new ApiError(400, 'CONSOLE', parsed.message);
    const body = parsed.value === undefined ? {} : { input: parsed.value };
    const run = await api<RunView>('POST', `/v1/workflows/${encodeURIComponent(uid)}/runs`, body);
    navigate(`/runs/${encodeURIComponent(run.id)}`);
  });
  return (
    <form
      class="card run-form"
      onSubmit={(event) => {
        event.preventDefault();
        void start.run();
      }}
    >
      <h3>Run with input</h3>
      <p class="muted small">
        JSON, read by the templates as <code>INPUT</code>.
      </p>
      <textarea
        aria-label="run input"
        class={`code${parsed.ok ? '' : ' invalid'}`}
        rows={6}
        spellcheck={false}
        value={text}
        onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
      />
      {!parsed.ok && <p class="field-error">{parsed.message}</p>}
      <ErrorBox error={start.error} title="The run did not start" />
      <div class="actions">
        <button type="submit" disabled={start.busy || !parsed.ok}>
          {start.busy ? 'Starting…' : 'Start run'}
        </button>
        <button type="button" class="quiet" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}

function DeleteButton({ workflow }: { workflow: WorkflowView }) {
  const [asking, setAsking] = useState(false);
  const remove = useAction(async () => {
    await api('DELETE', `/v1/workflows/${encodeURIComponent(workflow.uid)}`);
    navigate('/workflows');
  });
  if (!asking) {
    return (
      <button type="button" class="danger quiet" onClick={() => setAsking(true)}>
        Delete
      </button>
    );
  }
  return (
    <span class="confirm">
      Delete {workflow.name} and its trigger?{' '}
      <button type="button" class="danger" disabled={remove.busy} onClick={() => void remove.run()}>
        Yes, delete
      </button>
      <button type="button" class="quiet" onClick={() => setAsking(false)}>
        Keep it
      </button>
      <ErrorBox error={remove.error} title="Not deleted" />
    </span>
  );
}

export function WorkflowPage({ uid, version }: { uid: string; version: string | null }) {
  const me = useMe();
  const [running, setRunning] = useState(false);
  const path = `/v1/workflows/${encodeURIComponent(uid)}`;
  const workflow = useLoad(() => api<WorkflowView>('GET', withQuery(path, { version })), [uid, version]);
  const versions = useLoad(() => api<{ versions: VersionView[] }>('GET', `${path}/versions`), [uid]);
  const runs = useLoad(
    () => api<{ runs: RunSummaryView[] }>('GET', withQuery('/v1/runs', { workflow: uid, limit: 10 })),
    [uid],
    { ms: 3000 },
  );
  const data = workflow.data;
  const own = data !== undefined && data.workspace_id === me.workspace_id;
  const trigger = useLoad(
    async () => (data?.trigger === undefined || !own ? null : api<TriggerView>('GET', `${path}/trigger`)),
    [uid, data?.version, own],
  );

  if (workflow.loading) return <Loading />;
  if (data === undefined) {
    return (
      <section>
        <h1>Workflow {uid}</h1>
        <ErrorBox error={workflow.error} />
        <a href={href('workflows')}>All workflows</a>
      </section>
    );
  }
  const writable = canWrite(me, data);
  const latest = versions.data?.versions[0]?.version ?? data.version;
  const old = data.version !== latest;

  return (
    <section class="workflow-page">
      <div class="page-head">
        <div>
          <div class="crumbs">
            <a href={href('workflows')}>Workflows</a> /
          </div>
          <h1>
            {data.name} <Scope scope={data.scope} />
          </h1>
          <p class="muted small">
            {data.uid} · v{data.version} · updated {relative(data.updated)} by {data.user_id}
            {data.workspace_id !== me.workspace_id && ` · published by workspace ${data.workspace_id}`}
          </p>
        </div>
        <div class="actions">
          <button type="button" onClick={() => setRunning(!running)}>
            Run
          </button>
          {writable && (
            <a class="button quiet" href={href('workflows', data.uid, 'edit')}>
              Edit YAML
            </a>
          )}
          {writable && <DeleteButton workflow={data} />}
        </div>
      </div>
      {old && (
        <p class="notice">
          This is version {data.version}; the latest is {latest}.{' '}
          <a href={href('workflows', data.uid)}>Show the latest</a>
        </p>
      )}
      {running && <RunForm uid={data.uid} onClose={() => setRunning(false)} />}
      <div class="columns">
        <div>
          <h2>Steps</h2>
          <Flow workflow={data} />
        </div>
        <aside>
          <ErrorBox error={trigger.error} title="Trigger" />
          {trigger.data && (
            <>
              <h2>Trigger</h2>
              <TriggerCard trigger={trigger.data} writable={writable} onChange={trigger.reload} />
            </>
          )}
          <h2>Recent runs</h2>
          <ErrorBox error={runs.error} />
          {runs.data?.runs.length === 0 && <p class="muted">No runs in your workspace yet.</p>}
          <ul class="plain">
            {runs.data?.runs.map((run) => (
              <li key={run.id}>
                <a href={href('runs', run.id)}>
                  <Status status={run.status} /> {when(run.created_at)}
                </a>{' '}
                <span class="muted small">
                  {duration(
                    run.finished_at === null
                      ? null
                      : Date.parse(run.finished_at) - Date.parse(run.started_at ?? run.created_at),
                  )}
                </span>
              </li>
            ))}
          </ul>
          <a href={`${href('runs')}?workflow=${encodeURIComponent(data.uid)}`}>All runs of this workflow</a>
          <h2>Versions</h2>
          <ErrorBox error={versions.error} />
          <ul class="plain versions">
            {versions.data?.versions.map((v) => (
              <li key={v.version} class={v.version === data.version ? 'current' : ''}>
                <a href={`${href('workflows', data.uid)}?version=${v.version}`}>v{v.version}</a>{' '}
                <span class="muted small">
                  {when(v.updated)} · {v.user_id} · {v.steps} steps
                </span>
              </li>
            ))}
          </ul>
          <details>
            <summary>Document (JSON)</summary>
            <Json value={data} />
          </details>
        </aside>
      </div>
    </section>
  );
}
