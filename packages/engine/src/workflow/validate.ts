/**
 * Validates a workflow document: first the Mason format's other spellings are brought to the schema's
 * (`coerce-document.ts`: `null` for Optional fields, pydantic's lax string coercions, naive datetimes,
 * `headers`/`params` as JSON text), then the JSON Schema (`workflow-schema.ts`, run by Ajv), then the rules a
 * schema cannot say: unique step names, absolute URLs, header values HTTP can carry, the SDK's own retry
 * check, cron expressions and time zones (croner, `Intl`), template syntax, and what templates name
 * (steps, filters, `SYSTEM_APIS` keys) and a `when` that is no condition (`reference-problems.ts`).
 * Every problem is collected, with its path and (from text) its line; validation never stops at the first,
 * and its answer lists the first 100 (`WORKFLOW_LIMITS`). It is linear in the size of the document.
 *
 * @module
 */
import { isSluiceError, RetryPolicy } from '@sluice/sdk';
import type { WorkflowProblem } from '../errors.js';
import type { Workflow, WorkflowStep } from '../model/workflow.js';
import { STEP_KINDS, type StepKinds } from '../steps/step-kinds.js';
import type { CheckTemplatesOptions } from '../template/check.js';
import { TRIGGER_KINDS, type TriggerKinds } from '../triggers/trigger-kinds.js';
import { cappedFailure } from './capped-failure.js';
import { coerceDocument } from './coerce-document.js';
import { tooDeepMessage, tooDeepPath } from './nesting-depth.js';
import { referenceProblems } from './reference-problems.js';
import { type RawProblem, schemaProblems } from './schema-problems.js';
import { formatPath, type PathSegment, parsePath, type SourceMap } from './source-map.js';
import { templateProblems } from './template-problems.js';
import { WORKFLOW_LIMITS } from './workflow-limits.js';
import { WORKFLOW_DEFAULTS } from './workflow-schema.js';

