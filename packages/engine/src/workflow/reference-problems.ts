/**
 * What the templates of a workflow's steps name that cannot be there when they render: a step that does
 * not exist (`STEPS.custmers`, with a did-you-mean), a step that runs later or the step itself, an
 * unknown filter, and a `SYSTEM_APIS` key that is not configured (only when the configuration is known);
 * and a step's `when` that is not a condition (`when-problems.ts`). Every templated field a step's kind
 * declares is read (`steps/templated-fields.ts`), through lists and objects. Dynamic references
 * (`STEPS[name]`) are not checked. One problem per name per template, at its first place in the template
 * (its column in the message), with how many times it occurs; at most 100 per template, then one that
 * counts the rest. Linear in the size of the document; suggestions are bounded (`createSuggester`).
 *
 * @internal
 * @module
 */
import type { StepKinds } from '../steps/step-kinds.js';
import { templatedFields, valueAtField } from '../steps/templated-fields.js';
import { TEMPLATE_FILTERS } from '../template/filter-names.js';
import { isPlainObject } from '../template/pick-state.js';
import { isTemplate } from '../template/scan.js';
import { createSuggester } from './did-you-mean.js';
import type { RawProblem } from './schema-problems.js';
import { formatPath, type PathSegment } from './source-map.js';
import { allowedSystemApiKeys } from './system-api-keys.js';
import { where } from './template-problems.js';
import { scanTemplateReferences, type TemplateReference } from './template-references.js';
import { whenProblem } from './when-problems.js';
import { WORKFLOW_LIMITS } from './workflow-limits.js';

/** Options of {@link referenceProblems}. */
export interface ReferenceProblemOptions {
  /** The `SYSTEM_APIS` the runs will see; `undefined`: not known, keys are not checked. */
  systemApis?: Readonly<Record<string, unknown>> | undefined;
  /** Paths (`steps[1].input.id`) of templates that do not parse: minijinja's problem says enough. */
  skip?: ReadonlySet<string>;
}

/** Names listed at most in a message (`the steps before this one: a, b, ...`). */
const LISTED = 10;

interface Checker {
  /** The index of the first step of each name. */
  steps: ReadonlyMap<string, number>;
  /** The same, in step order. */
  ordered: readonly (readonly [string, number])[];
  suggestStep: (name: string) => string | undefined;
  filters: ReadonlySet<string>;
  suggestFilter: (name: string) => string | undefined;
  apis: ReadonlySet<string> | undefined;
  suggestApi: (name: string) => string | undefined;
}

/** The problems of the references in every templated field of every step, in document order. */
export function referenceProblems(
  doc: Readonly<Record<string, unknown>>,
  kinds: StepKinds,
  options: ReferenceProblemOptions = {},
): RawProblem[] {
  if (!Array.isArray(doc.steps)) return [];
  const steps: unknown[] = doc.steps;
  const indexes = new Map<string, number>();
  steps.forEach((step, index) => {
    if (isPlainObject(step) && typeof step.name === 'string' && !indexes.has(step.name)) {
      indexes.set(step.name, index);
    }
  });
  const apis = options.systemApis === undefined ? undefined : allowedSystemApiKeys(options.systemApis);
  const checker: Checker = {
    steps: indexes,
    ordered: [...indexes],
    suggestStep: createSuggester([...indexes.keys()]),
    filters: new Set(TEMPLATE_FILTERS),
    suggestFilter: createSuggester(TEMPLATE_FILTERS),
    apis: apis === undefined ? undefined : new Set(apis),
    suggestApi: createSuggester(apis ?? []),
  };
  const out: RawProblem[] = [];
  steps.forEach((step, index) => {
    if (!isPlainObject(step)) return;
    for (const field of templatedFields(step, kinds)) {
      const value = valueAtField(step, field);
      if (value === undefined) continue;
      const base: PathSegment[] = ['steps', index, ...field];
      if (field.length === 1 && field[0] === 'when' && !options.skip?.has(formatPath(base))) {
        const scan =
          typeof value === 'string' && isTemplate(value) ? scanTemplateReferences(value) : undefined;
        const message = whenProblem(value, scan);
        if (message !== undefined) out.push({ path: base, message });
      }
      eachTemplate(value, base, (source, path) => {
        if (options.skip?.has(formatPath(path))) return;
        templateReferenceProblems(source, path, index, steps, checker, out);
      });
    }
  });
  return out;
}

