/**
 * Errors of `@sluice/sdk`. Every failure a connector author or user can cause has a class and a stable
 * `SLUICE_*` code listed in `docs/errors.md`. Classes are branded with `Symbol.for`, so
 * {@link isSluiceError} works even when a connector resolves its own copy of the SDK.
 *
 * @module
 */

const SLUICE_ERROR = Symbol.for('sluice.error');

/** The codes the SDK raises, each with what it means. Retired codes are never reused. */
export const SDK_ERROR_CODES = {
  SLUICE_FIELD_REQUIRED: 'a required field is missing',
  SLUICE_FIELD_TYPE: 'a field has the wrong type',
  SLUICE_FIELD_INVALID: 'a field value is not accepted (format, enum, pattern, ...)',
  SLUICE_FIELD_NOTATION: 'a field definition itself is wrong (unknown type, missing name, ...)',
  SLUICE_HTTP_STATUS: 'the server answered with a status of 400 or more',
  SLUICE_HTTP_CONNECT: 'the connection could not be made (refused, DNS, connect timeout)',
  SLUICE_HTTP_READ: 'the connection broke or timed out while reading the response',
  SLUICE_HTTP_TIMEOUT: 'the request timed out',
  SLUICE_HTTP_REDIRECT: 'too many redirects, or a redirect without a usable Location',
  SLUICE_HTTP_OTHER: 'the request failed for another reason (bad URL, TLS, protocol)',
  SLUICE_HTTP_MAX_RETRIES: 'the retry policy gave up; `reason` says on what',
  SLUICE_HTTP_RESPONSE_FORMAT: 'the response body does not parse as the expected format (JSON, XML)',
  SLUICE_HTTP_URL: 'the request URL is invalid, or relative without a base URI',
  SLUICE_HTTP_OPTION: 'a request builder or HTTP client option has the wrong type or value',
  SLUICE_HTTP_PAYLOAD: 'the payload cannot be encoded in the request format (form, multipart, XML)',
  SLUICE_RETRY_OPTION: 'a retry option has the wrong type or value',
  SLUICE_CONNECTOR_INVALID: 'the connector definition is malformed',
  SLUICE_CONNECTOR_PATH: 'the path names nothing in the connector (unknown action, trigger, ...)',
  SLUICE_CONNECTOR_LOAD: 'the connector file cannot be loaded or has no default-exported connector',
  SLUICE_AUTH_FAILED: 'authorization could not be acquired, exchanged or refreshed',
  SLUICE_TRIGGER_RESULT: 'a trigger poll returned something other than the documented shape',
  SLUICE_TRIGGER_STATE: 'a saved trigger state is malformed or belongs to the other trigger kind',
  SLUICE_CASSETTE_MISS: 'replay found no recorded exchange for a request',
  SLUICE_CASSETTE_FILE: 'a cassette file cannot be read or written',
} as const;

/** A stable error code of the SDK. */
export type SdkErrorCode = keyof typeof SDK_ERROR_CODES;

/** Options every Sluice error accepts. */
export interface SluiceErrorOptions {
  /** How to fix it, shown by the CLI under the message. */
  hint?: string;
  /** The error this one wraps. */
  cause?: unknown;
}

/**
 * The base of every error Sluice raises: a stable `code`, a message that names the field, file or URL,
 * and an optional `hint` that says how to fix it.
 */
export class SluiceError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    Object.defineProperty(this, SLUICE_ERROR, { value: true });
  }

  /** Brand check that survives duplicate copies of the SDK; subclasses keep the prototype check. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` was called on.
    if (this !== SluiceError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isSluiceError(value);
  }
}

/**
 * Tells whether `err` is a Sluice error (from any copy of the SDK), optionally with the given `code`.
 *
 * @example
 * if (isSluiceError(err, 'SLUICE_HTTP_STATUS')) console.log(err.message);
 */
export function isSluiceError(err: unknown, code?: string): err is SluiceError {
  if (typeof err !== 'object' || err === null || !(SLUICE_ERROR in err)) return false;
  return code === undefined || (err as { code?: unknown }).code === code;
}

/**
 * A value does not match its field definition. `path` is the dotted field path (`input.address.zip`).
 */
export class FieldValidationError extends SluiceError {
  readonly path: string;
  /** Every problem found, in order; `message` joins them. */
  readonly problems: readonly { path: string; message: string; code: SdkErrorCode }[];

