/**
 * The registry of step kinds. The engine's built-in kinds are listed once, in {@link STEP_KINDS}; a
 * registry with more (a kind of your own, or one a test defines) is `STEP_KINDS.with(kind)`, passed to
 * `createEngine({ stepKinds })`, `validateWorkflow(doc, { stepKinds })` and `workflowJsonSchema(stepKinds)`.
 *
 * @module
 */
import type { WorkflowStep } from '../model/workflow.js';
import { actionStep } from './action.js';
import { httpStep } from './http.js';
import type { StepKind } from './step-kind.js';
import { waitStep } from './wait.js';
import { workflowCallStep } from './workflow-call.js';

/** Every field of a step that is not its kind's: the executor's (`steps/` kinds may not declare them). */
export const COMMON_STEP_FIELDS: readonly string[] = [
  'name',
  'input',
  'output',
  'concurrency',
  'retry',
  'rate_limit',
];

/** An ordered set of step kinds, found by their key. */
export class StepKinds {
  readonly #kinds: readonly StepKind[];

  /**
   * @throws {TypeError} when two kinds share a name or a key, or a kind declares a common step field
   * (a programming error, found when the registry is built).
   */
  constructor(kinds: readonly StepKind[]) {
    const seen = new Set<string>(COMMON_STEP_FIELDS);
    const names = new Set<string>();
    for (const kind of kinds) {
      if (names.has(kind.name)) throw new TypeError(`step kind ${kind.name} is registered twice`);
      names.add(kind.name);
      for (const property of Object.keys(kind.properties)) {
        if (seen.has(property)) {
          throw new TypeError(`step kind ${kind.name} declares step property ${property}, which is taken`);
        }
        seen.add(property);
      }
      if (!(kind.key in kind.properties)) {
        throw new TypeError(`step kind ${kind.name} has no schema for its key ${kind.key}`);
      }
    }
    this.#kinds = kinds;
  }

  /** The kinds, in registration order (the order of the schema and of problems). */
  get list(): readonly StepKind[] {
    return this.#kinds;
  }

  /** A registry with these kinds and `more` after them. */
  with(...more: readonly StepKind[]): StepKinds {
    return new StepKinds([...this.#kinds, ...more]);
  }

  /** The kind of `step` (a step of the document, as written or parsed): the first whose key it holds. */
  of(step: WorkflowStep | Readonly<Record<string, unknown>>): StepKind | undefined {
    const fields = step as Readonly<Record<string, unknown>>;
    return this.#kinds.find((kind) => fields[kind.key] !== undefined);
  }
}

/** The built-in step kinds: `http` (`apispec`) and `action`. */
export const STEP_KINDS: StepKinds = new StepKinds([
  httpStep,
  actionStep,
  waitStep,
  workflowCallStep,
] as readonly StepKind[]);
