/**
 * The workflow editor: CodeMirror 6 with YAML highlighting, completion of keys and values from the
 * workflow JSON Schema (with each key's description, also on hover), completion inside `{{ }}` (steps
 * above, INPUT fields, SYSTEM_APIS keys, filters), and the problems the service found marked in the lint
 * gutter and under their text, each also listed under the editor (a click selects its line).
 * Loaded with the editor page only (its own chunk).
 */

import { autocompletion } from '@codemirror/autocomplete';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import type { WorkflowProblem } from '@sluice/engine/api-types';
import schema from '@sluice/engine/schema/workflow.schema.json';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import { consoleTheme } from '../editor/editor-theme.js';
import { type SchemaNode, SchemaWalker } from '../editor/schema-walk.js';
import { shadowView } from '../editor/shadow-view.js';
import type { TemplateReference } from '../editor/template-context.js';
import { problemDiagnostics, workflowCompletion, workflowHover } from '../editor/workflow-extensions.js';

const walker = new SchemaWalker(schema as unknown as SchemaNode);

function indentTwo(view: EditorView): boolean {
  view.dispatch(
    view.state.update(view.state.replaceSelection('  '), { scrollIntoView: true, userEvent: 'input' }),
  );
  return true;
}

/**
 * `value` is the text the editor opens with; from then on the editor owns the text and reports each
 * change through `onInput` (to start over with another text, mount it again with another `key`).
 */
export function YamlEditor({
  value,
  onInput,
  problems,
  label,
  reference,
}: {
  value: string;
  onInput: (text: string) => void;
  problems: WorkflowProblem[];
  label: string;
  /** What templates may name on the service; completion works without it, with fewer names. */
  reference?: TemplateReference | undefined;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest props, read by the editor's callbacks (created once).
  const latest = useRef({ onInput, reference });
  latest.current = { onInput, reference };

  useEffect(() => {
    if (host.current === null) return;
    const { root, parent } = shadowView(host.current, 'editor');
    const editor = new EditorView({
      parent,
      root,
      doc: value,
      extensions: [
        basicSetup,
        consoleTheme,
        // Tab indents by two spaces, as YAML wants (Escape then Tab leaves the editor, as CodeMirror says).
        keymap.of([{ key: 'Tab', run: indentTwo }]),
        EditorState.tabSize.of(2),
        yaml(),
        autocompletion({
          override: [workflowCompletion(walker, () => latest.current.reference)],
          icons: false,
        }),
        workflowHover(walker),
        lintGutter(),
        EditorView.contentAttributes.of({ 'aria-label': label, spellcheck: 'false' }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) latest.current.onInput(update.state.doc.toString());
        }),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  const problemKey = JSON.stringify(problems);
  useEffect(() => {
    const editor = view.current;
    if (editor === null) return;
    editor.dispatch(setDiagnostics(editor.state, problemDiagnostics(editor.state.doc, problems)));
  }, [problemKey]);

  const selectLine = (number: number) => {
    const editor = view.current;
    if (editor === null) return;
    const line = editor.state.doc.line(Math.min(Math.max(number, 1), editor.state.doc.lines));
    editor.dispatch({ selection: { anchor: line.from, head: line.to }, scrollIntoView: true });
    editor.focus();
  };

  return (
    <div class="yaml-editor">
      <div class="editor-frame" ref={host} data-testid="editor" />
      {problems.length > 0 && (
        <ul class="problems" aria-label="problems">
          {problems.map((problem, index) => (
            <li key={`${problem.path}:${problem.line}:${index}`}>
              {problem.line !== undefined ? (
                <button type="button" class="link" onClick={() => selectLine(problem.line as number)}>
                  line {problem.line}
                  {problem.column !== undefined ? `:${problem.column}` : ''}
                </button>
              ) : (
                <span class="muted">document</span>
              )}{' '}
              {problem.path !== '' && <code>{problem.path}</code>} {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
