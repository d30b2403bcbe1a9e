/**
 * One workflow: its steps as a flow, its versions, its trigger, its recent runs, and the actions the
 * caller may take on it (run with an input; test one step against a state pre-filled from the last run;
 * edit, delete and switch its trigger when they may write it).
 */

import type {
  RunSummaryView,
  RunView,
  StepTestResult,
  TriggerView,
  VersionView,
  WorkflowView,
} from '@sluice/engine/api-types';
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, startRun, withQuery } from '../api.js';
import { ErrorBox, Json, Loading, Scope, Status, Time } from '../components/common.js';
import { Flow } from '../components/flow.js';
import { duration } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import { canWrite, useMe } from '../session.js';
import { TriggerCard } from './triggers.js';

type DiffProps = { uid: string; versions: VersionView[] };

/** The version diff loads with CodeMirror, only when asked for. */
function LazyVersionDiff(props: DiffProps) {
  const [Diff, setDiff] = useState<ComponentType<DiffProps> | null>(null);
  useEffect(() => {
    void import('../components/version-diff.js').then((module) => setDiff(() => module.VersionDiff));
  }, []);
  return Diff === null ? <Loading /> : <Diff {...props} />;
}

/** The input a run gets: the text must be JSON (an empty text is no input). */
function parseInput(
  text: string,
  what = 'the input',
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `${what} is not JSON: ${(err as Error).message}` };
  }
}

/** A JSON text area: marked invalid, with the parse error under it, while its text is not JSON. */
function JsonText(props: {
  label: string;
  rows: number;
  text: string;
  parsed: ReturnType<typeof parseInput>;
  onText: (text: string) => void;
}) {
  const { parsed } = props;
  return (
    <>
      <textarea
        aria-label={props.label}
        class={`code${parsed.ok ? '' : ' invalid'}`}
        rows={props.rows}
        spellcheck={false}
        value={props.text}
        onInput={(event) => props.onText((event.target as HTMLTextAreaElement).value)}
      />
      {!parsed.ok && <p class="field-error">{parsed.message}</p>}
    </>
  );
}

/** What a step test is pre-filled with: where it came from, and the state as JSON text. */
interface Prefill {
  runId: string | null;
  text: string;
}

/**
 * The state of the workflow's last run as a step test takes it: its `INPUT`, and the outputs of the
 * steps before `step` that succeeded or were skipped (`{}` and no steps when it never ran).
 */
async function lastRunState(workflow: WorkflowView, step: string): Promise<Prefill> {
  const { runs } = await api<{ runs: RunSummaryView[] }>(
    'GET',
    withQuery('/v1/runs', { workflow: workflow.uid, limit: 1 }),
  );
  const last = runs[0];
  if (last === undefined) return { runId: null, text: JSON.stringify({ INPUT: {}, STEPS: {} }, null, 2) };
  const run = await api<RunView>('GET', `/v1/runs/${encodeURIComponent(last.id)}`);
  const names = workflow.steps.map((s) => s.name);
  const earlier = new Set(names.slice(0, Math.max(0, names.indexOf(step))));
  const steps = run.steps
    .filter((s) => earlier.has(s.name) && (s.status === 'succeeded' || s.status === 'skipped'))
    .map((s) => [s.name, { output: s.output }] as const);
  const state = { INPUT: run.input, STEPS: Object.fromEntries(steps) };
  return { runId: run.id, text: JSON.stringify(state, null, 2) };
}

/** The answer of a step test: status, output, error, and each item's attempts. */
function StepTestAnswer({ result }: { result: StepTestResult }) {
  const items = result.items;
  return (
    <div class="step-test-result" data-testid="step-test-result">
      <p>
        <Status status={result.status} /> {result.attempts} attempt{result.attempts === 1 ? '' : 's'}
        {result.fanned_out && `, ${items.length} items`}
        {result.wait_until !== null &&
          (result.status === 'waiting'
            ? ` · stopped at a retry wait until ${result.wait_until}`
            : ` · would wait until ${result.wait_until} (not waited)`)}
      </p>
      {result.error !== null && <p class="field-error">{result.error.message}</p>}
      {result.errors.length > 0 && (
        <p class="muted small">
          Items that failed without failing the step: {result.errors.map((e) => e.index).join(', ')}
        </p>
      )}
      <Json value={result.output} label="Output" />
      {items.map((item) => (
        <details key={item.index}>
          <summary>
            {result.fanned_out ? `Item ${item.index}` : 'Call'}: <Status status={item.status} />{' '}
            {item.attempts} attempt{item.attempts === 1 ? '' : 's'}
          </summary>
          <Json value={item.history} label="Attempts" />
          {result.fanned_out && <Json value={item.output} label="Output" />}
        </details>
      ))}
    </div>
  );
}

