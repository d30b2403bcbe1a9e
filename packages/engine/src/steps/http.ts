/**
 * The `http` step kind: an HTTP call described by the step's `apispec` (DESIGN §4 "Step execution").
 * Per item: render the `apispec` (one trip to a template worker for all its fields), build the request,
 * send it under the step's retry policy (holding the step's shared concurrency permit and, with a rate
 * limit, a token of the host for every attempt), render the `output`. An item that reaches a stored
 * wait throws `RunSuspended` with its attempts so far; when the run resumes, it continues from them.
 *
 * @module
 */

import type { Logger } from '@sluice/sdk';
import { TemplateError } from '../errors.js';
import { hostRateKey } from '../limits/rate-limit-key.js';
import type { JsonSchemaNode } from '../model/json-schema-node.js';
import { type CurrentStep, type RunState, withCurrentStep } from '../model/run-state.js';
import { shown } from '../model/shown.js';
import type { StepBase, Templated, WorkflowStep } from '../model/workflow.js';
import type { AttemptEntry, StepErrorRecord } from '../store/store.js';
import { ApiSpecShapeError, buildRequest, type RenderedApiSpec } from './http/build-request.js';
import { headerProblems } from './http/header-problems.js';
import { HTTP_TOKEN_PATTERN } from './http/header-rules.js';
import {
  DEFAULT_MAX_PAGES,
  DEFAULT_PAGE_ITEMS,
  isLastPage,
  type Paginate,
  pageProgressOf,
  paginateProblems,
  paginateSchema,
  readPage,
  tooManyPages,
} from './http/paginate.js';
import { readResponse } from './http/read-response.js';
import { type CallFailed, ERROR_BODY_BYTES, sendCall } from './http/send-call.js';
import { pageIdempotencyKey } from './idempotency.js';
import { type ItemRecorder, itemRecorder } from './item-record.js';
import type { ItemContext, ItemResult, ItemTask, StepKind, StepProblem } from './step-kind.js';
import { createWaiter, RunSuspended } from './waits.js';

/** The HTTP call of a step. Every field but `method` and `timeout` may hold templates. */
export interface ApiSpec {
  /** Absolute URL after rendering. */
  url: string;
  /** Any HTTP verb, upper-cased by the parser. @default 'GET' */
  method: string;
  /** Query parameters. */
  params?: Templated;
  headers?: Templated;
  /** Form-encoded when an object, sent raw when a string. Not together with `json_body`. */
  data?: Templated;
  /** Sent as JSON. Not together with `data`. */
  json_body?: Templated;
  /** Seconds, for the connect and for the read. */
  timeout?: number;
}

/** A step that makes an HTTP call. */
export interface HttpStep extends StepBase {
  apispec: ApiSpec;
  /** Repeats the call page after page (`steps/http/paginate.ts`). */
  paginate?: Paginate;
}

declare module '../model/workflow.js' {
  interface StepTypes {
    http: HttpStep;
  }
}

/** Whether `step` is an HTTP step. */
export function isHttpStep(step: WorkflowStep): step is HttpStep {
  return (step as Partial<HttpStep>).apispec !== undefined;
}

/** The method of an `apispec` without one. */
export const DEFAULT_METHOD = 'GET';

const TEMPLATES = 'Strings in it are Jinja templates, rendered for each step item.';

/** A field that takes any JSON value, templates in its strings. */
const templatedValue = (description: string): JsonSchemaNode => ({ description });

/** The fields of `apispec` that hold templates, rendered together per item. */
const APISPEC_TEMPLATED = ['url', 'params', 'headers', 'data', 'json_body'] as const;

