/**
 * `Response`: what a route handler returns, in the standard JSON shapes (DESIGN §3), and the function
 * that renders the error shape with its metadata.
 *
 * @module
 */
import type { Environment } from './config/app-settings.js';

const RESPONSE = Symbol.for('sluice.server.response');

/** What {@link Response.success} takes. */
export interface SuccessInit {
  /** Sent as `data`; `undefined` is sent as `null`. */
  data: unknown;
  message?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** What {@link Response.error} takes. */
export interface ErrorInit {
  error: string;
  /** @default 400 */
  statusCode?: number | undefined;
  data?: unknown;
  /** Merged into `metadata`, beside `timestamp`, `environment` and `stack_trace`. */
  metadata?: Record<string, unknown> | undefined;
}

/** The body of a success response. */
export interface SuccessBody {
  data: unknown;
  message?: string;
  metadata?: Record<string, unknown>;
}

/** The body of an error response. */
export interface ErrorBody {
  error: string;
  data?: unknown;
  metadata: Record<string, unknown> & {
    /** ISO 8601, when the error was answered. */
    timestamp: string;
    environment: Environment;
    /** The stack in `dev`; `null` in `stage` and `prod`. */
    stack_trace: string | null;
  };
}

/**
 * A response in the standard shapes. A handler returns `Response.success(...)` or `Response.error(...)`;
 * a plain value returned instead is sent as `{"data": value}`.
 *
 * @example
 * return Response.success({ data: { id: 42 }, message: 'Customer created' });
 * return Response.error({ error: 'Quota exceeded', statusCode: 429 });
 */
export class Response {
  /** The HTTP status. */
  readonly statusCode: number;
  /** For success responses, the body; for error responses, what the error body is rendered from. */
  readonly body: SuccessBody | undefined;
  readonly errorInit: (ErrorInit & { statusCode: number; stack: string | undefined }) | undefined;

  private constructor(statusCode: number, body: SuccessBody | undefined, errorInit: Response['errorInit']) {
    this.statusCode = statusCode;
    this.body = body;
    this.errorInit = errorInit;
  }

  /** 200 `{"data": ..., "message"?: ..., "metadata"?: ...}`. */
  static success(init: SuccessInit): Response {
    const body: SuccessBody = { data: init.data === undefined ? null : init.data };
    if (init.message !== undefined) body.message = init.message;
    if (init.metadata !== undefined) body.metadata = init.metadata;
    return new Response(200, body, undefined);
  }

  /**
   * `{"error": ..., "data"?: ..., "metadata": {"timestamp", "environment", "stack_trace"}}` with
   * `statusCode` (default 400). In `dev`, `stack_trace` shows where `Response.error` was called.
   */
  static error(init: ErrorInit): Response {
    const statusCode = init.statusCode ?? 400;
    if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
      throw new TypeError(`Response.error statusCode must be an integer from 400 to 599, got ${statusCode}`);
    }
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, Response.error);
    const stack = holder.stack?.replace(/^Error\n/, `Error: ${init.error}\n`);
    return new Response(statusCode, undefined, { ...init, statusCode, stack });
  }

  /** Brand check, so a Response from another copy of the package is recognised. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && RESPONSE in value;
  }
}

// The brand sits on the prototype, once: every instance inherits it, and construction stays plain field
// stores (a property defined on each instance cost more than a route handler).
Object.defineProperty(Response.prototype, RESPONSE, { value: true });

/** What {@link renderError} needs to know about the service. */
export interface ErrorContext {
  readonly environment: Environment;
  readonly now: () => Date;
}

/** Renders the error shape; `stack` is dropped unless the environment is `dev`. */
export function renderError(
  init: {
    error: string;
    data?: unknown;
    metadata?: Record<string, unknown> | undefined;
    stack?: string | undefined;
  },
  context: ErrorContext,
): ErrorBody {
  const body: ErrorBody = {
    error: init.error,
    metadata: {
      ...init.metadata,
      timestamp: context.now().toISOString(),
      environment: context.environment,
      stack_trace: context.environment === 'dev' ? (init.stack ?? null) : null,
    },
  };
  if (init.data !== undefined) return { error: body.error, data: init.data, metadata: body.metadata };
  return body;
}
