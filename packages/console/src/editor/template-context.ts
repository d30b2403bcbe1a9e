/**
 * Completion inside a template (`{{ ... }}` or `{% ... %}`): after `STEPS.` the names of the steps above
 * the one being edited (a step reads only the steps before it), after `STEPS.<name>.` what a step leaves
 * (`output`, `errors`), after `INPUT.` the `INPUT` fields the document already reads, after
 * `SYSTEM_APIS.` the service's keys (`GET /v1/templates/reference`) and the ones the document names,
 * after `|` the filter names, and elsewhere the names a template starts from.
 */
import { lineShape } from './yaml-context.js';

/** What a template may name on the service, as `GET /v1/templates/reference` answers. */
export interface TemplateReference {
  filters: readonly string[];
  system_apis: readonly string[];
}

export interface TemplateOption {
  label: string;
  detail?: string;
}

export interface TemplateCompletion {
  /** Where the word being completed starts. */
  from: number;
  options: TemplateOption[];
}

/** The names a template starts from (`model/run-state.ts` in the engine), with what they hold. */
export const TEMPLATE_ROOTS: readonly TemplateOption[] = [
  { label: 'STEPS', detail: 'the steps before this one: STEPS.<name>.output' },
  { label: 'INPUT', detail: "the run's input (or the trigger's event)" },
  { label: 'SYSTEM_APIS', detail: 'base URLs of the configured services' },
  { label: 'USER', detail: 'id, email, workspace_id, role, token' },
  { label: 'WORKFLOW', detail: 'uid, name, scope, version' },
  { label: 'RUN', detail: 'id, started_at' },
  { label: 'CURRENT_STEP', detail: 'name, input, index, attempt, response, page' },
];

const STEP_FIELDS: readonly TemplateOption[] = [
  { label: 'output', detail: "the step's output" },
  { label: 'errors', detail: 'the calls that failed without failing the step: {index, error}' },
];

/** Is `offset` inside an open `{{` or `{%` on its line? Resolves the text from the opener to `offset`. */
export function openTemplate(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  if (open === -1) return undefined;
  const inside = before.slice(open + 2);
  if (inside.includes('}}') || inside.includes('%}')) return undefined;
  return inside;
}

/** The names of the top-level steps before the step holding `offset` (all of them outside `steps:`). */
export function stepsAbove(text: string, offset: number): string[] {
  const lines = text.split('\n');
  const cursorLine = text.slice(0, offset).split('\n').length - 1;
  let stepsColumn: number | undefined;
  let itemColumn: number | undefined;
  const names: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const shape = lineShape(lines[i] as string);
    if (shape === undefined) continue;
    if (stepsColumn === undefined) {
      if (shape.key === 'steps' && shape.markers.length === 0 && shape.column === 0) {
        // The cursor is above `steps:`: no step is before it.
        if (i > cursorLine) return [];
        stepsColumn = 0;
      }
      continue;
    }
    // The end of `steps:`: another top-level key.
    if (shape.markers.length === 0 && shape.column === 0) {
      if (i <= cursorLine) return [];
      break;
    }
    const marker = shape.markers[0];
    if (marker !== undefined && (itemColumn === undefined || marker === itemColumn)) {
      itemColumn = marker;
      // A new step starts here: the steps above the cursor's are those started before its line.
      if (i > cursorLine) break;
      names.push('');
    }
    if (
      itemColumn !== undefined &&
      shape.key === 'name' &&
      shape.column === itemColumn + 2 &&
      names.length > 0 &&
      names[names.length - 1] === ''
    ) {
      names[names.length - 1] = shape.rest.replace(/^["']|["']$/g, '');
    }
  }
  // The last step started is the cursor's own.
  names.pop();
  return names.filter((name) => name !== '');
}

function namesAfter(text: string, prefix: string): string[] {
  const found = new Set<string>();
  const pattern = new RegExp(`\\b${prefix}\\.([A-Za-z_][\\w]*)`, 'g');
  for (const match of text.matchAll(pattern)) found.add(match[1] as string);
  return [...found].sort();
}

/** What to offer at `offset` inside a template, or `undefined` outside one. */
export function templateCompletion(
  text: string,
  offset: number,
  reference: TemplateReference | undefined,
): TemplateCompletion | undefined {
  const inside = openTemplate(text, offset);
  if (inside === undefined) return undefined;
  const word = /[A-Za-z_]\w*$/.exec(inside)?.[0] ?? '';
  const from = offset - word.length;
  const head = inside.slice(0, inside.length - word.length);
  if (/\|\s*$/.test(head)) {
    return { from, options: (reference?.filters ?? []).map((label) => ({ label, detail: 'filter' })) };
  }
  const stepField = /\bSTEPS\.([A-Za-z_][\w-]*)\.$/.exec(head);
  if (stepField !== null) return { from, options: [...STEP_FIELDS] };
  if (/\bSTEPS\.$/.test(head)) {
    return { from, options: stepsAbove(text, offset).map((label) => ({ label, detail: 'step above' })) };
  }
  if (/\bINPUT\.$/.test(head)) {
    return { from, options: namesAfter(text, 'INPUT').map((label) => ({ label, detail: 'read elsewhere' })) };
  }
  if (/\bSYSTEM_APIS\.$/.test(head)) {
    const keys = new Set([...(reference?.system_apis ?? []), ...namesAfter(text, 'SYSTEM_APIS')]);
    return { from, options: [...keys].sort().map((label) => ({ label, detail: 'SYSTEM_APIS key' })) };
  }
  if (/\.$/.test(head)) return { from, options: [] };
  return { from, options: [...TEMPLATE_ROOTS] };
}