/** Calls `visit` for each string with template syntax inside `value` (keys are not templates). */
function eachTemplate(
  value: unknown,
  path: PathSegment[],
  visit: (source: string, path: PathSegment[]) => void,
): void {
  if (typeof value === 'string') {
    if (isTemplate(value)) visit(value, path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      eachTemplate(item, [...path, i], visit);
    });
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) eachTemplate(item, [...path, key], visit);
  }
}

/** The problems of one template of step `index`, one per name, at most 100 and one that counts the rest. */
function templateReferenceProblems(
  source: string,
  path: PathSegment[],
  index: number,
  steps: readonly unknown[],
  checker: Checker,
  out: RawProblem[],
): void {
  const found = new Map<string, { first: TemplateReference; message: string; count: number }>();
  for (const reference of scanTemplateReferences(source).references) {
    const key = `${reference.kind}:${reference.name}`;
    const seen = found.get(key);
    if (seen !== undefined) {
      seen.count += 1;
      continue;
    }
    const message = referenceMessage(reference, index, steps, checker);
    if (message !== undefined) found.set(key, { first: reference, message, count: 1 });
  }
  let listed = 0;
  for (const { first, message, count } of found.values()) {
    if (listed === WORKFLOW_LIMITS.maxProblems) {
      const rest = found.size - listed;
      out.push({ path, message: `${rest} more names in this template that cannot be resolved (not listed)` });
      return;
    }
    const times = count > 1 ? ` (${count} times in this template)` : '';
    out.push({ path, message: `${message}${where(first.line, first.column)}${times}` });
    listed += 1;
  }
}

/** What is wrong with `reference` in a template of step `index`, or `undefined`. */
function referenceMessage(
  reference: TemplateReference,
  index: number,
  steps: readonly unknown[],
  checker: Checker,
): string | undefined {
  const { kind, name, text } = reference;
  if (kind === 'filter') {
    if (checker.filters.has(name)) return undefined;
    const suggestion = checker.suggestFilter(name);
    return suggestion === undefined
      ? `unknown filter ${JSON.stringify(name)} (the filters are listed in docs/templates.md)`
      : `unknown filter ${JSON.stringify(name)}; did you mean ${JSON.stringify(suggestion)}?`;
  }
  if (kind === 'system_api') {
    if (checker.apis === undefined || checker.apis.has(name)) return undefined;
    const suggestion = checker.suggestApi(name);
    return suggestion === undefined
      ? `${text} names no configured SYSTEM_APIS key (configured: ${listed([...checker.apis])})`
      : `${text} names no configured SYSTEM_APIS key; did you mean ${JSON.stringify(suggestion)}?`;
  }
  const at = checker.steps.get(name);
  if (at === undefined) {
    const suggestion = checker.suggestStep(name);
    if (suggestion !== undefined) return `${text} names no step; did you mean ${JSON.stringify(suggestion)}?`;
    const before = stepsBefore(checker.ordered, index);
    return before === ''
      ? `${text} names no step (no step runs before this one)`
      : `${text} names no step (the steps before this one: ${before})`;
  }
  if (at === index) {
    return `${text} names this step itself: its output is not known while it runs; use CURRENT_STEP (CURRENT_STEP.response in output)`;
  }
  if (at > index) {
    const current = stepName(steps[index], index);
    return `${text} names step ${JSON.stringify(name)}, which runs after ${current}: its output is not known yet`;
  }
  return undefined;
}

/** `step "fetch"`, or `steps[2]` for a step without a name. */
function stepName(step: unknown, index: number): string {
  const name = isPlainObject(step) ? step.name : undefined;
  return typeof name === 'string' ? `step ${JSON.stringify(name)}` : `steps[${index}]`;
}

/** `a, b, c`, or the first ten and `... (N in all)`. */
function listed(names: readonly string[], count = names.length): string {
  if (count <= LISTED) return names.slice(0, count).join(', ');
  return `${names.slice(0, LISTED).join(', ')}, ... (${count} in all)`;
}

/** The names of the steps before step `index`, listed (`ordered` is in step order). */
function stepsBefore(ordered: readonly (readonly [string, number])[], index: number): string {
  // The number of names whose first step is before `index`, by binary search.
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((ordered[middle] as readonly [string, number])[1] < index) low = middle + 1;
    else high = middle;
  }
  return listed(
    ordered.slice(0, Math.min(low, LISTED)).map(([name]) => name),
    low,
  );
}
