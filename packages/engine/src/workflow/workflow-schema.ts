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
import type { JsonSchemaNode } from './json-schema-node.js';
import { retrySchema } from './retry-schema.js';

/** The defaults the parser fills in. */
export const WORKFLOW_DEFAULTS = Object.freeze({
  /** @default 'workspace' */
  scope: 'workspace',
  /** @default 'GET' */
  method: 'GET',
} as const);

/** RFC 9110 `token`: the characters an HTTP method may hold. */
export const HTTP_TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/**
 * What a step name may be, so that `STEPS.<name>` works in a template: an ASCII identifier (letters,
 * digits and `_`, not starting with a digit).
 */
export const STEP_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/**
 * The one step name that matches {@link STEP_NAME_PATTERN} but cannot work: JavaScript objects treat
 * `__proto__` as their prototype, so `STEPS.__proto__` would never hold the step's output. Every other
 * name, `constructor` and `toString` included, is an own key of `STEPS` and works.
 */
export const RESERVED_STEP_NAME = '__proto__';

const RESERVED_STEP_NAME_MESSAGE =
  'cannot be __proto__: JavaScript objects reserve that key, so STEPS.__proto__ could not hold the step; rename the step';

/**
 * A connector or action name: ASCII letters, digits, `_` and `-`, not starting with a digit or `-`.
 * Connectors registered from files take the file's base name, so `my-app.ts` is `my-app`.
 */
export const CONNECTOR_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*$';

/** `<connector>.<action>`, each a {@link CONNECTOR_NAME_PATTERN} name. */
export const ACTION_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*\\.[A-Za-z_][A-Za-z0-9_-]*$';

/** RFC 9110 `token`, as a header name. */
const HEADER_NAME_PATTERN = HTTP_TOKEN_PATTERN;

/** The shortest poll interval, in seconds. */
export const MIN_POLL_INTERVAL = 1;

