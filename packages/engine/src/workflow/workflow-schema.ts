/**
 * The JSON Schema (draft-07) of the workflow document: the one source of truth for its shape. The
 * validator runs it with Ajv (plus the rules a schema cannot say, in `validate.ts`), `sluice schema
 * workflow` prints it, and `packages/engine/schema/workflow.schema.json` is generated from it.
 *
 * Draft-07, because it is the newest draft the VS Code YAML extension (yaml-language-server) validates
 * with, and the draft the SDK's field schemas use. Every property has a `description` (hover and
 * completion in editors); `errorMessage` gives editors and `sluice validate` the same wording.
 *
 * @module
 */

import type { JsonSchemaNode } from '../model/json-schema-node.js';
import { DEFAULT_METHOD } from '../steps/http.js';
import { STEP_KINDS, type StepKinds } from '../steps/step-kinds.js';
import { TRIGGER_KINDS, type TriggerKinds } from '../triggers/trigger-kinds.js';
import { retrySchema } from './retry-schema.js';

/** The defaults the parser fills in. */
export const WORKFLOW_DEFAULTS = Object.freeze({
  /** @default 'workspace' */
  scope: 'workspace',
  /** @default 'GET' */
  method: DEFAULT_METHOD,
} as const);

/**
 * What a step name may be: any string of Unicode characters (the Mason format: "any unicode string chosen
 * by the workflow author"), except control characters (C0, DEL, C1: CR, LF, tab, NUL, ...), the line and
 * paragraph separators and the bidirectional controls, which would break or disguise the logs, errors
 * and console lines that show the name. `STEPS.<name>` reads an identifier; `STEPS["any name"]` reads any.
 */
export const STEP_NAME_PATTERN =
  '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$';

/** The longest step name, in characters (code points). */
export const STEP_NAME_MAX_LENGTH = 200;

/**
 * The one step name that matches {@link STEP_NAME_PATTERN} but cannot work: JavaScript objects treat
 * `__proto__` as their prototype, so `STEPS.__proto__` would never hold the step's output. Every other
 * name, `constructor` and `toString` included, is an own key of `STEPS` and works.
 */
export const RESERVED_STEP_NAME = '__proto__';

const RESERVED_STEP_NAME_MESSAGE =
  'cannot be __proto__: JavaScript objects reserve that key, so STEPS.__proto__ could not hold the step; rename the step';

export { ACTION_PATTERN, CONNECTOR_NAME_PATTERN } from '../steps/action.js';
export { HTTP_TOKEN_PATTERN } from '../steps/http/header-rules.js';

const TEMPLATES = 'Strings in it are Jinja templates, rendered for each step item.';

const anyTemplated = (description: string): JsonSchemaNode => ({ description });

/** `rate_limit` and `default_rate_limit`. */
function rateLimitSchema(description: string): JsonSchemaNode {
  return {
    description,
    type: 'object',
    errorMessage: 'must be an object with requests and per_seconds, e.g. { requests: 10, per_seconds: 1 }',
    additionalProperties: false,
    required: ['requests', 'per_seconds'],
    examples: [{ requests: 10, per_seconds: 1 }],
    properties: {
      requests: {
        description: 'At most this many HTTP requests (every attempt counts, retries too) in any window.',
        type: 'integer',
        minimum: 1,
        examples: [10],
        errorMessage: 'must be a positive integer (requests per window)',
      },
      per_seconds: {
        description: 'The window, in seconds (fractions allowed).',
        type: 'number',
        exclusiveMinimum: 0,
        examples: [1, 60],
        errorMessage: 'must be a number of seconds greater than 0',
      },
    },
  };
}

function triggerSchema(kinds: TriggerKinds): JsonSchemaNode {
  const keys = kinds.list.map((kind) => kind.key);
  const properties: Record<string, JsonSchemaNode> = {};
  for (const kind of kinds.list) properties[kind.key] = kind.schema;
  return {
    description:
      'What starts runs besides `POST /v1/workflows/{uid}/runs` (always available): exactly one of ' +
      `${orList(keys.map((key) => `\`${key}\``))}. Triggers run under \`sluice serve\` once the trigger is enabled.`,
    type: 'object',
    errorMessage: `must hold exactly one of ${orList(keys)}`,
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    properties,
  };
}