function apispecSchema(): JsonSchemaNode {
  return {
    description: 'The HTTP call of the step. Every field except `method` and `timeout` may hold templates.',
    type: 'object',
    errorMessage: 'must be an object describing the HTTP call (url, method, ...)',
    additionalProperties: false,
    required: ['url'],
    not: {
      required: ['data', 'json_body'],
      errorMessage:
        'data and json_body cannot both be set: data sends a form or raw body, json_body sends JSON',
    },
    properties: {
      url: {
        description: `The URL to call; absolute (http or https) once rendered. ${TEMPLATES}`,
        type: 'string',
        minLength: 1,
        examples: ['{{ SYSTEM_APIS.my_app }}/v1/customers.json'],
        errorMessage: 'must be a non-empty string: an absolute http(s) URL, templates allowed',
      },
      method: {
        description:
          'The HTTP method: any method token (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, or an ' +
          'extension method), case-insensitive; upper-cased by the parser. Not a template.',
        type: 'string',
        pattern: HTTP_TOKEN_PATTERN,
        default: DEFAULT_METHOD,
        examples: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
        errorMessage: "must be an HTTP method (letters, digits and !#$%&'*+-.^_`|~ only), e.g. GET",
      },
      params: {
        description: `Query parameters: an object, or a template string that renders to one. ${TEMPLATES}`,
        type: ['object', 'string'],
        errorMessage: 'must be an object of query parameters, or a template string',
      },
      headers: {
        description:
          'Request headers: an object of names to values, or a template string that renders to one. ' +
          'Names are not templates and must be HTTP tokens; values cannot hold CR, LF, NUL, other ' +
          `control characters or characters beyond U+00FF, as written or as rendered. ${TEMPLATES}`,
        type: ['object', 'string'],
        propertyNames: {
          pattern: HTTP_TOKEN_PATTERN,
          patternErrorMessage:
            "is not an HTTP header name: letters, digits and !#$%&'*+-.^_`|~ only, e.g. X-Api-Key",
        },
        additionalProperties: {
          type: ['string', 'number', 'boolean'],
          errorMessage: 'must be a string, number or boolean',
        },
        errorMessage: 'must be an object of header names to values, or a template string',
      },
      data: {
        description: `The body, form-encoded when an object, sent as it is when a string. Not together with \`json_body\`. ${TEMPLATES}`,
        type: ['object', 'string'],
        errorMessage: 'must be an object (sent form-encoded) or a string (sent as it is)',
      },
      json_body: templatedValue(
        `The body, sent as JSON (any JSON value). Not together with \`data\`. ${TEMPLATES}`,
      ),
      timeout: {
        description:
          'Seconds allowed for the connect and, separately, for reading the response. Not a template.',
        type: 'number',
        exclusiveMinimum: 0,
        examples: [10],
        errorMessage: 'must be a positive number of seconds',
      },
    },
  };
}