const STEP_KIND_MESSAGE = 'needs apispec (an HTTP call) or action (a connector action, <connector>.<action>)';

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
        default: WORKFLOW_DEFAULTS.method,
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
          pattern: HEADER_NAME_PATTERN,
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
      json_body: anyTemplated(
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

function triggerSchema(): JsonSchemaNode {
  const kinds = 'must hold exactly one of schedule, webhook or poll';
  return {
    description:
      'What starts runs besides `POST /v1/workflows/{uid}/runs` (always available): exactly one of ' +
      '`schedule`, `webhook` or `poll`. Triggers run under `sluice serve` once the trigger is enabled.',
    type: 'object',
    errorMessage: kinds,
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    properties: {
      schedule: {
        description: 'Start a run at each time a cron expression matches.',
        type: 'object',
        errorMessage: 'must be an object with a cron expression (cron, timezone, input)',
        additionalProperties: false,
        required: ['cron'],
        properties: {
          cron: {
            description:
              'A cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first), in croner ' +
              'syntax: `*/15 * * * *`, `0 9 * * MON-FRI`, `@daily`.',
            type: 'string',
            minLength: 1,
            examples: ['0 * * * *', '0 9 * * MON-FRI'],
            errorMessage: 'must be a cron expression string, e.g. "0 9 * * MON-FRI"',
          },
          timezone: {
            description: 'The IANA time zone the cron times are in, e.g. `Europe/Paris`. Default: UTC.',
            type: 'string',
            minLength: 1,
            default: 'UTC',
            examples: ['UTC', 'Europe/Paris', 'America/New_York'],
            errorMessage: 'must be an IANA time zone name, e.g. Europe/Paris',
          },
          input: {
            description: '`INPUT` of each scheduled run (any JSON value, not a template). Default: `{}`.',
          },
        },
      },
      webhook: {
        description:
          'Start a run for each `POST /v1/hooks/{uid}/{secret}`, with the JSON body as `INPUT`. `{}` (or ' +
          'empty) for no options.',
        type: ['object', 'null'],
        errorMessage: 'must be an object of webhook options (hmac_header), or {} for none',
        additionalProperties: false,
        properties: {
          hmac_header: {
            description:
              "When set, a request must carry this header with the hex HMAC-SHA256 of the raw body, keyed with the workflow's hook secret (optionally prefixed `sha256=`).",
            type: 'string',
            pattern: HEADER_NAME_PATTERN,
            examples: ['X-Signature'],
            errorMessage:
              "must be a header name (letters, digits and !#$%&'*+-.^_`|~ only), e.g. X-Signature",
          },
        },
      },
      poll: {
        description:
          "Poll a connector's trigger; each new record starts one run, with the record as `INPUT`.",
        type: 'object',
        errorMessage: 'must be an object naming a connector trigger (connector, trigger, connection, ...)',
        additionalProperties: false,
        required: ['connector', 'trigger'],
        properties: {
          connector: {
            description: 'The connector, as `GET /v1/connectors` lists it.',
            type: 'string',
            pattern: CONNECTOR_NAME_PATTERN,
            examples: ['my_app'],
            errorMessage: 'must be a connector name (ASCII letters, digits, _ and -)',
          },
          trigger: {
            description: "The trigger's name in the connector.",
            type: 'string',
            pattern: CONNECTOR_NAME_PATTERN,
            examples: ['new_customers'],
            errorMessage: 'must be a trigger name (ASCII letters, digits, _ and -)',
          },
          connection: {
            description:
              'The name of the stored connection to poll with. Needed when the connector has connection fields.',
            type: 'string',
            minLength: 1,
            errorMessage: 'must be a non-empty string: the name of a stored connection',
          },
          input: {
            description: "The trigger's input (any JSON value, not a template). Default: `{}`.",
          },
          interval: {
            description: `Seconds between poll cycles, at least ${MIN_POLL_INTERVAL}. Default: 60.`,
            type: 'number',
            minimum: MIN_POLL_INTERVAL,
            default: 60,
            examples: [60, 300],
            errorMessage: `must be a number of seconds, at least ${MIN_POLL_INTERVAL}`,
          },
        },
      },
    },
  };
}

function stepSchema(): JsonSchemaNode {
  return {
    description:
      'One named step: an HTTP call (`apispec`) or a connector action (`action`), run once, or once per ' +
      'item of its `input` list.',
    type: 'object',
    errorMessage: 'must be an object (a step with a name and an apispec or an action)',
    additionalProperties: false,
    required: ['name'],
    anyOf: [
      { required: ['apispec'], errorMessage: STEP_KIND_MESSAGE },
      { required: ['action'], errorMessage: STEP_KIND_MESSAGE },
    ],
    // `type` too: `required` holds for any non-object, and `not` would then fail on one.
    not: {
      type: 'object',
      required: ['apispec', 'action'],
      errorMessage:
        'apispec and action cannot both be set: a step is either an HTTP call or a connector action',
    },
    // A connection is for an action; an action's HTTP calls retry as its connector says, not by `retry`.
    dependencies: { connection: ['action'], retry: ['apispec'] },
    defaultSnippets: [
      {
        label: 'step',
        description: 'a step with an HTTP call',
        // A snippet tab stop (`${3:GET}`), not a JavaScript placeholder.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code snippet syntax
        body: { name: '$1', apispec: { url: '$2', method: '${3:GET}' } },
      },
      {
        label: 'action step',
        description: 'a step that runs a connector action with a stored connection',
        body: { name: '$1', action: '$2', connection: '$3', input: {} },
      },
    ],
    properties: {
      name: {
        description:
          'The step name, unique within the workflow; templates read its output as `STEPS.<name>.output`. ' +
          'ASCII letters, digits and `_`, not starting with a digit; not `__proto__`.',
        type: 'string',
        pattern: STEP_NAME_PATTERN,
        not: { const: RESERVED_STEP_NAME, errorMessage: RESERVED_STEP_NAME_MESSAGE },
        errorMessage:
          'must be a step name: a string of ASCII letters, digits and _, not starting with a digit',
        patternErrorMessage:
          'must hold only ASCII letters, digits and _, and not start with a digit, so that STEPS.<name> works in templates',
      },
      action: {
        description:
          'A connector action, `<connector>.<action>` (as `GET /v1/connectors` lists them), run in-process ' +
          'with the rendered `input` as its input. Not together with `apispec`. Not a template.',
        type: 'string',
        pattern: ACTION_PATTERN,
        examples: ['my_app.get_customer_by_id'],
        errorMessage: 'must be <connector>.<action>, e.g. my_app.get_customer_by_id',
      },
      connection: {
        description:
          'The name of the stored connection (`POST /v1/connections`) the action runs with; only with ' +
          '`action`. Needed when the connector has connection fields. Not a template.',
        type: 'string',
        minLength: 1,
        examples: ['my_app_prod'],
        errorMessage: 'must be a non-empty string: the name of a stored connection',
      },
      apispec: apispecSchema(),
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

const WORKFLOW_SCHEMA: JsonSchemaNode = {
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
    trigger: triggerSchema(),
    steps: {
      description: 'The steps, run in order. Step names are unique.',
      type: 'array',
      minItems: 1,
      items: stepSchema(),
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
      description: 'Stored field: when the workflow was created (RFC 3339 date-time). Set by the store.',
      type: 'string',
      format: 'date-time',
      errorMessage: 'must be an RFC 3339 date-time, e.g. 2024-05-01T12:00:00Z',
    },
    updated: {
      description: 'Stored field: when the workflow was last changed (RFC 3339 date-time). Set by the store.',
      type: 'string',
      format: 'date-time',
      errorMessage: 'must be an RFC 3339 date-time, e.g. 2024-05-01T12:00:00Z',
    },
    deleted: {
      description: 'Stored field: `true` once the workflow is deleted (soft delete). Set by the store.',
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

/** The schema as the validator runs it; never handed out (see {@link workflowJsonSchema}). @internal */
export const WORKFLOW_SCHEMA_SOURCE: JsonSchemaNode = WORKFLOW_SCHEMA;

/**
 * The published JSON Schema (draft-07) of the workflow document, as `sluice schema workflow` prints it
 * and `packages/engine/schema/workflow.schema.json` holds it. A fresh copy on each call.
 *
 * It describes every field (editors show the descriptions) and checks the shape; `parseWorkflow` also
 * checks what a schema cannot: unique step names, URLs, templates, and the SDK's retry rules.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  return structuredClone(WORKFLOW_SCHEMA);
}
