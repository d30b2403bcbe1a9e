/**
 * Turns whatever a request ends with (a thrown `ManagedError`, a failed validation, malformed JSON, an SDK
 * error, any other exception) into one {@link ManagedError}, so every error answers in the same shape and
 * with a fitting status. Pure.
 *
 * @module
 */
import { isSluiceError } from '@sluice/sdk';
import type { ErrorObject } from 'ajv';
import { ManagedError } from './errors.js';
import { type FieldProblem, fieldProblems } from './validation/request-schema.js';

/** A failed request as the server answers it, and whether it goes to Sentry. */
export interface ClassifiedError {
  readonly managed: ManagedError;
  /** False for malformed requests that never reached the handler (bad JSON, failed validation). */
  readonly report: boolean;
}

type FastifyLikeError = Error & {
  code?: unknown;
  statusCode?: unknown;
  validation?: ErrorObject[];
  validationContext?: string;
};

/** Classifies an error thrown while handling a request. */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof ManagedError) return { managed: err, report: true };
  const e = err as FastifyLikeError;
  if (err instanceof Error && Array.isArray(e.validation)) {
    const problems = fieldProblems(e.validation, e.validationContext ?? 'body');
    return { managed: invalidRequest(problems, err), report: false };
  }
  if (err instanceof Error && typeof e.code === 'string' && e.code.startsWith('FST_ERR_')) {
    const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
    return { managed: fromFastify(e, status), report: status >= 500 };
  }
  if (err instanceof SyntaxError && e.statusCode === 400) {
    return { managed: badJson(err.message, err), report: false };
  }
  if (isSluiceError(err)) return { managed: fromSluiceError(err), report: true };
  const message = err instanceof Error ? err.message : String(err);
  return {
    managed: new ManagedError({
      error: message === '' ? 'Internal server error' : message,
      statusCode: 500,
      code: 'SLUICE_MANAGED_SERVER_ERROR',
      cause: err,
    }),
    report: true,
  };
}

/** `ManagedError.validationError` listing every failing field, as `data: { errors: [...] }`. */
export function invalidRequest(problems: readonly FieldProblem[], cause?: unknown): ManagedError {
  const text = problems.map((p) => `${p.path} ${p.message}`).join('; ');
  const managed = ManagedError.validationError(`Invalid request: ${text || 'the body is not valid'}`, {
    errors: problems,
  });
  if (cause !== undefined) Object.defineProperty(managed, 'cause', { value: cause });
  return managed;
}

function badJson(detail: string, cause: unknown): ManagedError {
  return new ManagedError({
    error: `Request body is not valid JSON: ${detail}`,
    statusCode: 400,
    code: 'SLUICE_MANAGED_VALIDATION',
    cause,
  });
}

const FASTIFY_MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_EMPTY_JSON_BODY:
    'Request body is empty but content-type is application/json: send a JSON object',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content-type: send the body as application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
};

function fromFastify(err: FastifyLikeError, status: number): ManagedError {
  if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return badJson('check the syntax (quotes, commas, brackets)', err);
  }
  const error = FASTIFY_MESSAGES[String(err.code)] ?? err.message;
  return new ManagedError({
    error,
    statusCode: status >= 400 && status <= 599 ? status : 500,
    code: status === 400 ? 'SLUICE_MANAGED_VALIDATION' : 'SLUICE_MANAGED_ERROR',
    cause: err,
  });
}

type SluiceLike = Error & {
  code: string;
  status?: unknown;
  url?: unknown;
  problems?: readonly { path: string; message: string }[];
};

/** SDK errors: bad input is a 400, a failed upstream call a 502 (or its 401/403/404), others a 500. */
function fromSluiceError(err: SluiceLike): ManagedError {
  const wrap = (statusCode: number, error: string, code: ManagedError['code'], data?: unknown) =>
    new ManagedError({ error, statusCode, code, data, cause: err });
  if (err.code.startsWith('SLUICE_FIELD_') && err.code !== 'SLUICE_FIELD_NOTATION') {
    const problems = (err.problems ?? [{ path: 'data', message: err.message }]).map((p) => ({
      path: p.path.replace(/^input(?=\.|\[|$)/, 'data'),
      message: p.message,
    }));
    return invalidRequest(problems, err);
  }
  if (err.code === 'SLUICE_HTTP_STATUS' && typeof err.status === 'number') {
    if (err.status === 401) return wrap(401, err.message, 'SLUICE_MANAGED_UNAUTHORIZED');
    if (err.status === 403) return wrap(403, err.message, 'SLUICE_MANAGED_FORBIDDEN');
    if (err.status === 404) return wrap(404, err.message, 'SLUICE_MANAGED_NOT_FOUND');
  }
  if (err.code.startsWith('SLUICE_HTTP_')) {
    const service = serviceName(err.url);
    return wrap(502, `${service} service error: ${err.message}`, 'SLUICE_MANAGED_SERVICE_ERROR', { service });
  }
  if (err.code === 'SLUICE_AUTH_FAILED') return wrap(401, err.message, 'SLUICE_MANAGED_UNAUTHORIZED');
  if (err.code === 'SLUICE_CONNECTOR_PATH') return wrap(404, err.message, 'SLUICE_MANAGED_NOT_FOUND');
  if (err.code === 'SLUICE_TRIGGER_STATE') return wrap(400, err.message, 'SLUICE_MANAGED_VALIDATION');
  return wrap(500, err.message, 'SLUICE_MANAGED_SERVER_ERROR');
}

function serviceName(url: unknown): string {
  try {
    return new URL(String(url)).host || 'upstream';
  } catch {
    return 'upstream';
  }
}
