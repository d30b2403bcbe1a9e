/**
 * Errors of `@sluice/engine`. Each failure a workflow author or user can cause has a class and a stable
 * `SLUICE_*` code, listed in `docs/errors.md` (section `@sluice/engine`). They extend the SDK's
 * {@link SluiceError}, so `isSluiceError(err, code)` works on them too.
 *
 * @module
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/sdk';

/** The codes the engine raises, each with what it means. Retired codes are never reused. */
export const ENGINE_ERROR_CODES = {
  SLUICE_WORKFLOW_PARSE: 'a workflow file is not valid YAML or JSON',
  SLUICE_WORKFLOW_INVALID:
    'a workflow document breaks the format (type, missing field, duplicate step name, ...)',
  SLUICE_WORKFLOW_FILE: 'a workflow file cannot be read',
  SLUICE_TEMPLATE_SYNTAX: 'a template does not parse',
  SLUICE_TEMPLATE_RENDER: 'a template failed while rendering (undefined name, bad filter argument, ...)',
  SLUICE_TEMPLATE_FUEL: 'a template ran out of fuel (it does too much work)',
  SLUICE_TEMPLATE_DEADLINE: 'a template ran longer than the template deadline and was stopped',
  SLUICE_TEMPLATE_MEMORY: 'a template needed more memory (or stack) than the template memory cap',
  SLUICE_TEMPLATE_OUTPUT: "a template's result is larger than the output cap",
  SLUICE_STEP_FAILED: 'a step failed after its retries, or its final response had a status of 400 or more',
  SLUICE_RUN_CONFIG:
    'local run settings (sluice.yaml, --system-apis, --user, --input, --state) are malformed',
  SLUICE_STORE: 'the store cannot be opened, migrated or written',
  SLUICE_RUN_CANCELLED:
    'a run was cancelled while it ran (its signal was aborted, e.g. Ctrl-C in sluice run)',
  SLUICE_WORKFLOW_CONFLICT:
    'a workflow was published on a version that is not the latest (stale If-Match or version), or its uid is taken',
  SLUICE_RUN_INPUT:
    "a run's input breaks the workflow's input rules (not an object when the workflow reads INPUT fields)",
  SLUICE_RUN_STATE:
    'a run cannot do that in its status (cancel a finished run, retry a run that did not fail)',
  SLUICE_ENGINE_CLOSED: 'the engine is closing or closed and takes no new runs',
  SLUICE_API_UNAUTHORIZED: 'an API request has no valid `Authorization: Bearer <key>`',
  SLUICE_API_FORBIDDEN:
    'the caller may see the resource but not change it (a member writing a global workflow)',
  SLUICE_API_NOT_FOUND: "no such resource in the caller's workspace (or a global one)",
  SLUICE_API_BAD_REQUEST:
    'an API request breaks its schema (body, query, parameters) or its body does not parse',
  SLUICE_API_BODY_TOO_LARGE: 'an API request body is over the configured limit',
  SLUICE_API_MEDIA_TYPE: 'an API request body has a content type the route does not take',
  SLUICE_API_URI_TOO_LONG: 'a path parameter of an API request is longer than any route takes',
  SLUICE_API_HEADERS_TOO_LARGE: "an API request's request line and headers are over the HTTP parser's limit",
  SLUICE_API_TIMEOUT: "an API request's headers or body did not arrive in time",
  SLUICE_API_EXPECTATION: 'an API request has an Expect header other than 100-continue',
  SLUICE_API_INTERNAL: 'an unexpected failure while answering an API request',
  SLUICE_CONNECTION:
    'a connection is unknown in the workspace, names an unregistered connector, or its values break the connection fields',
  SLUICE_CONNECTION_TEST:
    "a connection's test failed, so the run, trigger or connection that needs it was refused",
  SLUICE_CONNECTOR_UNKNOWN: 'a workflow names a connector, action or trigger the service has not registered',
  SLUICE_SECRET_KEY:
    'the secret key (SLUICE_SECRET_KEY or the data-dir key file) is malformed, or sealed values do not open with it',
  SLUICE_EGRESS_DENIED:
    'a step URL resolves to an address that is not globally reachable while --deny-private-networks is on',
  SLUICE_HOOK_SIGNATURE: "a webhook delivery's HMAC signature header is missing or does not match",
  SLUICE_HOOK_SUBSCRIBE:
    "a connector webhook trigger cannot go live: not a webhook trigger, no public URL to subscribe with, or (in `last_error`) the connector's webhookSubscribe/webhookUnsubscribe failed",
  SLUICE_HOOK_NOTIFICATION:
    "a connector's webhookNotification (or webhookKeys) failed on a delivery or returned no events shape; no run started",
  SLUICE_QUEUE: 'the shared run queue (Redis, BullMQ) is misconfigured or Redis does not answer at start',
  SLUICE_STEP_TEST_UNSUPPORTED:
    'a step of a kind a step test does not run (anything but apispec, action and wait) was asked to be tested',
} as const;

/** A stable error code of the engine. */
export type EngineErrorCode = keyof typeof ENGINE_ERROR_CODES;

/** Any engine error without fields of its own. */
export class EngineError extends SluiceError {
  declare readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(code, message, options);
  }
}

