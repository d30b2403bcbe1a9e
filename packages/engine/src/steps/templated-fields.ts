/**
 * Which fields of a step hold templates: its kind's (`StepKind.templatedFields`), then every step's
 * `when`, `input` and `output`. Read where templates are checked (publish) and where a run's input is checked
 * against what the templates read (`run/input-rules.ts`).
 *
 * @module
 */
import type { StepKinds } from './step-kinds.js';

/** The fields every step has that hold templates, whatever its kind. */
const STEP_TEMPLATED_FIELDS: readonly (readonly string[])[] = [['when'], ['input'], ['output']];

/** The fields of `step` that hold templates, as paths below it: its kind's, then `when`, `input` and `output`. */
export function templatedFields(
  step: Readonly<Record<string, unknown>>,
  kinds: StepKinds,
): readonly (readonly string[])[] {
  const kind = kinds.of(step);
  return kind === undefined ? STEP_TEMPLATED_FIELDS : [...kind.templatedFields, ...STEP_TEMPLATED_FIELDS];
}

/** The value at `path` below `step`, or `undefined`. */
export function valueAtField(step: unknown, path: readonly string[]): unknown {
  let value = step;
  for (const key of path) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}
