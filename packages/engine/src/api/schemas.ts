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
