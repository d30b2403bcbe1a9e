/**
 * Validates a workflow document: the JSON Schema (`workflow-schema.ts`, run by Ajv), then the rules a
 * schema cannot say: unique step names, absolute URLs, the SDK's own retry check, cron expressions and
 * time zones (croner, `Intl`), and template syntax.
 * Every problem is collected, with its path and (from text) its line; validation never stops at the first.
 *
 * @module
 */
import { isSluiceError, RetryPolicy } from '@sluice/sdk';
import type { WorkflowProblem } from '../errors.js';
import type { CheckTemplatesOptions } from '../template/check.js';
import type { ApiSpec, Workflow, WorkflowStep } from './model.js';
import { scheduleProblems } from './schedule-problems.js';
import { type RawProblem, schemaProblems, shown } from './schema-problems.js';
import { formatPath, type PathSegment, parsePath, type SourceMap } from './source-map.js';
import { templateProblems } from './template-problems.js';
import { WORKFLOW_DEFAULTS } from './workflow-schema.js';

/** The result of {@link validateWorkflow}: the parsed workflow, or every problem found. */
export type WorkflowValidation =
  | { ok: true; workflow: Workflow; problems: readonly [] }
  | { ok: false; problems: readonly WorkflowProblem[] };

type Json = Record<string, unknown>;

/**
 * Validates a workflow document that is already a value (a parsed JSON body, say) and returns the
 * {@link Workflow} with defaults applied (`scope: workspace`, `method: GET`, methods upper-cased), or
 * every problem with its path. Problems carry no line; {@link parseWorkflow} adds them from the text.
 * Never rejects, and never changes `value`. Templates are compiled in template workers (`options.renderer`'s,
 * else a shared one), so a hostile template costs at most the template deadline and never blocks the caller.
 */
export function validateWorkflow(
  value: unknown,
  options: CheckTemplatesOptions = {},
): Promise<WorkflowValidation> {
  return checkWorkflow(value, undefined, options);
}

/** {@link validateWorkflow}, with lines from `sourceMap` when the document came from text. @internal */
export async function checkWorkflow(
  value: unknown,
  sourceMap: SourceMap | undefined,
  options: CheckTemplatesOptions = {},
): Promise<WorkflowValidation> {
  const raw = schemaProblems(value);
  const lineOf = (path: readonly PathSegment[]) => sourceMap?.lineOf(path);
  if (isObject(value)) {
    raw.push(
      ...duplicateNames(value, lineOf),
      ...urlProblems(value),
      ...retryProblems(value, raw),
      ...scheduleProblems(value, raw),
    );
    for (const problem of await templateProblems(value, options)) {
      raw.push({ path: parsePath(problem.path), message: problem.message });
    }
  }
  if (raw.length === 0) return { ok: true, workflow: toWorkflow(value as Json), problems: [] };
  const problems = raw.map((p, index) => ({ index, problem: locate(p, lineOf) }));
  problems.sort((a, b) => (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity) || a.index - b.index);
  return { ok: false, problems: problems.map((p) => p.problem) };
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

/** A URL without templates must be absolute http(s) already. */
function urlProblems(doc: Json): RawProblem[] {
  const out: RawProblem[] = [];
  eachStep(doc, (step, index) => {
    const url = isObject(step.apispec) ? step.apispec.url : undefined;
    if (typeof url !== 'string' || url === '' || /\{[{%#]/.test(url)) return;
    let protocol: string | undefined;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      out.push({
        path: ['steps', index, 'apispec', 'url'],
        message: `must be an absolute http or https URL, or a template (got ${shown(url)})`,
      });
    }
  });
  return out;
}

/**
 * The SDK's own check of each retry block the schema accepted, so that a block the SDK would reject at
 * run time is rejected here, with its path.
 */
function retryProblems(doc: Json, schema: readonly RawProblem[]): RawProblem[] {
  const blocks: PathSegment[][] = [['default_retry']];
  eachStep(doc, (_step, index) => blocks.push(['steps', index, 'retry']));
  const out: RawProblem[] = [];
  for (const path of blocks) {
    const block = valueAt(doc, path);
    if (!isObject(block) || schema.some((p) => startsWith(p.path, path))) continue;
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

function toWorkflow(doc: Json): Workflow {
  const { $schema: _schema, ...rest } = doc;
  const steps = (doc.steps as Json[]).map((step): WorkflowStep => {
    if (!isObject(step.apispec)) return { ...step } as unknown as WorkflowStep;
    const apispec = step.apispec;
    const method = typeof apispec.method === 'string' ? apispec.method : WORKFLOW_DEFAULTS.method;
    return { ...step, apispec: { ...apispec, method: method.toUpperCase() } as ApiSpec } as WorkflowStep;
  });
  const workflow = { ...rest, scope: rest.scope ?? WORKFLOW_DEFAULTS.scope, steps } as Workflow;
  // YAML `webhook:` with nothing after it is null: the same as `webhook: {}`.
  if (isObject(rest.trigger) && 'webhook' in rest.trigger && rest.trigger.webhook === null) {
    workflow.trigger = { webhook: {} };
  }
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

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.every((segment, i) => path[i] === segment);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