/** Tests step `step` of `workflow` against a JSON state, pre-filled from the last run. */
function StepTestForm({
  workflow,
  step,
  onClose,
}: {
  workflow: WorkflowView;
  step: string;
  onClose: () => void;
}) {
  const prefill = useLoad(() => lastRunState(workflow, step), [workflow.uid, workflow.version, step]);
  const [edited, setEdited] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<StepTestResult | undefined>(undefined);
  const text = edited ?? prefill.data?.text ?? '';
  const parsed = parseInput(text, 'the state');
  const test = useAction(async () => {
    if (!parsed.ok) throw new ApiError(400, 'CONSOLE', parsed.message);
    setResult(undefined);
    const path = `/v1/workflows/${encodeURIComponent(workflow.uid)}/steps/${encodeURIComponent(step)}/test`;
    const body = { state: parsed.value ?? {}, version: workflow.version };
    setResult(await api<StepTestResult>('POST', path, body));
  });
  const from = prefill.data?.runId;
  return (
    <form
      class="card run-form step-test"
      aria-label={`Test step ${step}`}
      onSubmit={(event) => {
        event.preventDefault();
        void test.run();
      }}
    >
      <h3>Test step {step}</h3>
      <p class="muted small">
        Runs this one step against the state below, as a run would (your <code>USER</code>, the service's{' '}
        <code>SYSTEM_APIS</code> and connections); nothing is recorded and no trigger fires.{' '}
        {prefill.loading
          ? 'Reading the last run…'
          : from === null || from === undefined
            ? 'No run yet: give INPUT and the outputs of the earlier steps.'
            : `Pre-filled from the last run (${from}); secrets in it show as [redacted].`}
      </p>
      <ErrorBox error={prefill.error} title="The last run could not be read" />
      <JsonText label="step state" rows={10} text={text} parsed={parsed} onText={setEdited} />
      <ErrorBox error={test.error} title="The step was not tested" />
      <div class="actions">
        <button type="submit" disabled={test.busy || prefill.loading || !parsed.ok}>
          {test.busy ? 'Running…' : 'Run step'}
        </button>
        <button type="button" class="quiet" onClick={onClose}>
          Close
        </button>
      </div>
      {result !== undefined && <StepTestAnswer result={result} />}
    </form>
  );
}

/** One "Test step" button per step. */
function StepTestButtons({ workflow, onPick }: { workflow: WorkflowView; onPick: (step: string) => void }) {
  return (
    <ul class="plain step-tests">
      {workflow.steps.map((s) => (
        <li key={s.name}>
          <button
            type="button"
            class="quiet"
            aria-label={`Test step ${s.name}`}
            onClick={() => onPick(s.name)}
          >
            Test step
          </button>{' '}
          <code>{s.name}</code>
        </li>
      ))}
    </ul>
  );
}

function RunForm({ uid, onClose }: { uid: string; onClose: () => void }) {
  const [text, setText] = useState('{\n  \n}');
  const parsed = parseInput(text);
  const start = useAction(async () => {
    if (!parsed.ok) throw new ApiError(400, 'CONSOLE', parsed.message);
    const run = await startRun<RunView>(uid, parsed.value);
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
      <JsonText label="run input" rows={6} text={text} parsed={parsed} onText={setText} />
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
  const [testing, setTesting] = useState<string | undefined>(undefined);
  const [comparing, setComparing] = useState(false);
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
            {data.uid} · v{data.version} · updated <Time iso={data.updated} relative /> by {data.user_id}
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
          <StepTestButtons workflow={data} onPick={setTesting} />
          {testing !== undefined && (
            <StepTestForm
              key={testing}
              workflow={data}
              step={testing}
              onClose={() => setTesting(undefined)}
            />
          )}
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
                  <Status status={run.status} /> <Time iso={run.created_at} />
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
                  <Time iso={v.updated} /> · {v.user_id} · {v.steps} steps
                </span>
              </li>
            ))}
          </ul>
          {(versions.data?.versions.length ?? 0) > 1 && (
            <button type="button" class="quiet" onClick={() => setComparing(!comparing)}>
              {comparing ? 'Hide the comparison' : 'Compare versions'}
            </button>
          )}
          <details>
            <summary>Document (JSON)</summary>
            <Json value={data} />
          </details>
        </aside>
      </div>
      {comparing && versions.data !== undefined && (
        <>
          <h2>Compare versions</h2>
          <LazyVersionDiff uid={data.uid} versions={versions.data.versions} />
        </>
      )}
    </section>
  );
}
