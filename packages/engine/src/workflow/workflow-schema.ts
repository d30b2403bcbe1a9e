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

const TEMPLATES = 'Strings in it are Jinja templates, rendered for each step item.';

const anyTemplated = (description: string): JsonSchemaNode => ({ description });

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
        description: `Request headers: an object of names to values, or a template string that renders to one. ${TEMPLATES}`,
        type: ['object', 'string'],
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

function stepSchema(): JsonSchemaNode {
  return {
    description: 'One named step: an HTTP call, run once, or once per item of its `input` list.',
    type: 'object',
    errorMessage: 'must be an object (a step with a name and an apispec)',
    additionalProperties: false,
    required: ['name', 'apispec'],
    defaultSnippets: [
      {
        label: 'step',
        description: 'a step with an HTTP call',
        // A snippet tab stop (`${3:GET}`), not a JavaScript placeholder.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: VS Code snippet syntax
        body: { name: '$1', apispec: { url: '$2', method: '${3:GET}' } },
      },
    ],
    properties: {
      name: {
        description:
          'The step name, unique within the workflow; templates read its output as `STEPS.<name>.output`. ' +
          'ASCII letters, digits and `_`, not starting with a digit.',
        type: 'string',
        pattern: STEP_NAME_PATTERN,
        errorMessage:
          'must be a step name: a string of ASCII letters, digits and _, not starting with a digit',
        patternErrorMessage:
          'must hold only ASCII letters, digits and _, and not start with a digit, so that STEPS.<name> works in templates',
      },
      apispec: apispecSchema(),
      input: anyTemplated(
        'Rendered first. A list runs the step once per item (`CURRENT_STEP.input`, `CURRENT_STEP.index`); ' +
          `anything else runs it once. ${TEMPLATES}`,
      ),
      output: anyTemplated(
        'Rendered after the call (`CURRENT_STEP.response` is set); becomes `STEPS.<name>.output`. Default: ' +
          `the response body, parsed when it is JSON. ${TEMPLATES}`,
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
        "The step's retry settings (urllib3 Retry fields); they override `default_retry` field by field.",
      ),
    },
  };
}

const WORKFLOW_SCHEMA: JsonSchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Sluice workflow',
  description:
    'A Sluice workflow: named steps, each an HTTP call, with urllib3 retries, concurrency and Jinja ' +
    'templates. See docs/workflows.md.',
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
