/**
 * One HTTP exchange without retries or redirects: what the retry loop calls once per attempt, and what
 * the test kit records and replays. The default transport is undici (`send.ts`).
 *
 * @module
 */
import type { ResponseHeaders } from '../errors.js';

/** A request ready for the wire: absolute URL, final headers, encoded body. */
export interface WireRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Absolute URL, query string included. */
  url: string;
  /** Header names as the author wrote them. */
  headers: Record<string, string>;
  body?: Uint8Array | string | undefined;
}

/** A complete response: the body is read in full and already decompressed (gzip, deflate, br). */
export interface WireResponse {
  status: number;
  statusText: string;
  /** Lower-case names. */
  headers: ResponseHeaders;
  body: Uint8Array;
}

/** Per-attempt options. */
export interface WireOptions {
  signal?: AbortSignal | undefined;
  /** Connect timeout in milliseconds; `undefined` is the transport's default. */
  connectTimeoutMs?: number | undefined;
  /** Timeout between bytes of the response (headers and body) in milliseconds. */
  readTimeoutMs?: number | undefined;
}

/**
 * Sends one request and reads the whole response. It never follows redirects and never retries.
 *
 * @throws {HttpTransportError} `kind: 'connect'` when no connection was made, `'read'` when the
 * connection broke or timed out after the request was sent, `'other'` for anything else.
 */
export interface HttpTransport {
  send(request: WireRequest, options: WireOptions): Promise<WireResponse>;
  /** Releases pooled connections. Idempotent. */
  close?(): Promise<void>;
}
