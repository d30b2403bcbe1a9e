/**
 * Publishing from YAML: a new workflow, or a new version of one. The service checks the text while it
 * is typed (`POST /v1/workflows/validate`, debounced), so the problems shown are the ones a publish
 * would be refused for, each on its line; the flow beside the editor is the document as it would be
 * stored. Loaded on demand (with CodeMirror, the YAML library and the workflow schema), not with the
 * first page.
 */

import type {
  TemplateReferenceView,
  Workflow,
  WorkflowProblem,
  WorkflowView,
} from '@sluice/engine/api-types';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api, withQuery } from '../api.js';
import { ErrorBox, Loading } from '../components/common.js';
import { Flow } from '../components/flow.js';
import { YamlEditor } from '../components/yaml-editor.js';
import { documentYaml } from '../editor/document-yaml.js';
import { useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';

const STARTER = `# A workflow: named steps, each an HTTP call (apispec) or a connector action.
# See docs/workflows.md for every field.
name: My workflow
scope: workspace
default_retry:
  total: 3
  backoff_factor: 0.5
  status_forcelist: [429, 500, 502, 503, 504]
steps:
  - name: fetch
    apispec:
      url: https://api.example.com/items/{{ INPUT.id }}
      method: GET
`;

type Check =
  | { state: 'idle' | 'checking' }
  | { state: 'valid'; workflow: Workflow }
  | { state: 'invalid'; error: ApiError };

const DEBOUNCE_MS = 300;

export function EditPage({ uid }: { uid: string | undefined }) {
  const [text, setText] = useState<string | undefined>(uid === undefined ? STARTER : undefined);
  const [base, setBase] = useState<WorkflowView | undefined>(undefined);
  const [loadError, setLoadError] = useState<ApiError | undefined>(undefined);
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const [publishError, setPublishError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const checked = useRef(0);
  // Filter names and SYSTEM_APIS keys for completion inside {{ }}; the editor works without them.
  const reference = useLoad(() => api<TemplateReferenceView>('GET', '/v1/templates/reference'), []);

  useEffect(() => {
    if (uid === undefined) return;
    api<WorkflowView>('GET', `/v1/workflows/${encodeURIComponent(uid)}`).then(
      (workflow) => {
        setBase(workflow);
        setText(documentYaml(workflow));
      },
      (err: ApiError) => setLoadError(err),
    );
  }, [uid]);

  useEffect(() => {
    if (text === undefined) return;
    const mine = ++checked.current;
    setCheck({ state: 'checking' });
    const timer = setTimeout(() => {
      api<{ valid: true; workflow: Workflow }>('POST', withQuery('/v1/workflows/validate', { uid }), text, {
        yaml: true,
      }).then(
        (answer) => mine === checked.current && setCheck({ state: 'valid', workflow: answer.workflow }),
        (err: ApiError) => mine === checked.current && setCheck({ state: 'invalid', error: err }),
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, uid]);

  if (loadError !== undefined) return <ErrorBox error={loadError} title={`Cannot edit ${uid}`} />;
  if (text === undefined) return <Loading />;

  const publish = async () => {
    setBusy(true);
    setPublishError(undefined);
    try {
      const stored =
        base === undefined
          ? await api<WorkflowView>('POST', '/v1/workflows', text, { yaml: true })
          : await api<WorkflowView>('PUT', `/v1/workflows/${encodeURIComponent(base.uid)}`, text, {
              yaml: true,
              headers: { 'if-match': `"${base.version}"` },
            });
      navigate(`/workflows/${encodeURIComponent(stored.uid)}`);
    } catch (err) {
      setPublishError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const problems: WorkflowProblem[] = publishError?.problems.length
    ? publishError.problems
    : check.state === 'invalid'
      ? check.error.problems
      : [];
  const refusal = check.state === 'invalid' && check.error.problems.length === 0 ? check.error : undefined;

  return (
    <section class="edit-page">
      <div class="page-head">
        <div>
          <div class="crumbs">
            <a href={href('workflows')}>Workflows</a> /{' '}
            {base !== undefined && <a href={href('workflows', base.uid)}>{base.name}</a>}
          </div>
          <h1>
            {base === undefined
              ? 'New workflow'
              : `Edit ${base.name} (v${base.version} → v${base.version + 1})`}
          </h1>
        </div>
        <div class="actions">
          <span class={`check check-${check.state}`} data-testid="check" aria-live="polite">
            {check.state === 'checking' && 'checking…'}
            {check.state === 'valid' &&
              `valid · ${check.workflow.steps.length} step${check.workflow.steps.length === 1 ? '' : 's'}`}
            {check.state === 'invalid' &&
              (check.error.problems.length > 0
                ? `${check.error.problems.length} problem${check.error.problems.length === 1 ? '' : 's'}`
                : 'refused')}
          </span>
          <button type="button" disabled={busy || check.state !== 'valid'} onClick={() => void publish()}>
            {busy ? 'Publishing…' : 'Publish'}
          </button>
        </div>
      </div>
      <ErrorBox error={publishError} title="Not published" />
      <ErrorBox error={refusal} title="A publish would be refused" />
      <div class="columns editor-columns">
        <YamlEditor
          value={text}
          onInput={setText}
          problems={problems}
          label="workflow YAML"
          reference={reference.data}
        />
        <aside>
          <h2>Preview</h2>
          {check.state === 'valid' ? (
            <Flow workflow={check.workflow} />
          ) : (
            <p class="muted">Shown once the document is valid.</p>
          )}
        </aside>
      </div>
    </section>
  );
}