function stepSchema(kinds: StepKinds): JsonSchemaNode {
  const list = kinds.list;
  const needsKind = `needs ${orList(list.map((kind) => `${kind.key} (${kind.keyHint})`))}`;
  // A step holds one kind's key: one `not` per pair (`type` too: `required` holds for any non-object,
  // and `not` would then fail on one).
  const pairs: JsonSchemaNode[] = [];
  list.forEach((a, index) => {
    for (const b of list.slice(index + 1)) {
      pairs.push({
        type: 'object',
        required: [a.key, b.key],
        errorMessage: `${a.key} and ${b.key} cannot both be set: a step is either ${a.summary} or ${b.summary}`,
      });
    }
  });
  // By key, so the order editors list properties in does not depend on the order kinds were registered.
  const byKey = [...list].sort((a, b) => (a.key < b.key ? -1 : 1));
  const dependencies: Record<string, readonly string[]> = {};
  const kindProperties: Record<string, JsonSchemaNode> = {};
  for (const kind of byKey) {
    Object.assign(dependencies, kind.dependencies);
    Object.assign(kindProperties, kind.properties);
  }
  return {
    description: `One named step: ${orList(list.map((kind) => `${kind.summary} (\`${kind.key}\`)`))}, run once, or once per item of its \`input\` list.`,
    type: 'object',
    errorMessage: `must be an object (a step with a name and ${orList(list.map((kind) => `${/^[aeiou]/.test(kind.key) ? 'an' : 'a'} ${kind.key}`))})`,
    additionalProperties: false,
    required: ['name'],
    anyOf: list.map((kind) => ({ required: [kind.key], errorMessage: needsKind })),
    ...(pairs.length === 0
      ? {}
      : pairs.length === 1
        ? { not: pairs[0] }
        : { allOf: pairs.map((p) => ({ not: p })) }),
    dependencies,
    defaultSnippets: list.flatMap((kind) => kind.snippets),
    properties: {
      name: {
        description:
          'The step name, unique within the workflow: any string of 1 to ' +
          `${STEP_NAME_MAX_LENGTH} Unicode characters without control characters (\`étape 1\`, \`get-customers\`); ` +
          'not `__proto__`. Templates read its output as `STEPS.<name>.output` when the name is an identifier, ' +
          'else as `STEPS["étape 1"].output`.',
        type: 'string',
        minLength: 1,
        maxLength: STEP_NAME_MAX_LENGTH,
        pattern: STEP_NAME_PATTERN,
        not: { const: RESERVED_STEP_NAME, errorMessage: RESERVED_STEP_NAME_MESSAGE },
        examples: ['get-customers', 'étape 1', 'customers'],
        errorMessage: `must be a step name: a string of 1 to ${STEP_NAME_MAX_LENGTH} characters`,
        patternErrorMessage:
          'must not hold control characters (CR, LF, tab, NUL, ...), line or paragraph separators or bidirectional controls: the name is shown in logs, errors and the console',
      },
      ...kindProperties,
      when: {
        description:
          "Rendered before `input`, with everything a step's templates may use. When the value is falsy " +
          "(Jinja's truthiness: false, null, 0, an empty string, list or object) the step is skipped: " +
          'recorded with status `skipped`, and later steps see `STEPS.<name>.output` as null. A single ' +
          "`{{ expression }}` keeps the expression's type; text around it makes a string, true unless empty.",
        type: ['string', 'boolean'],
        examples: ['{{ STEPS.customers.output | length > 0 }}'],
        errorMessage: 'must be a template string (or true or false)',
      },
      on_error: {
        description:
          'What a failed call does. `fail` (default): the first failed call fails the step and the run. ' +
          '`continue`: every call runs; a failed one gives null as its output and its error is listed in ' +
          '`STEPS.<name>.errors` (`{index, error}`), and the run goes on.',
        enum: ['fail', 'continue'],
        default: 'fail',
        errorMessage: 'must be fail or continue',
      },
      input: anyTemplated(
        'Rendered first; an action step passes it to the action as its input. A list runs the step once per item (`CURRENT_STEP.input`, `CURRENT_STEP.index`); ' +
          `anything else runs it once. ${TEMPLATES}`,
      ),
      output: anyTemplated(
        'Rendered after the call (`CURRENT_STEP.response` is set; for an action step its `body` is the ' +
          "action's output); becomes `STEPS.<name>.output`. Default: the response body, parsed when it is " +
          `JSON, or the action's output. ${TEMPLATES}`,
      ),
      concurrency: {
        description:
          'At most this many calls of this step at once, across all runs of the workflow. Default: one at ' +
          'a time within a run when fanning out, no limit across runs.',
        type: 'integer',
        minimum: 1,
        examples: [4],
        errorMessage: 'must be a positive integer',
      },
      retry: retrySchema(
        "The step's retry settings (urllib3 Retry fields); they override `default_retry` field by field. " +
          'Only with `apispec`: the HTTP calls of an action retry as its connector says.',
      ),
      rate_limit: rateLimitSchema(
        "At most `requests` HTTP requests in any `per_seconds` to the step's host (the URL's host and " +
          'port; for an action step, its connector), shared by every step and workflow of the workspace ' +
          'with a rate limit there, across all workers. Every attempt counts; a call waits for its turn ' +
          'instead of failing. Replaces `default_rate_limit`.',
      ),
    },
  };
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** The workflow schema with the steps of `kinds`. */
function buildWorkflowSchema(kinds: StepKinds, triggers: TriggerKinds): JsonSchemaNode {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Sluice workflow',
    description:
      'A Sluice workflow: named steps, each an HTTP call or a connector action, with urllib3 retries, ' +
      'concurrency and Jinja templates, and an optional trigger. See docs/workflows.md.',
    type: 'object',
    errorMessage: 'must be an object (a workflow document)',
    additionalProperties: false,
    required: ['name', 'steps'],
    properties: {
      $schema: {
        description: 'The JSON Schema of this document, for editors. Ignored by Sluice.',
        type: 'string',
        errorMessage: 'must be a string (the schema location)',
      },
      uid: {
        description: 'The workflow id, set by the store when the workflow is saved. Optional on create.',
        type: 'string',
        minLength: 1,
        errorMessage: 'must be a non-empty string',
      },
      name: {
        description: 'The workflow name: plain text that says what it does.',
        type: 'string',
        pattern: '\\S',
        // A column of its own, and PostgreSQL text cannot hold NUL.
        not: { pattern: '\\u0000', errorMessage: 'must not contain the NUL character (\\u0000)' },
        examples: ['sync-new-customers'],
        errorMessage: 'must be a non-empty string',
      },
      scope: {
        description:
          'Who can see the workflow: `workspace` (its own workspace) or `global` (every workspace; written ' +
          'by admins only).',
        enum: ['workspace', 'global'],
        default: WORKFLOW_DEFAULTS.scope,
        errorMessage: 'must be workspace or global',
      },
      default_retry: retrySchema(
        "Retry settings (urllib3 Retry fields) for every step; a step's `retry` overrides them field by " +
          'field. Without any retry settings, steps use urllib3 `Retry(3)`.',
      ),
      default_rate_limit: rateLimitSchema(
        'The `rate_limit` of every step that has none of its own: at most `requests` HTTP requests in any ' +
          "`per_seconds` to the step's host (or connector), shared across the workspace and all workers.",
      ),
      trigger: triggerSchema(triggers),
      on_failure: {
        description:
          'Starts a workflow once when a run fails for good (not when it is cancelled), after the failure is ' +
          'committed, with INPUT `{workflow, workflow_uid, run_id, failed_step, error}` (secrets redacted). ' +
          'A run started so has no on_failure of its own: failure workflows do not chain.',
        type: 'object',
        additionalProperties: false,
        required: ['workflow'],
        errorMessage: 'must be an object with workflow (the name or uid of the workflow to start)',
        properties: {
          workflow: {
            description:
              'The workflow to start: its name or uid, in the same workspace or global. Not a template.',
            type: 'string',
            minLength: 1,
            pattern: '^[^{}]*$',
            examples: ['alert-ops'],
            errorMessage: 'must be the name or uid of a workflow (not a template)',
          },
        },
      },
      steps: {
        description: 'The steps, run in order. Step names are unique.',
        type: 'array',
        minItems: 1,
        items: stepSchema(kinds),
        errorMessage: 'must be a non-empty list of steps',
      },
      workspace_id: {
        description: 'Stored field: the workspace that owns the workflow. Set by the store.',
        type: 'string',
        minLength: 1,
        errorMessage: 'must be a non-empty string',
      },
      user_id: {
        description: "Stored field: the publisher's email. Set by the store.",
        type: 'string',
        format: 'email',
        errorMessage: 'must be an email address',
      },
      created: {
        description:
          'Stored field: when the workflow was created: an RFC 3339 date-time, or a date-time as pydantic ' +
          'writes one without an offset (`2024-05-01T12:00:00.123456`, `2024-05-01 12:00:00`), taken as UTC. ' +
          'Set by the store.',
        type: 'string',
        format: 'date-time',
        errorMessage: 'must be a date-time, e.g. 2024-05-01T12:00:00Z or 2024-05-01T12:00:00.123456 (UTC)',
      },
      updated: {
        description:
          'Stored field: when the workflow was last changed: an RFC 3339 date-time, or a date-time as ' +
          'pydantic writes one without an offset (`2024-05-01T12:00:00.123456`), taken as UTC. Set by the store.',
        type: 'string',
        format: 'date-time',
        errorMessage: 'must be a date-time, e.g. 2024-05-01T12:00:00Z or 2024-05-01T12:00:00.123456 (UTC)',
      },
      deleted: {
        description:
          'Stored field: `true` once the workflow is deleted (soft delete); a deleted workflow does not run. ' +
          'Set by the store.',
        type: 'boolean',
        errorMessage: 'must be true or false',
      },
      version: {
        description: 'Stored field: the version number, 1 and up; runs pin the version they started on.',
        type: 'integer',
        minimum: 1,
        errorMessage: 'must be a positive integer',
      },
    },
  };
}

