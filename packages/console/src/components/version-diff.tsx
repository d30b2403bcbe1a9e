/**
 * Two versions of a workflow side by side (or unified, one column, on a narrow screen or by choice):
 * each version's document as the YAML a person edits, compared line by line by `@codemirror/merge`,
 * read-only, unchanged stretches folded. Loaded on demand with CodeMirror (the editor's chunk).
 */

import { yaml } from '@codemirror/lang-yaml';
import { MergeView, unifiedMergeView } from '@codemirror/merge';
import { EditorState, type Extension } from '@codemirror/state';
import type { VersionView, WorkflowView } from '@sluice/engine/api-types';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { documentYaml } from '../editor/document-yaml.js';
import { consoleTheme } from '../editor/editor-theme.js';
import { shadowView } from '../editor/shadow-view.js';
import { useLoad } from '../hooks.js';
import { ErrorBox, Loading } from './common.js';

const READ_ONLY: Extension[] = [
  basicSetup,
  consoleTheme,
  yaml(),
  EditorState.readOnly.of(true),
  EditorView.editable.of(false),
];
const COLLAPSE = { margin: 3, minSize: 6 };

function VersionSelect({
  label,
  value,
  versions,
  onChange,
}: {
  label: string;
  value: number;
  versions: VersionView[];
  onChange: (version: number) => void;
}) {
  return (
    <label>
      {label}{' '}
      <select
        aria-label={`${label} version`}
        value={String(value)}
        onChange={(event) => onChange(Number((event.target as HTMLSelectElement).value))}
      >
        {versions.map((v) => (
          <option key={v.version} value={String(v.version)}>
            v{v.version}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The diff of `from` → `to`, in `layout`. */
function Diff({ from, to, layout }: { from: string; to: string; layout: 'split' | 'unified' }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (host.current === null) return;
    const { root, parent } = shadowView(host.current, 'diff');
    if (layout === 'split') {
      const view = new MergeView({
        a: { doc: from, extensions: READ_ONLY },
        b: { doc: to, extensions: READ_ONLY },
        parent,
        root,
        collapseUnchanged: COLLAPSE,
      });
      return () => view.destroy();
    }
    const view = new EditorView({
      parent,
      root,
      doc: to,
      extensions: [
        ...READ_ONLY,
        unifiedMergeView({ original: from, mergeControls: false, collapseUnchanged: COLLAPSE }),
      ],
    });
    return () => view.destroy();
  }, [from, to, layout]);
  return <div class={`version-diff diff-${layout}`} ref={host} data-testid="version-diff" />;
}

export function VersionDiff({ uid, versions }: { uid: string; versions: VersionView[] }) {
  const [to, setTo] = useState(versions[0]?.version ?? 1);
  const [from, setFrom] = useState(versions[1]?.version ?? to);
  const [layout, setLayout] = useState<'split' | 'unified'>(() =>
    matchMedia('(min-width: 900px)').matches ? 'split' : 'unified',
  );
  const path = `/v1/workflows/${encodeURIComponent(uid)}`;
  const texts = useLoad(async () => {
    const [a, b] = await Promise.all(
      [from, to].map((version) => api<WorkflowView>('GET', `${path}?version=${version}`)),
    );
    return { from: documentYaml(a as WorkflowView), to: documentYaml(b as WorkflowView) };
  }, [uid, from, to]);

  return (
    <div class="card compare">
      <div class="filters">
        <VersionSelect label="From" value={from} versions={versions} onChange={setFrom} />
        <VersionSelect label="To" value={to} versions={versions} onChange={setTo} />
        <label class="live">
          <input
            type="checkbox"
            checked={layout === 'split'}
            onChange={() => setLayout(layout === 'split' ? 'unified' : 'split')}
          />{' '}
          side by side
        </label>
      </div>
      <ErrorBox error={texts.error} />
      {texts.loading && <Loading />}
      {texts.data !== undefined &&
        (texts.data.from === texts.data.to ? (
          <p class="muted" data-testid="version-diff">
            v{from} and v{to} hold the same document.
          </p>
        ) : (
          <Diff from={texts.data.from} to={texts.data.to} layout={layout} />
        ))}
    </div>
  );
}
