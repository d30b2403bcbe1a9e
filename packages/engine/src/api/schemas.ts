/**
 * JSON Schemas shared by the routes (request validation and the OpenAPI document).
 *
 * @internal
 * @module
 */

/** `{"error": {"code", "message", "details"}}`. */
export const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message', 'details'],
    },
  },
  required: ['error'],
} as const;

/** Any JSON object (the answer is built by the route, documented in `docs/service.md`). */
export const OBJECT_SCHEMA = { type: 'object', additionalProperties: true } as const;

/** The error answers every authenticated route may give. */
export const ERROR_RESPONSES = {
  400: ERROR_SCHEMA,
  401: ERROR_SCHEMA,
  404: ERROR_SCHEMA,
} as const;

/** A workflow uid in a path: letters, digits, `_`, `-`, `.`, at most 128. */
export const UID_PATTERN = '^[A-Za-z0-9_.-]{1,128}$';

/**
 * The longest path parameter the router takes, as sent (percent-encoded): uids, names and ids are at
 * most 128 characters, so a longer one answers 414 `SLUICE_API_URI_TOO_LONG` before any route runs.
 */
export const MAX_PARAM_LENGTH = 128;

/** The largest workflow version a query takes (PostgreSQL's `integer`). */
export const MAX_VERSION = 2_147_483_647;

/** `{ uid }` path parameters. */
export const UID_PARAMS = {
  type: 'object',
  properties: { uid: { type: 'string', pattern: UID_PATTERN } },
  required: ['uid'],
} as const;

/** `?wait=true`. */
export const WAIT_QUERY = {
  type: 'object',
  properties: {
    wait: {
      type: 'boolean',
      description: 'wait for the run to end, up to the service limit (30 s by default)',
    },
  },
  additionalProperties: false,
} as const;

/** The security requirement of every `/v1` route. */
export const BEARER = [{ bearer: [] }];

/** Header values as recorded: a string, or the strings of a repeated response header. */
const RECORDED_HEADERS = {
  type: 'object',
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
} as const;

/** The body fields of a recorded request or response. */
const RECORDED_BODY = {
  body: { type: 'string', description: 'the start of the body, redacted: text, or base64 (see encoding)' },
  encoding: { type: 'string', enum: ['utf-8', 'base64'] },
  body_bytes: { type: 'integer', description: 'the size of the whole body' },
  cut: { type: 'boolean', description: 'only the first 64 KiB of the body is kept' },
  headers_cut: { type: 'boolean', description: 'a header value was cut at 8 KiB' },
} as const;

/** One attempt of `GET /v1/runs/{id}/attempts` (`AttemptView`). */
const ATTEMPT_SCHEMA = {
  type: 'object',
  properties: {
    step: { type: 'string' },
    step_index: { type: 'integer' },
    item_index: { type: 'integer' },
    attempt: { type: 'integer', description: 'the attempt of the item, from 1' },
    exchange: {
      type: 'integer',
      description: 'the HTTP request of the attempt, from 1 (a connector action may send several)',
    },
    page: { type: 'integer' },
    started_at: { type: 'string' },
    duration_ms: { type: 'number' },
    wait_ms: { type: 'number' },
    status: { type: 'integer' },
    error: { type: 'string' },
    pruned: {
      type: 'boolean',
      description: 'the request and response are not kept (past the retention, or retention 0)',
    },
    request: {
      type: 'object',
      properties: {
        method: { type: 'string' },
        url: { type: 'string' },
        headers: RECORDED_HEADERS,
        ...RECORDED_BODY,
      },
      required: ['method', 'url', 'headers', 'body', 'encoding', 'body_bytes', 'cut'],
    },
    response: {
      type: 'object',
      properties: { status: { type: 'integer' }, headers: RECORDED_HEADERS, ...RECORDED_BODY },
      required: ['status', 'headers', 'body', 'encoding', 'body_bytes', 'cut'],
    },
  },
  required: ['step', 'step_index', 'item_index', 'attempt', 'started_at', 'duration_ms', 'wait_ms'],
} as const;

/** `GET /v1/runs/{id}/attempts` (`AttemptsView`). */
export const ATTEMPTS_SCHEMA = {
  type: 'object',
  properties: { run_id: { type: 'string' }, attempts: { type: 'array', items: ATTEMPT_SCHEMA } },
  required: ['run_id', 'attempts'],
} as const;

/** `GET`/`PUT /v1/settings` (`WorkspaceSettingsView`). */
export const SETTINGS_SCHEMA = {
  type: 'object',
  properties: {
    workspace_id: { type: 'string' },
    attempt_retention_days: {
      type: 'integer',
      description: 'days the requests and responses of attempts are kept (0: not recorded)',
    },
    updated_at: { type: ['string', 'null'] },
    updated_by: { type: ['string', 'null'] },
  },
  required: ['workspace_id', 'attempt_retention_days', 'updated_at', 'updated_by'],
} as const;
