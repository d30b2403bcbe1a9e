/**
 * Errors of `@sluice/server`. Each failure a service author or user can cause has a class and a stable
 * `SLUICE_*` code, listed in `docs/errors.md` (section `@sluice/server`). They extend the SDK's
 * {@link SluiceError}, so `isSluiceError(err, code)` works on them too.
 *
 * {@link ManagedError} is the one a route handler throws on purpose: it answers with its own status code.
 * The others stop the server at start-up (a bad config file, a route file that does not load, two routes
 * on the same URL) or when it cannot listen.
 *
 * @module
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/sdk';

/** The codes the server raises, each with what it means. Retired codes are never reused. */
export const SERVER_ERROR_CODES = {
  SLUICE_MANAGED_VALIDATION: 'ManagedError.validationError: the request is invalid (400)',
  SLUICE_MANAGED_UNAUTHORIZED: 'ManagedError.unauthorized: the caller is not authenticated (401)',
  SLUICE_MANAGED_FORBIDDEN: 'ManagedError.forbidden: the caller may not do this (403)',
  SLUICE_MANAGED_NOT_FOUND: 'ManagedError.notFound: a resource the request names does not exist (404)',
  SLUICE_MANAGED_SERVER_ERROR: 'ManagedError.serverError: the service failed (500)',
  SLUICE_MANAGED_SERVICE_ERROR: 'ManagedError.serviceError: a service the route calls failed (502)',
  SLUICE_MANAGED_ERROR: 'a ManagedError built with its own status code',
  SLUICE_ROUTE_LOAD: 'a route file cannot be loaded (syntax error, throws while loading, missing import)',
  SLUICE_ROUTE_INVALID: 'a route definition is malformed (path, methods, handler)',
  SLUICE_ROUTE_DUPLICATE: 'two routes have the same method and URL',
  SLUICE_ROUTE_SCHEMA:
    'a schema.json is not JSON, not a valid JSON Schema, or a module schema field lacks id/type',
  SLUICE_ROUTE_DIR: 'the configured routes directory does not exist or is not a folder',
  SLUICE_CONFIG_FILE: 'the config file (or .env) cannot be read',
  SLUICE_CONFIG_PARSE: 'the config file is not valid YAML',
  SLUICE_CONFIG_UNKNOWN_KEY:
    '.env or the router options name a setting that does not exist (in app_config.yaml it is a warning)',
  SLUICE_CONFIG_INVALID: 'a setting has the wrong type or value',
  SLUICE_SERVER_LISTEN: 'the server cannot listen on the configured host and port',
} as const;

/** A stable error code of the server. */
export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

/** The codes a {@link ManagedError} carries. */
export type ManagedErrorCode = Extract<ServerErrorCode, `SLUICE_MANAGED_${string}`>;

/** Any server error without fields of its own. */
export class ServerError extends SluiceError {
  declare readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(code, message, options);
  }
}

const MANAGED_ERROR = Symbol.for('sluice.server.managed-error');

/** What {@link ManagedError}'s constructor takes. */
export interface ManagedErrorInit {
  /** The `error` text of the response. */
  error: string;
  /** The HTTP status of the response. */
  statusCode: number;
  /** Sent as the response's `data`. @default {} */
  data?: unknown;
  /** Merged into the response's `metadata`, beside `timestamp`, `environment` and `stack_trace` (which win). */
  metadata?: Record<string, unknown> | undefined;
  /** @default 'SLUICE_MANAGED_ERROR' */
  code?: ManagedErrorCode;
  hint?: string;
  cause?: unknown;
}

/**
 * An error a route handler throws on purpose. The server answers with its `statusCode` and the error shape
 * `{"error": message, "data": data or {}, "status_code": statusCode, "metadata": {...}}`. Use the static
 * constructors (each takes `metadata` last, like workflows-cdk's); `new ManagedError` is there for the
 * other statuses.
 *
 * `instanceof ManagedError` works across copies of `@sluice/server` (a route file may load its own copy).
 *
 * @example
 * throw ManagedError.notFound('Customer', id); // 404 {"error": "Customer not found: 42", ...}
 */
export class ManagedError extends SluiceError {
  declare readonly code: ManagedErrorCode;
  /** The HTTP status the server answers with. */
  readonly statusCode: number;
  /** Sent as the response's `data`; `undefined` sends `{}`. */
  readonly data: unknown;
  /** Merged into the response's `metadata`. */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;

  constructor(init: ManagedErrorInit) {
    super(init.code ?? 'SLUICE_MANAGED_ERROR', init.error, { hint: init.hint, cause: init.cause });
    if (!Number.isInteger(init.statusCode) || init.statusCode < 400 || init.statusCode > 599) {
      throw new TypeError(
        `ManagedError statusCode must be an integer from 400 to 599, got ${init.statusCode}`,
      );
    }
    this.statusCode = init.statusCode;
    this.data = init.data;
    this.metadata = init.metadata === undefined ? undefined : Object.freeze({ ...init.metadata });
    Object.defineProperty(this, MANAGED_ERROR, { value: true });
  }