/** Options of {@link validateWorkflow}: where templates are checked, the step kinds, and `SYSTEM_APIS`. */
export interface ValidateWorkflowOptions extends CheckTemplatesOptions {
  /** The step kinds a step may be of. @default the built-in ones (`STEP_KINDS`) */
  stepKinds?: StepKinds | undefined;
  /** The trigger kinds a trigger may be of. @default the built-in ones (`TRIGGER_KINDS`) */
  triggerKinds?: TriggerKinds | undefined;
  /**
   * The `SYSTEM_APIS` the workflow's runs will see (only the keys matter). When given, a template that
   * names another key (`{{ SYSTEM_APIS.my_ap }}`) is a problem; the keys the engine service adds itself
   * (`sluice`, `credentials`, `workflows`, `runs`) are always allowed.
   * @default not known: `SYSTEM_APIS` keys are not checked
   */
  systemApis?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * The result of {@link validateWorkflow}: the parsed workflow, or the problems found: the first 100 in
 * document order and, past those, a last problem that counts the rest (`omitted`, absent when none).
 */
export type WorkflowValidation =
  | { ok: true; workflow: Workflow; problems: readonly [] }
  | { ok: false; problems: readonly WorkflowProblem[]; omitted?: number };

type Json = Record<string, unknown>;

/**
 * Validates a workflow document that is already a value (a parsed JSON body, say) and returns the
 * {@link Workflow} with defaults applied (`scope: workspace`, `method: GET`, methods upper-cased) and the
 * Mason format's other spellings coerced (`deleted: "false"` is `false`, `retry: null` is absent), or
 * every problem with its path. Problems carry no line; {@link parseWorkflow} adds them from the text.
 * Never rejects, and never changes `value`. Templates are compiled in template workers (`options.renderer`'s,
 * else a shared one), so a hostile template costs at most the template deadline and never blocks the caller.
 */
export function validateWorkflow(
  value: unknown,
  options: ValidateWorkflowOptions = {},
): Promise<WorkflowValidation> {
  return checkWorkflow(value, undefined, options);
}

/** {@link validateWorkflow}, with lines from `sourceMap` when the document came from text. @internal */
export async function checkWorkflow(
  original: unknown,
  sourceMap: SourceMap | undefined,
  options: ValidateWorkflowOptions = {},
): Promise<WorkflowValidation> {
  const kinds = options.stepKinds ?? STEP_KINDS;
  const triggers = options.triggerKinds ?? TRIGGER_KINDS;
  const lineOf = (path: readonly PathSegment[]) => sourceMap?.lineOf(path);
  // The format's other spellings (null for Optional, "true", "3", naive datetimes, headers as JSON text),
  // first: it visits known fields only, and a JSON string it parses may nest deeply.
  const coerced = coerceDocument(original);
  const value = coerced.value;
  // Before anything walks the value recursively (Ajv, templates, JSON.stringify).
  const deep = tooDeepPath(value, WORKFLOW_LIMITS.maxDepth);
  if (deep !== undefined) {
    return {
      ok: false,
      problems: [locate({ path: deep, message: tooDeepMessage(WORKFLOW_LIMITS.maxDepth) }, lineOf)],
    };
  }
  const raw = schemaProblems(value, kinds, triggers);
  for (const problem of coerced.problems) raw.push(problem);
  if (isObject(value)) {
    const more = [
      duplicateNames(value, lineOf),
      ...stepKindProblems(value, kinds),
      retryProblems(value, raw),
      triggerKindProblems(value, triggers, raw),
    ];
    // One push per problem: spreading 100,000 of them into push() overflows the stack.
    for (const found of more) for (const problem of found) raw.push(problem);
    const syntax = new Set<string>();
    for (const problem of await templateProblems(value, kinds, options)) {
      syntax.add(problem.path);
      raw.push({ path: parsePath(problem.path), message: problem.message });
    }
    const references = referenceProblems(value, kinds, { systemApis: options.systemApis, skip: syntax });
    for (const problem of references) raw.push(problem);
  }
  if (raw.length === 0)
    return { ok: true, workflow: toWorkflow(value as Json, kinds, triggers), problems: [] };
  const problems = raw.map((p, index) => ({ index, problem: locate(p, lineOf) }));
  problems.sort((a, b) => (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity) || a.index - b.index);
  return cappedFailure(problems.map((p) => p.problem));
}

function locate(problem: RawProblem, lineOf: (path: readonly PathSegment[]) => number | undefined) {
  const line = lineOf(problem.path);
  const out: WorkflowProblem = { path: formatPath(problem.path), message: problem.message };
  if (line !== undefined) out.line = line;
  return out;
}

/** Each step name after the first one that has it; the message names the first, and its line. */
function duplicateNames(
  doc: Json,
  lineOf: (path: readonly PathSegment[]) => number | undefined,
): RawProblem[] {
  const out: RawProblem[] = [];
  const first = new Map<string, number>();
  eachStep(doc, (step, index) => {
    if (typeof step.name !== 'string') return;
    const earlier = first.get(step.name);
    if (earlier === undefined) {
      first.set(step.name, index);
      return;
    }
    const line = lineOf(['steps', earlier, 'name']);
    const at = line === undefined ? '' : ` (line ${line})`;
    out.push({
      path: ['steps', index, 'name'],
      message: `duplicate step name ${JSON.stringify(step.name)}, first used by steps[${earlier}]${at}; step names must be unique`,
    });
  });
  return out;
}

/** The problems each kind's checks find in its steps: one list per check, in the kinds' order. */
function stepKindProblems(doc: Json, kinds: StepKinds): RawProblem[][] {
  return kinds.list.flatMap((kind) =>
    (kind.checks ?? []).map((check) => {
      const out: RawProblem[] = [];
      eachStep(doc, (step, index) => {
        if (step[kind.key] === undefined) return;
        for (const problem of check(step))
          out.push({ path: ['steps', index, ...problem.path], message: problem.message });
      });
      return out;
    }),
  );
}

/** The problems the checks of the workflow's trigger kind find, for the values the schema accepted. */
function triggerKindProblems(doc: Json, triggers: TriggerKinds, schema: readonly RawProblem[]): RawProblem[] {
  const trigger = doc.trigger;
  if (!isObject(trigger)) return [];
  const out: RawProblem[] = [];
  for (const kind of triggers.list) {
    const config = trigger[kind.key];
    if (!isObject(config)) continue;
    const base: PathSegment[] = ['trigger', kind.key];
    const reported = (path: readonly PathSegment[]) =>
      schema.some((p) => [...base, ...path].every((segment, i) => p.path[i] === segment));
    for (const check of kind.checks ?? []) {
      for (const problem of check(config, reported)) {
        out.push({ path: [...base, ...problem.path], message: problem.message });
      }
    }
  }
  return out;
}

/**
 * The SDK's own check of each retry block the schema accepted, so that a block the SDK would reject at
 * run time is rejected here, with its path.
 */
function retryProblems(doc: Json, schema: readonly RawProblem[]): RawProblem[] {
  const blocks: PathSegment[][] = [['default_retry']];
  eachStep(doc, (_step, index) => blocks.push(['steps', index, 'retry']));
  // The blocks with a schema problem, found once: asking each block of each problem was quadratic.
  const reported = new Set(schema.map((p) => blockOf(p.path)));
  const out: RawProblem[] = [];
  for (const path of blocks) {
    const block = valueAt(doc, path);
    if (!isObject(block) || reported.has(formatPath(path))) continue;
    try {
      RetryPolicy.from(block, formatPath(path));
    } catch (err) {
      if (!isSluiceError(err, 'SLUICE_RETRY_OPTION')) throw err;
      const match = /^([^:\s]+): (.*)$/s.exec(err.message);
      out.push(
        match === null
          ? { path, message: err.message }
          : { path: parsePath(match[1] as string), message: match[2] as string },
      );
    }
  }
  return out;
}

function toWorkflow(doc: Json, kinds: StepKinds, triggers: TriggerKinds): Workflow {
  const { $schema: _schema, ...rest } = doc;
  const steps = (doc.steps as Json[]).map((step): WorkflowStep => {
    const normalize = kinds.of(step)?.normalize;
    return (normalize === undefined ? { ...step } : normalize(step)) as WorkflowStep;
  });
  const workflow = { ...rest, scope: rest.scope ?? WORKFLOW_DEFAULTS.scope, steps } as Workflow;
  const trigger = isObject(rest.trigger) ? triggers.of(rest.trigger) : undefined;
  if (trigger !== undefined) workflow.trigger = { [trigger.kind.key]: trigger.config };
  return workflow;
}

function eachStep(doc: Json, visit: (step: Json, index: number) => void): void {
  if (!Array.isArray(doc.steps)) return;
  doc.steps.forEach((step: unknown, index: number) => {
    if (isObject(step)) visit(step, index);
  });
}

function valueAt(doc: unknown, path: readonly PathSegment[]): unknown {
  let node = doc;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return node;
}

/** The retry block a path is in (`default_retry`, `steps[2].retry`), or `undefined`. */
function blockOf(path: readonly PathSegment[]): string | undefined {
  if (path[0] === 'default_retry') return 'default_retry';
  if (path[0] === 'steps' && path[2] === 'retry') return formatPath(path.slice(0, 3));
  return undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
