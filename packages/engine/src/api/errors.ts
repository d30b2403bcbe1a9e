/**
 * API errors: the ONE table from error codes to HTTP statuses, and the reply body every error takes,
 * `{"error": {"code", "message", "details"}}`. Fastify's own errors (body limit, content type, schema
 * validation) are translated to Sluice codes first.
 *
 * @module
 */
import { isSluiceError } from '@sluice/sdk';
import { type EngineErrorCode, WorkflowParseError } from '../errors.js';

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
  SLUICE_API_BODY_TOO_LARGE: 413,
  SLUICE_API_MEDIA_TYPE: 415,
  SLUICE_RUN_INPUT: 422,
  SLUICE_CONNECTION_TEST: 422,
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
};

interface FastifyLikeError {
  code?: unknown;
  message?: unknown;
  validation?: { instancePath?: string; message?: string; params?: { additionalProperty?: unknown } }[];
  validationContext?: string;
}

/** The status and body answering `err`. Unknown errors hide their message (it may hold internals). */
export function errorReply(err: unknown): { status: number; body: ApiErrorBody } {
  if (isSluiceError(err)) {
    const code = err.code as EngineErrorCode;
    const status = API_STATUS_BY_CODE[code] ?? 500;
    const details =
      err instanceof WorkflowParseError
        ? { problems: err.problems }
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
    return {
      status: API_STATUS_BY_CODE[code] ?? 400,
      body: { error: { code, message: String(fastify.message ?? code), details } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'SLUICE_API_INTERNAL', message: 'internal error', details: null } },
  };
}
