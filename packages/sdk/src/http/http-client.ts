/**
 * `createHttpClient`: the `http` object connectors use, with its options resolved and checked once.
 *
 * @module
 */
import { SdkError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type RetryOptions, RetryPolicy } from '../retry/retry-policy.js';
import { type ErrorMatcher, validateMatcher } from './error-matcher.js';
import {
  type ClientContext,
  createRequestBuilder,
  type HttpClient,
  type RequestBuilder,
} from './request-builder.js';
import type { HttpMethod } from './request-spec.js';
import { defaultTransport } from './send.js';
import type { HttpTransport } from './transport.js';
import { describe, isRecord } from './values.js';

/** Options of {@link createHttpClient}. Resolved and checked once; the client is immutable. */
export interface HttpClientOptions {
  /**
   * Base for relative URLs, resolved as a browser resolves a link (RFC 3986, like Workato): with
   * `https://h/api/`, `v1/x` is `https://h/api/v1/x` and `/v1/x` is `https://h/v1/x`.
   * @default none: relative URLs fail with `SLUICE_HTTP_URL`
   */
  baseUri?: string | undefined;
  /**
   * Runs before every request is sent (and again before a re-send), e.g. to add credentials.
   * Returns the request to send; builders are immutable, so it returns a new one made from the one
   * it received. The request it returns is sent as it is: `prepare` does not run on it again.
   * It may be async: the promise must resolve to such a request, which TypeScript types as
   * `Promise<unknown>` because a builder is a thenable (resolving a promise with a builder would
   * normally send it; inside `prepare`, it does not). Anything else rejects with `SLUICE_HTTP_OPTION`.
   * @default none
   */
  prepare?: (request: RequestBuilder<unknown>) => RequestBuilder<unknown> | Promise<unknown>;
  /**
   * Wraps each send so that authorization can refresh credentials and send once more.
   * `send()` runs `prepare` and the request, and rejects with `RequestFailedError` for a status of
   * 400 or more; the wrapper may call it twice. `afterErrorResponse` handlers run after the wrapper
   * gave up, `afterResponse` hooks after it succeeded.
   * @default none
   */
  around?: <R>(send: () => Promise<R>) => Promise<R>;
  /**
   * Marks successful responses as failures when their body matches (Workato's `detect_on`): such a
   * response raises `RequestFailedError` as a 4xx would, so `around` and `afterErrorResponse` see it.
   * As in Workato: a string matches when it equals the whole body, a RegExp when it matches the body, a
   * number when it equals the status.
   * @default none
   */
  detectOn?: ErrorMatcher | undefined;
  /**
   * Retry policy for requests that set none. @default no retries (one attempt; `GET` and `HEAD` follow
   * redirects, see `RequestBuilder.followRedirects`)
   */
  retry?: RetryOptions | number | RetryPolicy | undefined;
  /** Cancels every request of this client; a request then rejects with the signal's reason. @default none */
  signal?: AbortSignal | undefined;
  /**
   * Receives a debug line per request (`method`, `url`, `headers`, `body`) and per response (`status`,
   * `durationMs`, `attempts`, `body`), secrets masked and bodies cut to 2 KB.
   * @default silent
   */
  logger?: Logger | undefined;
  /**
   * Values masked as `[secret]` wherever a request or response is logged, and in the URL of a
   * `RequestFailedError`. `Authorization` and cookie headers are always masked in logs.
   * @default none
   */
  secrets?: readonly string[] | undefined;
  /** How requests go out. @default the shared undici transport */
  transport?: HttpTransport | undefined;
}

const OPTION_NAMES: ReadonlySet<string> = new Set([
  'baseUri',
  'prepare',
  'around',
  'detectOn',
  'retry',
  'signal',
  'logger',
  'secrets',
  'transport',
] satisfies (keyof HttpClientOptions)[]);

/**
 * Creates the `http` object connectors use. Each verb returns a lazy, immutable
 * {@link RequestBuilder}; nothing is sent until it is awaited.
 *
 * @throws {SdkError} `SLUICE_HTTP_OPTION` for an unknown option or one of the wrong type;
 * `SLUICE_HTTP_URL` when `baseUri` is not an absolute http(s) URL; `SLUICE_RETRY_OPTION` for a bad
 * `retry`.
 *
 * @example
 * const http = createHttpClient({ baseUri: 'https://api.my-app.com' });
 * const body = await http.get('/v1/customers.json').params({ id: 1 });
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const client = resolveOptions(options);
  const withParams =
    (method: HttpMethod) =>
    <T = unknown>(url: string, params?: Record<string, unknown>): RequestBuilder<T> =>
      createRequestBuilder<T>(client, method, url, { params });
  const withPayload =
    (method: HttpMethod) =>
    <T = unknown>(url: string, payload?: unknown): RequestBuilder<T> =>
      createRequestBuilder<T>(client, method, url, { payload });
  return Object.freeze({
    get: withParams('GET'),
    head: withParams('HEAD'),
    options: withParams('OPTIONS'),
    post: withPayload('POST'),
    put: withPayload('PUT'),
    patch: withPayload('PATCH'),
    delete: withPayload('DELETE'),
  });
}

function resolveOptions(options: HttpClientOptions): ClientContext {
  const raw: unknown = options;
  if (!isRecord(raw)) throw optionError('options', `expected an object, got ${describe(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!OPTION_NAMES.has(key)) {
      throw optionError(key, `unknown option; known options are ${[...OPTION_NAMES].join(', ')}`);
    }
  }
  const { baseUri, prepare, around, detectOn, retry, signal, logger, secrets, transport } = options;
  if (baseUri !== undefined) checkBaseUri(baseUri);
  if (prepare !== undefined && typeof prepare !== 'function')
    throw optionError('prepare', 'expected a function');
  if (around !== undefined && typeof around !== 'function')
    throw optionError('around', 'expected a function');
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw optionError('signal', 'expected an AbortSignal');
  if (logger !== undefined && (typeof logger !== 'object' || typeof logger?.debug !== 'function')) {
    throw optionError('logger', 'expected a logger with a debug method (pino-compatible)');
  }
  if (secrets !== undefined && (!Array.isArray(secrets) || !secrets.every((s) => typeof s === 'string'))) {
    throw optionError('secrets', 'expected a list of strings');
  }
  if (transport !== undefined && typeof transport?.send !== 'function') {
    throw optionError('transport', 'expected an HttpTransport (an object with a send method)');
  }
  return Object.freeze({
    baseUri,
    prepare,
    around,
    detectOn:
      detectOn === undefined ? undefined : validateMatcher(detectOn, 'createHttpClient() option detectOn'),
    retry: retry === undefined ? undefined : RetryPolicy.from(retry),
    signal,
    logger: logger ?? silentLogger,
    secrets: Object.freeze([...(secrets ?? [])]),
    transport: transport ?? defaultTransport,
  });
}

function checkBaseUri(baseUri: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof baseUri === 'string' ? new URL(baseUri) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    const shown = typeof baseUri === 'string' ? JSON.stringify(baseUri) : describe(baseUri);
    throw new SdkError(
      'SLUICE_HTTP_URL',
      `createHttpClient() option baseUri: ${shown} is not an absolute http(s) URL`,
      {
        hint: "e.g. 'https://api.my-app.com'",
      },
    );
  }
}

function optionError(name: string, problem: string): SdkError {
  return new SdkError('SLUICE_HTTP_OPTION', `createHttpClient() option ${name}: ${problem}`, {
    hint: 'see HttpClientOptions for the accepted options and their types',
  });
}
