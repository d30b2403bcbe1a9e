/**
 * What CodeMirror knows of a workflow document beyond YAML: completion of keys and values from the
 * workflow JSON Schema (`SchemaWalker` along the path at the cursor), completion inside `{{ }}`
 * (`templateCompletion`), a key's description on hover, and the service's problems as lint diagnostics.
 */
import type {
  Completion,
  CompletionContext,
  CompletionResult,
  CompletionSource,
} from '@codemirror/autocomplete';
import type { Diagnostic } from '@codemirror/lint';
import type { Text } from '@codemirror/state';
import { type EditorView, hoverTooltip } from '@codemirror/view';
import type { WorkflowProblem } from '@sluice/engine/api-types';
import type { SchemaWalker } from './schema-walk.js';
import { type TemplateReference, templateCompletion } from './template-context.js';
import { keyPathAt, lineShape, yamlContext } from './yaml-context.js';

/** A YAML scalar as typed: strings bare unless they would read as something else. */
function yamlScalar(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  return /^(true|false|null|~|yes|no|on|off|[-+.\d].*|.*[:#{}[\],&*!|>'"%@`].*)$/i.test(value) || value === ''
    ? JSON.stringify(value)
    : value;
}

/** Keys already in the mapping being typed in: the lines at the same column, within the same item. */
function siblingKeys(text: string, from: number): Set<string> {
  const lineStart = text.lastIndexOf('\n', from - 1) + 1;
  const column = from - lineStart;
  const lines = text.split('\n');
  const cursorLine = text.slice(0, from).split('\n').length - 1;
  const keys = new Set<string>();
  const opensItem = (lineShape(text.slice(lineStart, from))?.markers.length ?? 0) > 0;
  for (const step of [-1, 1] as const) {
    // A mapping that starts on the cursor's line (`- key`) has nothing above it.
    if (step === -1 && opensItem) continue;
    for (let i = cursorLine + step; i >= 0 && i < lines.length; i += step) {
      const shape = lineShape(lines[i] as string);
      if (shape === undefined || shape.column > column) continue;
      if (shape.column < column) break;
      const itemStart = shape.markers.length > 0;
      if (itemStart && step === 1) break;
      if (shape.key !== undefined) keys.add(shape.key);
      if (itemStart) break;
    }
  }
  return keys;
}

/** The completion source of workflow documents; `reference()` is read at each completion. */
export function workflowCompletion(
  walker: SchemaWalker,
  reference: () => TemplateReference | undefined,
): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const text = context.state.doc.toString();
    const pos = context.pos;
    const template = templateCompletion(text, pos, reference());
    if (template !== undefined) {
      if (template.options.length === 0) return null;
      return {
        from: template.from,
        options: template.options.map(
          (option): Completion => ({ label: option.label, detail: option.detail, type: 'variable' }),
        ),
        validFor: /^\w*$/,
      };
    }
    const at = yamlContext(text, pos);
    if (at.mode === 'value') {
      const values = walker.values(at.path);
      if (values.length === 0 || (at.word === '' && !context.explicit && !/:\s$/.test(text.slice(0, pos)))) {
        return null;
      }
      return {
        from: at.from,
        options: values.map((value): Completion => ({ label: yamlScalar(value), type: 'enum' })),
        validFor: /^[\w.-]*$/,
      };
    }
    if (at.word === '' && !context.explicit) return null;
    const present = siblingKeys(text, at.from);
    const keys = walker.keys(at.path).filter((key) => !present.has(key.name));
    const values = keys.length === 0 ? walker.values(at.path) : [];
    if (keys.length === 0 && values.length === 0) return null;
    return {
      from: at.from,
      options: [
        ...keys.map(
          (key): Completion => ({
            label: key.name,
            apply: key.block ? `${key.name}:` : `${key.name}: `,
            detail: key.required ? 'required' : undefined,
            info: key.description,
            type: 'property',
            boost: key.required ? 1 : 0,
          }),
        ),
        ...values.map((value): Completion => ({ label: yamlScalar(value), type: 'enum' })),
      ],
      validFor: /^[\w$-]*$/,
    };
  };
}

/** A key's description, from the schema, when the pointer rests on the key. */
export function workflowHover(walker: SchemaWalker) {
  return hoverTooltip((view: EditorView, pos: number) => {
    const text = view.state.doc.toString();
    const path = keyPathAt(text, pos);
    if (path === undefined) return null;
    const description = walker.describe(path);
    if (description === undefined) return null;
    const line = view.state.doc.lineAt(pos);
    const start = line.from + (line.text.length - line.text.replace(/^[\s-]*/, '').length);
    const end = line.from + line.text.indexOf(':', start - line.from);
    return {
      pos: start,
      end,
      above: true,
      create() {
        const dom = document.createElement('div');
        dom.className = 'cm-schema-doc';
        const title = document.createElement('strong');
        title.textContent = path
          .map((part) => (typeof part === 'number' ? '[]' : part))
          .join('.')
          .replace(/\.\[\]/g, '[]');
        const body = document.createElement('p');
        body.textContent = description;
        dom.append(title, body);
        return { dom };
      },
    };
  });
}

/** The service's problems as diagnostics: each on its line (from its column when known). */
export function problemDiagnostics(doc: Text, problems: readonly WorkflowProblem[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const problem of problems) {
    if (problem.line === undefined) continue;
    const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
    const column = problem.column === undefined ? 0 : Math.max(0, problem.column - 1);
    const from = Math.min(line.from + column, line.to);
    out.push({
      from,
      to: Math.max(line.to, from),
      severity: 'error',
      message: problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`,
    });
  }
  return out;
}
