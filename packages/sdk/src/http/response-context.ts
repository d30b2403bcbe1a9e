/**
 * What the DSL's response hooks receive: `afterResponse` a {@link ResponseContext},
 * `afterErrorResponse` handlers an {@link ErrorResponseContext}. Type-only.
 *
 * @module
 */
import type { ResponseHeaders } from '../errors.js';

/** What `afterResponse` receives. */
export interface ResponseContext<T> {
  status: number;
  headers: ResponseHeaders;
  /** The decoded body. */
  body: T;
  /** The URL that answered (after redirects). */
  url: string;
}

/** What an `afterErrorResponse` handler receives. */
export interface ErrorResponseContext {
  status: number;
  headers: ResponseHeaders;
  /** The decoded body when it decodes, else the raw text. */
  body: unknown;
  /** The URL that answered, with the client's secrets masked (as in the error). */
  url: string;
  /** `404 Not Found (GET https://...)`. */
  message: string;
}