  /** The request is invalid (workflows-cdk `validation_error`): 400, `data` as given (for instance the failing fields). */
  static validationError(error: string, data?: unknown, metadata?: Record<string, unknown>): ManagedError {
    return new ManagedError({ error, statusCode: 400, data, metadata, code: 'SLUICE_MANAGED_VALIDATION' });
  }

  /** 404 with error `"<resource> not found: <identifier>"` and data `{ resource, identifier }` (workflows-cdk `not_found`). */
  static notFound(
    resource: string,
    identifier: string | number,
    metadata?: Record<string, unknown>,
  ): ManagedError {
    return new ManagedError({
      error: `${resource} not found: ${identifier}`,
      statusCode: 404,
      data: { resource, identifier },
      metadata,
      code: 'SLUICE_MANAGED_NOT_FOUND',
    });
  }

  /**
   * 404 with your own `error` text, data `{ identifier }` and metadata `{ error_type: 'not_found', resource }`
   * (workflows-cdk `not_found_error`, which answers 400 there: it forgets the status).
   */
  static notFoundError(
    error: string,
    resource: string,
    identifier: string | number,
    metadata?: Record<string, unknown>,
  ): ManagedError {
    return new ManagedError({
      error,
      statusCode: 404,
      data: { identifier },
      metadata: { error_type: 'not_found', resource, ...metadata },
      code: 'SLUICE_MANAGED_NOT_FOUND',
    });
  }

  /** 401: the caller is not authenticated. @default message 'Unauthorized' */
  static unauthorized(message = 'Unauthorized', metadata?: Record<string, unknown>): ManagedError {
    return new ManagedError({
      error: message,
      statusCode: 401,
      metadata,
      code: 'SLUICE_MANAGED_UNAUTHORIZED',
    });
  }

  /** 403: the caller may not do this. @default message 'Forbidden' */
  static forbidden(message = 'Forbidden', metadata?: Record<string, unknown>): ManagedError {
    return new ManagedError({ error: message, statusCode: 403, metadata, code: 'SLUICE_MANAGED_FORBIDDEN' });
  }

  /** 500: the service itself failed (workflows-cdk `server_error`). */
  static serverError(error: string, metadata?: Record<string, unknown>): ManagedError {
    return new ManagedError({ error, statusCode: 500, metadata, code: 'SLUICE_MANAGED_SERVER_ERROR' });
  }

  /**
   * 502 with error `"<service> service error: <error>"`, data `{ service }` (or the `data` you give) and
   * metadata `{ error_type: 'service', service }`: an upstream call failed. workflows-cdk's `service_error`
   * answers 400 with the error text as given; a failed upstream is a 502 here, on purpose.
   */
  static serviceError(
    error: string,
    service: string,
    data?: unknown,
    metadata?: Record<string, unknown>,
  ): ManagedError {
    return new ManagedError({
      error: `${service} service error: ${error}`,
      statusCode: 502,
      data: data ?? { service },
      metadata: { error_type: 'service', service, ...metadata },
      code: 'SLUICE_MANAGED_SERVICE_ERROR',
    });
  }

  /** Brand check, so a ManagedError from another copy of the package is recognised. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && MANAGED_ERROR in value;
  }
}

/**
 * A route file or the routes directory is wrong: the file does not load, a route is malformed, two routes
 * clash, or a `schema.json` is invalid. Start-up stops. `file` is the file at fault (relative to the
 * project when it is inside it); `files` lists both files of a duplicate.
 */
export class RouteDiscoveryError extends SluiceError {
  declare readonly code: Extract<ServerErrorCode, `SLUICE_ROUTE_${string}`>;
  readonly file: string;
  readonly files: readonly string[];

  constructor(
    code: Extract<ServerErrorCode, `SLUICE_ROUTE_${string}`>,
    file: string,
    message: string,
    options: SluiceErrorOptions & { files?: readonly string[] } = {},
  ) {
    super(code, message, options);
    this.file = file;
    this.files = options.files ?? [file];
  }
}

/**
 * A setting is wrong: the config file does not parse, names an unknown key, or a value has the wrong type
 * (in the file, `.env`, a `SLUICE_*` variable or the router options). The message names the key, the
 * source and the line when there is one.
 */
export class ConfigError extends SluiceError {
  declare readonly code: Extract<ServerErrorCode, `SLUICE_CONFIG_${string}`>;
  /** The file (or `environment`, `router options`) the bad value came from. */
  readonly source: string;
  /** The setting's path, as `app_settings.port`. */
  readonly key: string | undefined;
  /** 1-based line in the file, when known. */
  readonly line: number | undefined;

  constructor(
    code: Extract<ServerErrorCode, `SLUICE_CONFIG_${string}`>,
    message: string,
    options: SluiceErrorOptions & { source: string; key?: string; line?: number },
  ) {
    super(code, message, options);
    this.source = options.source;
    this.key = options.key;
    this.line = options.line;
  }
}
