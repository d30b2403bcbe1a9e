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

/**
 * The body of an error response. `data` is `{}` when the error has none and `status_code` repeats the
 * HTTP status, as clients of Stacksync's workflows-cdk read them.
 */
export interface ErrorBody {
  error: string;
  data: unknown;
  status_code: number;
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

  /**
   * 200 `{"data": {"content_objects": [...], "pagination": {"has_more": false, "next_cursor": null}}}`:
   * the answer of a `/content` route (the options of the form's dropdowns), as workflows-cdk's
   * `Response.content` shapes it. Each object is `{id, content, pagination: {has_next_page,
   * next_cursor}, metadata?}`; it may be given as `{id | content_object_name | name, data | content,
   * has_next_page?, next_cursor?, metadata?}`.
   *
   * @example
   * return Response.content([{ id: 'queues', data: [{ value: 'support', label: 'Support' }] }]);
   * @throws {TypeError} when an object has no `id`, `content_object_name` or `name`.
   */
  static content(
    contentObjects: readonly ContentObjectInit[],
    options: { metadata?: Record<string, unknown> | undefined; statusCode?: number | undefined } = {},
  ): Response {
    const objects = contentObjects.map((object, index) => contentObject(object, index));
    const body: SuccessBody = {
      data: { content_objects: objects, pagination: { has_more: false, next_cursor: null } },
    };
    if (options.metadata !== undefined) body.metadata = options.metadata;
    const statusCode = options.statusCode ?? 200;
    if (!Number.isInteger(statusCode) || statusCode < 200 || statusCode > 299) {
      throw new TypeError(
        `Response.content statusCode must be an integer from 200 to 299, got ${statusCode}`,
      );
    }
    return new Response(statusCode, body, undefined);
  }

  /** 200 `{"data": ..., "message"?: ..., "metadata"?: ...}`. */
  static success(init: SuccessInit): Response {
    const body: SuccessBody = { data: init.data === undefined ? null : init.data };
    if (init.message !== undefined) body.message = init.message;
    if (init.metadata !== undefined) body.metadata = init.metadata;
    return new Response(200, body, undefined);
  }

  /**
   * `{"error": ..., "data": ... or {}, "status_code": ..., "metadata": {"timestamp", "environment", "stack_trace"}}` with
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

/** One content object, as {@link Response.content} takes it. */
export interface ContentObjectInit {
  id?: string | undefined;
  content_object_name?: string | undefined;
  name?: string | undefined;
  /** The options (or records); `content` is accepted too. @default [] */
  data?: readonly unknown[] | undefined;
  content?: readonly unknown[] | undefined;
  /** @default false */
  has_next_page?: boolean | undefined;
  /** @default null */
  next_cursor?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
}

function contentObject(init: ContentObjectInit, index: number): Record<string, unknown> {
  const id = init.id ?? init.content_object_name ?? init.name;
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(
      `Response.content: content object ${index} needs an id (or content_object_name, or name)`,
    );
  }
  const object: Record<string, unknown> = {
    id,
    content: init.data ?? init.content ?? [],
    pagination: { has_next_page: init.has_next_page ?? false, next_cursor: init.next_cursor ?? null },
  };
  if (init.metadata !== undefined) object.metadata = init.metadata;
  return object;
}

/** What {@link renderError} needs to know about the service. */
export interface ErrorContext {
  readonly environment: Environment;
  readonly now: () => Date;
}

/**
 * Renders the error shape `{error, data, status_code, metadata}`: `data` is `{}` when there is none, and
 * `stack` is dropped unless the environment is `dev`.
 */
export function renderError(
  init: {
    error: string;
    statusCode: number;
    data?: unknown;
    metadata?: Record<string, unknown> | undefined;
    stack?: string | undefined;
  },
  context: ErrorContext,
): ErrorBody {
  return {
    error: init.error,
    data: init.data === undefined || init.data === null ? {} : init.data,
    status_code: init.statusCode,
    metadata: {
      ...init.metadata,
      timestamp: context.now().toISOString(),
      environment: context.environment,
      stack_trace: context.environment === 'dev' ? (init.stack ?? null) : null,
    },
  };
}