const schemas = new WeakMap<StepKinds, WeakMap<TriggerKinds, JsonSchemaNode>>();

/** The schema of these kinds as the validator runs it, built once per pair of registries; never handed out. @internal */
export function workflowSchemaSource(kinds: StepKinds, triggers: TriggerKinds): JsonSchemaNode {
  let byTriggers = schemas.get(kinds);
  if (byTriggers === undefined) {
    byTriggers = new WeakMap();
    schemas.set(kinds, byTriggers);
  }
  let schema = byTriggers.get(triggers);
  if (schema === undefined) {
    schema = buildWorkflowSchema(kinds, triggers);
    byTriggers.set(triggers, schema);
  }
  return schema;
}

/**
 * The published JSON Schema (draft-07) of the workflow document, as `sluice schema workflow` prints it
 * and `packages/engine/schema/workflow.schema.json` holds it: with the built-in step and trigger kinds,
 * or with the given ones. A fresh copy on each call.
 *
 * It describes every field (editors show the descriptions) and checks the shape; `parseWorkflow` also
 * checks what a schema cannot: unique step names, URLs, templates, and the SDK's retry rules.
 */
export function workflowJsonSchema(
  kinds: StepKinds = STEP_KINDS,
  triggers: TriggerKinds = TRIGGER_KINDS,
): Record<string, unknown> {
  return structuredClone(workflowSchemaSource(kinds, triggers));
}
