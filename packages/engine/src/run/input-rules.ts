/**
 * The input rules a run's `input` is checked against before it starts (422 `SLUICE_RUN_INPUT`):
 *
 * 1. a workflow whose templates read a field of `INPUT` by name (`INPUT.since`, `INPUT['since']`) needs
 *    an object (a JSON object, not an array, string, number or null);
 * 2. one that reads `INPUT` by position (`INPUT[0]`) needs an array.
 *
 * Whether a field is present is not checked: templates may test it (`INPUT.x is defined`, `default`).
 * A workflow may add a JSON Schema for its input later (issue 5 leaves that for a later version).
 *
 * @module
 */
import { EngineError } from '../errors.js';
import type { Workflow } from '../model/workflow.js';
import { STEP_KINDS, type StepKinds } from '../steps/step-kinds.js';
import { templatedFields, valueAtField } from '../steps/templated-fields.js';
import { scanTemplate } from '../template/scan.js';

/** How the workflow's templates read `INPUT`. */
export interface InputNeeds {
  /** Fields read by name. */
  fields: string[];
  /** Whether `INPUT` is indexed by position. */
  indexed: boolean;
}

/** Scans the templates of every step (the fields its kind declares) for references into `INPUT`. */
export function inputNeeds(workflow: Workflow, kinds: StepKinds = STEP_KINDS): InputNeeds {
  const fields = new Set<string>();
  let indexed = false;
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const path of scanTemplate(value).references ?? []) {
        if (path[0] !== 'INPUT' || path.length < 2) continue;
        if (typeof path[1] === 'number') indexed = true;
        else fields.add(String(path[1]));
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Object.values(value)) visit(item);
    }
  };
  for (const step of workflow.steps) {
    const fields = step as unknown as Readonly<Record<string, unknown>>;
    for (const field of templatedFields(fields, kinds)) visit(valueAtField(step, field));
  }
  return { fields: [...fields].sort(), indexed };
}

/**
 * Checks `input` against the rules above. `needs`: the workflow's, when the caller keeps them (a
 * published version never changes, so the API scans it once).
 *
 * @throws {EngineError} `SLUICE_RUN_INPUT`, with `details.expected` and `details.fields`.
 */
export function checkRunInput(
  workflow: Workflow,
  input: unknown,
  kinds: StepKinds = STEP_KINDS,
  needs: InputNeeds = inputNeeds(workflow, kinds),
): void {
  const kind = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
  const expected = needs.fields.length > 0 ? 'object' : needs.indexed ? 'array' : undefined;
  if (expected === undefined || kind === expected) return;
  const what = expected === 'object' ? `reads INPUT.${needs.fields[0]}` : 'reads INPUT by position';
  const err = new EngineError(
    'SLUICE_RUN_INPUT',
    `input must be an ${expected}: workflow ${JSON.stringify(workflow.name)} ${what}, got ${kind === 'undefined' ? 'no input' : `a ${kind}`}`,
    { hint: `send {"input": ${expected === 'object' ? '{...}' : '[...]'}}` },
  );
  Object.assign(err, { details: { expected, got: kind, fields: needs.fields } });
  throw err;
}