  constructor(
    path: string,
    message: string,
    options: SluiceErrorOptions & {
      code?: SdkErrorCode;
      problems?: readonly { path: string; message: string; code: SdkErrorCode }[];
    } = {},
  ) {
    super(options.code ?? 'SLUICE_FIELD_INVALID', `${path}: ${message}`, options);
    this.path = path;
    this.problems = options.problems ?? [{ path, message, code: options.code ?? 'SLUICE_FIELD_INVALID' }];
  }
}

/** A header map as it arrived: lower-case names, repeated headers joined with `, ` (set-cookie kept as a list). */
export type ResponseHeaders = Record<string, string | string[]>;

/**
 * The server answered with a status of 400 or more, and no `afterErrorResponse` handled it.
 * The message is the status line (`404 Not Found`) followed by the method and URL.
 */
export class RequestFailedError extends SluiceError {
  readonly status: number;
  readonly statusText: string;
  readonly headers: ResponseHeaders;
  /** The response body, parsed as the request's response format when it parses, else the raw text. */
  readonly body: unknown;
  readonly method: string;
  readonly url: string;
  /** HTTP requests sent for this call, retries and redirect hops included. */
  readonly attempts: number;

  constructor(init: {
    status: number;
    statusText: string;
    headers: ResponseHeaders;
    body: unknown;
    method: string;
    url: string;
    attempts?: number;
    hint?: string;
  }) {
    super('SLUICE_HTTP_STATUS', `${init.status} ${init.statusText} (${init.method} ${init.url})`, {
      hint: init.hint,
    });
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.body = init.body;
    this.method = init.method;
    this.url = init.url;
    this.attempts = init.attempts ?? 1;
  }
}

/**
 * How a request failed before a complete response arrived, in urllib3's terms: `connect` errors
 * (refused, DNS, connect timeout) never reached the server; `read` errors (reset, read timeout) may have.
 */
export type TransportErrorKind = 'connect' | 'read' | 'other';

/** The request could not be completed: no response, or a broken one. */
export class HttpTransportError extends SluiceError {
  readonly kind: TransportErrorKind;
  /** True when a timeout (connect or read) caused it. */
  readonly timedOut: boolean;
  readonly method: string;
  readonly url: string;

  constructor(
    kind: TransportErrorKind,
    init: {
      method: string;
      url: string;
      message: string;
      timedOut?: boolean;
      cause?: unknown;
      hint?: string;
    },
  ) {
    const code = init.timedOut
      ? 'SLUICE_HTTP_TIMEOUT'
      : kind === 'connect'
        ? 'SLUICE_HTTP_CONNECT'
        : kind === 'read'
          ? 'SLUICE_HTTP_READ'
          : 'SLUICE_HTTP_OTHER';
    super(code, `${init.message} (${init.method} ${init.url})`, { cause: init.cause, hint: init.hint });
    this.kind = kind;
    this.timedOut = init.timedOut ?? false;
    this.method = init.method;
    this.url = init.url;
  }
}

/** Why a retry policy gave up, as the workflow engine reports it. */
export type RetryFailureReason = 'connect' | 'read' | 'timeout' | 'status' | 'redirect' | 'other';

/**
 * The retry policy ran out (urllib3's `MaxRetryError`). `reason` is the class of the last failure,
 * `cause` the last error, `lastStatus` the last HTTP status when there was one.
 */
export class MaxRetryError extends SluiceError {
  readonly reason: RetryFailureReason;
  readonly attempts: number;
  readonly lastStatus: number | undefined;
  readonly method: string;
  readonly url: string;

  constructor(init: {
    reason: RetryFailureReason;
    attempts: number;
    method: string;
    url: string;
    message: string;
    lastStatus?: number;
    cause?: unknown;
  }) {
    super(
      'SLUICE_HTTP_MAX_RETRIES',
      `${init.message} after ${init.attempts} attempt(s) (${init.method} ${init.url})`,
      {
        cause: init.cause,
        hint: 'raise the retry counters, or check that the server is up',
      },
    );
    this.reason = init.reason;
    this.attempts = init.attempts;
    this.lastStatus = init.lastStatus;
    this.method = init.method;
    this.url = init.url;
  }
}

/** Any other error the SDK raises with a code of {@link SDK_ERROR_CODES}. */
export class SdkError extends SluiceError {
  declare readonly code: SdkErrorCode;
  constructor(code: SdkErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(code, message, options);
  }
}