/** A URL without templates must be absolute http(s) already. */
function urlProblems(step: Readonly<Record<string, unknown>>): StepProblem[] {
  const url = isObject(step.apispec) ? step.apispec.url : undefined;
  if (typeof url !== 'string' || url === '' || /\{[{%#]/.test(url)) return [];
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'http:' || protocol === 'https:') return [];
  return [
    {
      path: ['apispec', 'url'],
      message: `must be an absolute http or https URL, or a template (got ${shown(url)})`,
    },
  ];
}

/** The `http` step kind. */
export const httpStep: StepKind<HttpStep> = {
  name: 'http',
  key: 'apispec',
  summary: 'an HTTP call',
  keyHint: 'an HTTP call',
  properties: { apispec: apispecSchema(), paginate: paginateSchema() },
  // An action's HTTP calls retry as its connector says, not by `retry`.
  dependencies: { retry: ['apispec'], paginate: ['apispec'] },
  snippets: [
    {
      label: 'step',
      description: 'a step with an HTTP call',
      // A snippet tab stop (`${3:GET}`), not a JavaScript placeholder.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code snippet syntax
      body: { name: '$1', apispec: { url: '$2', method: '${3:GET}' } },
    },
  ],
  templatedFields: [
    ...APISPEC_TEMPLATED.map((field) => ['apispec', field]),
    ['paginate', 'next'],
    ['paginate', 'items'],
  ],
  checks: [urlProblems, headerProblems, paginateProblems],
  normalize(step) {
    const apispec = step.apispec as Record<string, unknown>;
    const method = typeof apispec.method === 'string' ? apispec.method : DEFAULT_METHOD;
    return { ...step, apispec: { ...apispec, method: method.toUpperCase() } } as unknown as HttpStep;
  },
  runItem: runHttpItem,
};

/**
 * Executes one HTTP item: one call, or with `paginate` one call per page. Never throws for a failure of
 * the item itself (template error, bad apispec, HTTP failure): the row says `failed` with the error.
 *
 * @throws `signal.reason` when the run is aborted; {@link RunSuspended} with the item's attempts so
 * far, when a long wait suspends the run.
 */
async function runHttpItem(ctx: ItemContext, task: ItemTask<HttpStep>): Promise<ItemResult> {
  const { step, itemIndex } = task;
  const logger = ctx.logger.child({ step: step.name, index: itemIndex });
  const record = itemRecorder(ctx, task, logger);
  if (step.paginate !== undefined) return runPages(ctx, task, step.paginate, logger, record);

  const current: CurrentStep = { name: step.name, input: task.input, index: itemIndex, attempt: 1 };
  const state: RunState = withCurrentStep(ctx.state, current);
  const call = await callOnce(ctx, task, state, logger, {
    key: task.idempotencyKey,
    previous: task.previousAttempts,
  });
  if (!call.ok) return record.fail(call.error, call.attempts, call.history);
  let output: unknown = current.response?.body;
  if (step.output !== undefined) {
    try {
      output = await ctx.renderer.render(step.output, state, { step: step.name, field: 'output' });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return record.fail({ type: 'template', message: err.message }, call.attempts, call.history);
    }
  }
  return record.succeed(output, call.attempts, call.history);
}

/** One call made: its attempts, and the response now in `CURRENT_STEP` (`response`, `attempt`). */
interface CallMade {
  ok: true;
  attempts: number;
  history: AttemptEntry[];
}

/** A call that failed, or never went (its templates or its apispec). */
interface CallNotMade {
  ok: false;
  error: StepErrorRecord;
  attempts: number;
  history: AttemptEntry[];
}

/**
 * Renders the `apispec` against `state`, builds the request with idempotency key `call.key` and sends it
 * under the step's retry policy, holding the step's concurrency permit. On success `state.CURRENT_STEP`
 * gets the response and the number of attempts.
 *
 * @throws as {@link runHttpItem}.
 */
async function callOnce(
  ctx: ItemContext,
  task: ItemTask<HttpStep>,
  state: RunState,
  logger: Logger,
  call: { key: string; previous: readonly AttemptEntry[] | undefined },
): Promise<CallMade | CallNotMade> {
  const { step } = task;
  const { apispec } = step;
  let spec: RenderedApiSpec;
  try {
    spec = await renderApiSpec(ctx, step.name, apispec, state);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return { ok: false, error: { type: 'template', message: err.message }, attempts: 0, history: [] };
  }
  let request: ReturnType<typeof buildRequest>;
  try {
    request = buildRequest(spec, call.key);
  } catch (err) {
    if (!(err instanceof ApiSpecShapeError)) throw err;
    const error: StepErrorRecord = { type: 'other', message: `steps.${step.name}.${err.message}` };
    return { ok: false, error, attempts: 0, history: [] };
  }

  const { rateLimit } = task;
  const release = task.slots === undefined ? undefined : await task.slots.acquire(ctx.signal);
  logger.debug({ method: request.method, url: request.url, headers: request.headers }, 'request');
  let outcome: Awaited<ReturnType<typeof sendCall>>;
  try {
    outcome = await sendCall(request, {
      transport: ctx.transport,
      policy: task.policy,
      timeout: apispec.timeout,
      signal: ctx.signal,
      wait: createWaiter({
        sleep: ctx.sleep,
        now: ctx.now,
        ...(ctx.longWaitMs === undefined ? {} : { longWaitMs: ctx.longWaitMs }),
        onLongWait: (resumeAt) => ctx.onLongWait(resumeAt),
      }),
      now: ctx.now,
      random: ctx.random,
      logger,
      previous: call.previous,
      errorBody: (body) => ctx.redactor().excerpt(body, ERROR_BODY_BYTES),
      record: ctx.recordsExchanges ? () => ctx.redactor() : undefined,
      // Every attempt (retries and redirect hops too) takes a token of the host it goes to.
      beforeAttempt:
        rateLimit === undefined
          ? undefined
          : (attempt, signal) =>
              ctx.limits.take(hostRateKey(ctx.workspaceId, attempt.url), rateLimit, signal),
    });
  } catch (err) {
    if (err instanceof RunSuspended) {
      logger.info({ resumeAt: err.resumeAt.toISOString(), attempts: err.attempts.length }, 'step item waits');
    }
    throw err;
  } finally {
    release?.();
  }
  if (!outcome.ok) {
    return { ok: false, error: errorRecord(outcome), attempts: outcome.attempts, history: outcome.history };
  }
  const response = readResponse(outcome.response, `${request.method} ${outcome.url}`);
  const current = state.CURRENT_STEP as CurrentStep;
  current.attempt = outcome.attempts;
  current.response = response;
  logger.debug(
    {
      method: request.method,
      url: outcome.url,
      status: response.status,
      durationMs: ctx.now() - task.startedAt,
      attempts: outcome.attempts,
    },
    'response',
  );
  return { ok: true, attempts: outcome.attempts, history: outcome.history };
}

/**
 * A paginated item: page after page until `paginate.next` renders empty or `max_pages` is reached.
 * Each page is its own call (its own key, its whole retry budget), its attempts marked with the page
 * index; every page but the last is committed as the item's progress before the next one goes, so a
 * resumed run starts at the page it was on. The output is every page's items, in order.
 */
async function runPages(
  ctx: ItemContext,
  task: ItemTask<HttpStep>,
  paginate: Paginate,
  logger: Logger,
  record: ItemRecorder,
): Promise<ItemResult> {
  const { step } = task;
  const maxPages = paginate.max_pages ?? DEFAULT_MAX_PAGES;
  const progress = pageProgressOf(task.previousProgress);
  // The attempts of earlier pages; those of the page in flight at a stored wait count against its budget.
  const history: AttemptEntry[] = [];
  const inFlight: AttemptEntry[] = [];
  for (const entry of task.previousAttempts ?? []) {
    (entry.page === progress.pages ? inFlight : history).push(entry);
  }
  const failed = (error: StepErrorRecord) => record.fail(error, history.length, history);
  while (true) {
    const index = progress.pages;
    if (index >= maxPages) return failed({ type: 'other', message: tooManyPages(maxPages, progress.next) });
    const current: CurrentStep = {
      name: step.name,
      input: task.input,
      index: task.itemIndex,
      attempt: 1,
      page: { index, next: index === 0 ? null : progress.next },
    };
    const state: RunState = withCurrentStep(ctx.state, current);
    let call: CallMade | CallNotMade;
    try {
      call = await callOnce(ctx, task, state, logger, {
        key: pageIdempotencyKey(task.idempotencyKey, index),
        previous: index === progress.pages && inFlight.length > 0 ? inFlight.splice(0) : undefined,
      });
    } catch (err) {
      if (!(err instanceof RunSuspended)) throw err;
      throw err.withProgress([...history, ...onPage(err.attempts, index)], progress);
    }
    history.push(...onPage(call.history, index));
    if (!call.ok) return failed(call.error);

    let rendered: { next?: unknown; items?: unknown };
    try {
      rendered = (await ctx.renderer.render(
        { next: paginate.next, items: paginate.items ?? DEFAULT_PAGE_ITEMS },
        state,
        { step: step.name, field: 'paginate' },
      )) as { next?: unknown; items?: unknown };
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return failed({ type: 'template', message: err.message });
    }
    const page = readPage(rendered, index, progress.next);
    if ('problem' in page) return failed({ type: 'other', message: `steps.${step.name}.${page.problem}` });
    progress.items.push(...page.items);
    progress.pages = index + 1;
    progress.next = page.next;
    if (isLastPage(page.next)) return record.succeed(progress.items, history.length, history);
    if (progress.pages < maxPages) await ctx.saveProgress(task, progress, history);
  }
}

/** `entries` marked as attempts of page `index`. */
function onPage(entries: readonly AttemptEntry[], index: number): AttemptEntry[] {
  return entries.map((entry) => (entry.page === index ? entry : { ...entry, page: index }));
}

async function renderApiSpec(
  ctx: ItemContext,
  step: string,
  apispec: ApiSpec,
  state: RunState,
): Promise<RenderedApiSpec> {
  // One render for every templated field: one trip to a template worker per call, not one per field.
  const fields: Record<string, unknown> = {};
  for (const field of APISPEC_TEMPLATED) {
    if (apispec[field] !== undefined) fields[field] = apispec[field];
  }
  const rendered = (await ctx.renderer.render(fields, state, {
    step,
    field: 'apispec',
  })) as Partial<RenderedApiSpec>;
  return { url: undefined, ...rendered, method: apispec.method };
}

function errorRecord(failure: CallFailed): StepErrorRecord {
  return {
    type: failure.errorClass,
    message: failure.message,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    ...(failure.body === undefined ? {} : { body: failure.body }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
