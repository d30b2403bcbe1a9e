/**
 * What a step test is asked for, checked against the workflow before anything runs: the step's name
 * (with a did-you-mean) and the state (`INPUT` and `STEPS`). `USER` and `SYSTEM_APIS` are refused in
 * the state: they come from the caller and the service, as in a run, so a state cannot fake them.
 * Used by `POST /v1/workflows/{uid}/steps/{name}/test` and `sluice run --step --state`.
 *
 * @module
 */
import type { Workflow } from '../model/workflow.js';
import type { StepTestState } from '../run/test-step.js';
import { suggest, unknownKeyMessage } from './did-you-mean.js';

/** One thing wrong with a state, `path` from `state` (`state.STEPS.orders.output`). */
export interface StepTestProblem {
  path: string;
  message: string;
}

/** A checked state, or what is wrong with it (at most {@link MAX_STATE_PROBLEMS}). */
export type CheckedStepTestState =
  | { ok: true; state: StepTestState }
  | { ok: false; problems: StepTestProblem[] };

/** The most problems a check lists: a hostile state with 100,000 bad keys gets a short answer. */
export const MAX_STATE_PROBLEMS = 20;

/** Keys the engine or the caller sets, never the state: why each is refused. */
const NOT_FROM_STATE: Readonly<Record<string, string>> = {
  USER: 'cannot be given: USER is the caller (the API key; for sluice run, sluice.yaml and --user), as in a run',
  SYSTEM_APIS:
    "cannot be given: SYSTEM_APIS comes from the service's settings (for sluice run, sluice.yaml and --system-apis), as in a run",
  WORKFLOW: 'cannot be given: the engine sets WORKFLOW from the workflow tested',
  RUN: 'cannot be given: the engine sets RUN for the test',
  CURRENT_STEP: 'cannot be given: the engine sets CURRENT_STEP for the step tested',
};

const STATE_KEYS = ['INPUT', 'STEPS'];
const ENTRY_KEYS = ['output', 'errors'];

/**
 * The index of step `name` in `workflow`, or a message for a name it does not have: a did-you-mean
 * when one is close, else the list of its steps.
 */
export function findStep(workflow: Workflow, name: string): { index: number } | { message: string } {
  const index = workflow.steps.findIndex((step) => step.name === name);
  if (index >= 0) return { index };
  const names = workflow.steps.map((step) => step.name);
  const close = suggest(name, names);
  const tail = close === undefined ? `its steps: ${names.join(', ')}` : `did you mean "${close}"?`;
  return {
    message: `workflow ${JSON.stringify(workflow.name)} has no step ${JSON.stringify(name)}; ${tail}`,
  };
}

/**
 * Checks `value` as the state of a test of `workflow`: an object of `INPUT` (any JSON value, `null`
 * when absent) and `STEPS` (an object of the workflow's step names, each `{ output, errors? }`).
 */
export function checkStepTestState(workflow: Workflow, value: unknown): CheckedStepTestState {
  const problems: StepTestProblem[] = [];
  const add = (path: string, message: string) => {
    if (problems.length < MAX_STATE_PROBLEMS) problems.push({ path, message });
  };
  if (!isObject(value)) {
    add('state', 'must be an object: { "INPUT": ..., "STEPS": { "<step>": { "output": ... } } }');
    return { ok: false, problems };
  }
  for (const key of Object.keys(value)) {
    if (STATE_KEYS.includes(key)) continue;
    add(`state.${key}`, NOT_FROM_STATE[key] ?? unknownKeyMessage(key, STATE_KEYS));
  }
  const steps: StepTestState['STEPS'] = {};
  const given = value.STEPS ?? {};
  if (!isObject(given)) {
    add('state.STEPS', 'must be an object of step names, each { "output": ... }');
  } else {
    const names = workflow.steps.map((step) => step.name);
    for (const [name, entry] of Object.entries(given)) {
      const path = `state.STEPS.${name}`;
      if (!names.includes(name)) {
        const close = suggest(name, names);
        add(path, `the workflow has no such step${close === undefined ? '' : `; did you mean "${close}"?`}`);
      } else if (checkEntry(entry, path, add)) {
        Object.defineProperty(steps, name, { value: entry, enumerable: true, writable: true });
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, state: { INPUT: value.INPUT ?? null, STEPS: steps } };
}

/** Whether `entry` is `{ output, errors? }`, adding what is wrong with it. */
function checkEntry(
  entry: unknown,
  path: string,
  add: (path: string, message: string) => void,
): entry is StepTestState['STEPS'][string] {
  if (!isObject(entry)) {
    add(path, 'must be an object with output: { "output": ... }');
    return false;
  }
  let ok = true;
  if (!Object.hasOwn(entry, 'output')) {
    add(`${path}.output`, 'is required (null for a step that gave nothing)');
    ok = false;
  }
  for (const key of Object.keys(entry)) {
    if (ENTRY_KEYS.includes(key)) continue;
    add(`${path}.${key}`, unknownKeyMessage(key, ENTRY_KEYS));
    ok = false;
  }
  const errors = entry.errors;
  if (errors !== undefined) {
    const bad = Array.isArray(errors)
      ? errors.findIndex((e) => !isObject(e) || !Number.isInteger(e.index) || !isObject(e.error))
      : -2;
    if (bad !== -1) {
      const where = bad >= 0 ? `${path}.errors[${bad}]` : `${path}.errors`;
      add(where, 'must be a list of { "index": <item number>, "error": { "type", "message" } }');
      ok = false;
    }
  }
  return ok;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