/** One problem in a workflow document: where it is and what is wrong. */
export interface WorkflowProblem {
  /** The path in the document, as `steps[2].retry.total`; `''` for the document itself. */
  path: string;
  message: string;
  /** 1-based line in the source, when the document came from text. */
  line?: number | undefined;
  /** 1-based column, for syntax errors. */
  column?: number | undefined;
}

/**
 * A workflow document does not parse or breaks the format. `problems` lists the problems found, the
 * first 100 in document order; when there were more, a last problem (path `''`) says how many, and
 * `omitted` counts them. The message shows them one per line as
 * `steps[2].retry.total: must be an integer (line 31)`, after the file name when there is one.
 */
export class WorkflowParseError extends SluiceError {
  declare readonly code: 'SLUICE_WORKFLOW_PARSE' | 'SLUICE_WORKFLOW_INVALID';
  readonly file: string | undefined;
  readonly problems: readonly WorkflowProblem[];
  /** Problems found but not listed in `problems` (its last problem counts them); 0 when all are listed. */
  readonly omitted: number;

  constructor(
    code: 'SLUICE_WORKFLOW_PARSE' | 'SLUICE_WORKFLOW_INVALID',
    problems: readonly WorkflowProblem[],
    options: SluiceErrorOptions & { file?: string | undefined; omitted?: number | undefined } = {},
  ) {
    const lines = problems.map(formatWorkflowProblem);
    const head = options.file === undefined ? '' : `${options.file}: `;
    const omitted = options.omitted ?? 0;
    // The last problem of a capped list only counts the others.
    const count = omitted === 0 ? lines.length : lines.length - 1 + omitted;
    super(code, head + (lines.length === 1 ? lines[0] : `${count} problems\n${lines.join('\n')}`), options);
    this.file = options.file;
    this.problems = problems;
    this.omitted = omitted;
  }
}

/** `steps[2].retry.total: must be an integer (line 31)`; syntax errors add the column: `(line 3, column 7)`. */
export function formatWorkflowProblem(problem: WorkflowProblem): string {
  const where = problem.path === '' ? '' : `${problem.path}: `;
  const column = problem.column === undefined ? '' : `, column ${problem.column}`;
  const line = problem.line === undefined ? '' : ` (line ${problem.line}${column})`;
  return `${where}${problem.message}${line}`;
}

/** The codes of {@link TemplateError}: syntax, render, and each limit a template can hit. */
export type TemplateErrorCode =
  | 'SLUICE_TEMPLATE_SYNTAX'
  | 'SLUICE_TEMPLATE_RENDER'
  | 'SLUICE_TEMPLATE_FUEL'
  | 'SLUICE_TEMPLATE_DEADLINE'
  | 'SLUICE_TEMPLATE_MEMORY'
  | 'SLUICE_TEMPLATE_OUTPUT';

/**
 * A template failed to parse or render. `step` and `field` say where it sits
 * (`notify`, `apispec.json_body.id`), `template` is its source.
 */
export class TemplateError extends SluiceError {
  declare readonly code: TemplateErrorCode;
  readonly step: string | undefined;
  readonly field: string;
  readonly template: string;
  /** 1-based line and column in the template, when the template engine reports them. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(init: {
    code: TemplateErrorCode;
    step?: string | undefined;
    field: string;
    template: string;
    message: string;
    line?: number | undefined;
    column?: number | undefined;
    hint?: string;
    cause?: unknown;
  }) {
    const where = init.step === undefined ? init.field : `steps.${init.step}.${init.field}`;
    const at =
      init.line === undefined
        ? ''
        : ` (line ${init.line}${init.column === undefined ? '' : `, column ${init.column}`})`;
    super(
      init.code,
      `${where}: ${init.message}${at} in template ${JSON.stringify(shorten(init.template))}`,
      init,
    );
    this.step = init.step;
    this.field = init.field;
    this.template = init.template;
    this.line = init.line;
    this.column = init.column;
  }
}

/** How a step item's call failed (DESIGN §4): the SDK's retry reasons, plus `status` for a final 4xx/5xx. */
export type StepErrorClass = 'connect' | 'read' | 'timeout' | 'status' | 'redirect' | 'other' | 'template';

/** A step failed: its error class, the last HTTP status, the attempts made and the start of the body. */
export class StepFailedError extends SluiceError {
  declare readonly code: 'SLUICE_STEP_FAILED';
  readonly step: string;
  readonly errorClass: StepErrorClass;
  readonly status: number | undefined;
  readonly attempts: number;
  /** The first 1 KB of the last response body, when there was one. */
  readonly body: string | undefined;

  constructor(init: {
    step: string;
    errorClass: StepErrorClass;
    message: string;
    status?: number | undefined;
    attempts: number;
    body?: string | undefined;
    cause?: unknown;
    hint?: string;
  }) {
    super('SLUICE_STEP_FAILED', `steps.${init.step}: ${init.message}`, init);
    this.step = init.step;
    this.errorClass = init.errorClass;
    this.status = init.status;
    this.attempts = init.attempts;
    this.body = init.body;
  }
}

function shorten(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 197)}...`;
}
