/**
 * API errors: the ONE table from error codes to HTTP statuses, and the reply body every error takes,
 * `{"error": {"code", "message", "details"}}`. Fastify's own errors (body limit, content type, schema
 * validation, router limits) are translated to Sluice codes first. A 500 never carries the failure's
 * message (it may name the database file or other internals): it says "internal error" and the request
 * id, and the cause goes to the log at `error`.
 *
 * @module
 */
import { isSluiceError } from '@sluice/sdk';
import { type EngineErrorCode, WorkflowParseError } from '../errors.js';
import { MAX_PARAM_LENGTH } from './schemas.js';

/** The HTTP status of each code an API answer can carry; any other error is a 500. */
export const API_STATUS_BY_CODE: Readonly<Partial<Record<EngineErrorCode, number>>> = Object.freeze({
  SLUICE_WORKFLOW_PARSE: 400,
  SLUICE_WORKFLOW_INVALID: 400,
  SLUICE_API_BAD_REQUEST: 400,
  SLUICE_CONNECTION: 400,
  SLUICE_CONNECTOR_UNKNOWN: 400,
  SLUICE_API_UNAUTHORIZED: 401,
  SLUICE_HOOK_SIGNATURE: 401,
  SLUICE_API_FORBIDDEN: 403,
  SLUICE_API_NOT_FOUND: 404,
  SLUICE_WORKFLOW_CONFLICT: 409,
  SLUICE_RUN_STATE: 409,
  SLUICE_API_TIMEOUT: 408,
  SLUICE_API_BODY_TOO_LARGE: 413,
  SLUICE_API_URI_TOO_LONG: 414,
  SLUICE_API_MEDIA_TYPE: 415,
  SLUICE_API_EXPECTATION: 417,
  SLUICE_RUN_INPUT: 422,
  SLUICE_CONNECTION_TEST: 422,
  SLUICE_STEP_TEST_UNSUPPORTED: 422,
  SLUICE_HOOK_SUBSCRIBE: 422,
  SLUICE_HOOK_NOTIFICATION: 422,
  SLUICE_API_HEADERS_TOO_LARGE: 431,
  SLUICE_API_INTERNAL: 500,
  SLUICE_ENGINE_CLOSED: 503,
});

/** The body of an error answer. */
export interface ApiErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** Fastify's codes, as Sluice codes. */
const FASTIFY_CODES: Readonly<Record<string, EngineErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'SLUICE_API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'SLUICE_API_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SLUICE_API_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SLUICE_API_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'SLUICE_API_BAD_REQUEST',
  FST_ERR_VALIDATION: 'SLUICE_API_BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'SLUICE_API_URI_TOO_LONG',
  FST_ERR_BAD_URL: 'SLUICE_API_BAD_REQUEST',
};

/** Messages of our own for Fastify errors whose message repeats the whole (possibly huge) path. */
const FASTIFY_MESSAGES: Readonly<Record<string, { message: string; hint: string }>> = {
  FST_ERR_MAX_PARAM_LENGTH: {
    message: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`,
    hint: `uids, names and ids are at most ${MAX_PARAM_LENGTH} characters`,
  },
  FST_ERR_BAD_URL: {
    message: 'the URL path is not valid percent-encoded UTF-8',
    hint: 'percent-encode the path parameters (encodeURIComponent)',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    message: 'the body has no Content-Type, or one the API does not read',
    hint:
      'send JSON with Content-Type: application/json, or a workflow in YAML with Content-Type: application/yaml ' +
      '(curl -d sends application/x-www-form-urlencoded: add -H "Content-Type: application/yaml")',
  },
};

interface FastifyLikeError {
  code?: unknown;
  message?: unknown;
  validation?: { instancePath?: string; message?: string; params?: { additionalProperty?: unknown } }[];
  validationContext?: string;
}

/** The answer to a failure the caller did not cause: the request id (in the log with the cause), no message. */
function internalError(requestId: string | undefined): { status: number; body: ApiErrorBody } {
  const details = requestId === undefined ? null : { request_id: requestId };
  return {
    status: 500,
    body: { error: { code: 'SLUICE_API_INTERNAL', message: 'internal error', details } },
  };
}

/**
 * The status and body answering `err`. A 500 hides the message (it may hold internals, such as the
 * database file) and names `requestId` instead.
 */
export function errorReply(err: unknown, requestId?: string): { status: number; body: ApiErrorBody } {
  if (isSluiceError(err)) {
    const code = err.code as EngineErrorCode;
    const status = API_STATUS_BY_CODE[code] ?? 500;
    if (status === 500) return internalError(requestId);
    const details =
      err instanceof WorkflowParseError
        ? { problems: err.problems, ...(err.omitted > 0 ? { omitted: err.omitted } : {}) }
        : ((err as { details?: unknown }).details ?? (err.hint === undefined ? null : { hint: err.hint }));
    return { status, body: { error: { code, message: err.message, details } } };
  }
  const fastify = (err ?? {}) as FastifyLikeError;
  const code = typeof fastify.code === 'string' ? FASTIFY_CODES[fastify.code] : undefined;
  if (code !== undefined) {
    const where = fastify.validationContext ?? 'body';
    const details =
      fastify.validation === undefined
        ? null
        : {
            problems: fastify.validation.map((v) => ({
              // An unknown property is named in the path (`querystring.page`), not only "additional properties".
              path: `${where}${(v.instancePath ?? '').replace(/\//g, '.')}${
                typeof v.params?.additionalProperty === 'string' ? `.${v.params.additionalProperty}` : ''
              }`,
              message: v.message ?? 'is invalid',
            })),
          };
    const own = typeof fastify.code === 'string' ? FASTIFY_MESSAGES[fastify.code] : undefined;
    return {
      status: API_STATUS_BY_CODE[code] ?? 400,
      body: {
        error: {
          code,
          message: own?.message ?? String(fastify.message ?? code),
          details: own === undefined ? details : { hint: own.hint },
        },
      },
    };
  }
  return internalError(requestId);
}
