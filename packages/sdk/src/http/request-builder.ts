/**
 * The HTTP DSL: the public `RequestBuilder` and `HttpClient` types, and the class behind them (not
 * exported from the package index). A builder keeps all of its state in one frozen props object;
 * every chain method returns a new builder from copied props, so a builder never changes once made.
 * Sending is lazy: a builder is a thenable whose `then` only calls `send()`, so each `await` sends
 * the request once more.
 *
 * Over 400 lines on purpose: the public interfaces, one documented member per chain method (what
 * editors show), and the one class that implements them are read side by side; the value checks and
 * merges already live in `request-values.ts`, the props in `builder-props.ts`, the exchange in
 * `exchange.ts`.
 *
 * @module
 */
import { RequestFailedError, SdkError } from '../errors.js';
import { type RetryOptions, RetryPolicy } from '../retry/retry-policy.js';
import {
  type ErrorHandler,
  NO_HEADERS,
  NO_HOOKS,
  NO_PARAMS,
  nextProps,
  type PrepareScope,
  type BuilderProps as Props,
  type ResponseHook,
} from './builder-props.js';
import { type ErrorMatcher, findMatching, validateMatcher } from './error-matcher.js';
import { type ExchangeContext, type Exchanged, exchange, failureBodyText } from './exchange.js';
import type { HttpMethod, RequestSpec } from './request-spec.js';
import {
  checkFunction,
  checkRecord,
  checkString,
  checkTimeout,
  checkXmlRoot,
  combineSignals,
  frozenCopy,
  mergeHeaders,
  mergePayload,
  optionError,
} from './request-values.js';
import type { ErrorResponseContext, ResponseContext } from './response-context.js';
import { describe } from './values.js';

/**
 * A request under construction. Builders are immutable: every chain method returns a new builder and
 * leaves this one unchanged. They are lazy: nothing is sent until the builder is awaited (it is a
 * thenable), and each `await` sends the request once more.
 *
 * @example
 * const customer = await http
 *   .get<{ customer: Customer }>('/v1/customers.json')
 *   .params({ id: 1234 })
 *   .afterResponse(({ body }) => body.customer);
 */
export interface RequestBuilder<T = unknown> extends PromiseLike<T> {
  /**
   * Adds query parameters, merged over earlier ones and appended to the query of the URL. Arrays and
   * nested objects are sent Rails-style (`ids[]=1&ids[]=2`, `filter[status]=open`), dates as ISO 8601.
   * @throws {SdkError} `SLUICE_HTTP_OPTION` when `values` is not an object.
   */
  params(values: Record<string, unknown>): RequestBuilder<T>;
  /**
   * Sets the payload: an object merges over an earlier object payload, an array is appended to an
   * earlier array, anything else replaces it; `undefined` leaves it as it is. GET and HEAD requests
   * never send a payload. A `Uint8Array` is sent as it is.
   */
  payload(values: unknown): RequestBuilder<T>;
  /**
   * Adds headers, merged over earlier ones; names are matched without regard to case.
   * @throws {SdkError} `SLUICE_HTTP_OPTION` for an invalid header name, or a value with a line break.
   */
  headers(values: Record<string, string | number | boolean>): RequestBuilder<T>;
  /** HTTP basic auth user name; with `password`, sets `Authorization: Basic ...` (replacing that header). */
  user(name: string): RequestBuilder<T>;
  /** HTTP basic auth password; masked in logs. */
  password(secret: string): RequestBuilder<T>;
  /** JSON request and response (the default). */
  formatJson(): RequestBuilder<T>;
  /**
   * XML request (with `root` as the root element) and response, with the Workato mapping: keys are
   * elements, arrays repeat the element, `@name` keys are attributes and `content!` is text; in
   * responses every element is an array of objects.
   * @throws {SdkError} `SLUICE_HTTP_OPTION` when `root` is not an XML name.
   */
  formatXml(root: string): RequestBuilder<T>;
  /** JSON request body (`Content-Type: application/json` when there is a payload). */
  requestFormatJson(): RequestBuilder<T>;
  /** XML request body with `root` as the root element; a string payload is sent as it is. */
  requestFormatXml(root: string): RequestBuilder<T>;
  /**
   * JSON response (the default): an empty body is `null`.
   * A body that is not JSON raises `SdkError` `SLUICE_HTTP_RESPONSE_FORMAT` quoting its start.
   */
  responseFormatJson(): RequestBuilder<T>;
  /** XML response, mapped the Workato way (see `formatXml`). */
  responseFormatXml(): RequestBuilder<T>;
  /** Form-encodes the payload (`application/x-www-form-urlencoded`), nested objects Rails-style. */
  requestFormatWwwFormUrlencoded(): RequestBuilder<T>;
  /**
   * Sends the payload as `multipart/form-data`; Buffer, Uint8Array and Blob values, and
   * `{ value, filename, contentType }` objects, become file parts.
   */
  requestFormatMultipart(): RequestBuilder<T>;
  /** Resolves to the body as text, undecoded. */
  responseFormatRaw(): RequestBuilder<string>;
  /**
   * Transforms a successful response (status below 400); the builder then resolves to what `fn`
   * returns. Hooks run in the order they were added, each getting the previous one's result as `body`.
   */
  afterResponse<U>(fn: (response: ResponseContext<T>) => U | Promise<U>): RequestBuilder<U>;
  /**
   * Handles error responses (status 400 or more, or a success the client's `detectOn` marks) that
   * `matcher` matches: a status, a string contained in the body or the status line, a RegExp tested
   * on them, or a list. The first matching handler wins; the builder resolves to what `fn` returns
   * (`afterResponse` hooks do not run), or rejects with what it throws. Unmatched errors raise
   * `RequestFailedError`.
   * @throws {SdkError} `SLUICE_HTTP_OPTION` for a matcher of another shape.
   */
  afterErrorResponse<U>(
    matcher: ErrorMatcher,
    fn: (response: ErrorResponseContext) => U | Promise<U>,
  ): RequestBuilder<T | U>;
  /**
   * Timeout in seconds, for connecting and for each read.
   * @throws {SdkError} `SLUICE_HTTP_OPTION` unless `seconds` is a finite number above 0.
   */
  timeout(seconds: number): RequestBuilder<T>;
  /**
   * Retries under urllib3 2.x semantics (see `RetryOptions`), overriding the client's policy. By
   * default the DSL does not retry (one attempt; redirects as `followRedirects` says). A policy follows
   * redirects for every method (urllib3), unless `ignoreRedirects()` is called too.
   */
  retry(policy: RetryOptions | number | RetryPolicy): RequestBuilder<T>;
  /**
   * Follows 301, 302, 307 and 308 for every method, keeping method and body (Workato's
   * `follow_redirection`); a 303 becomes a `GET` without a body. Cross-origin hops drop `Authorization`
   * and `Cookie`. By default only `GET` and `HEAD` follow them (every method follows a 303), up to 10 hops.
   */
  followRedirects(): RequestBuilder<T>;
  /** Returns every 3xx response as it is, for any method (Workato's `ignore_redirection`). */
  ignoreRedirects(): RequestBuilder<T>;
  /** The request as frozen plain data (relative URL as written; the client's `prepare` not applied). */
  toSpec(): RequestSpec;
  /**
   * Sends the request now, once: runs the client's `prepare` and `around`, then the hooks. `await`ing
   * the builder calls this.
   * @throws {SdkError} `SLUICE_HTTP_URL` for a relative URL without a base URI; `SLUICE_HTTP_PAYLOAD`,
   * `SLUICE_HTTP_RESPONSE_FORMAT` when the payload or the response does not fit its format.
   * @throws {RequestFailedError} `SLUICE_HTTP_STATUS` for an unhandled status of 400 or more.
   * @throws {HttpTransportError} `SLUICE_HTTP_CONNECT | READ | TIMEOUT | OTHER`.
   * @throws {MaxRetryError} `SLUICE_HTTP_MAX_RETRIES` when a retry policy gives up.
   * When `signal` (or the client's signal) aborts, it rejects with the signal's reason.
   */
  send(options?: { signal?: AbortSignal }): Promise<T>;
}

/**
 * The `http` object connector code receives. Every verb returns a lazy {@link RequestBuilder}.
 *
 * @example
 * const { customers } = await http.get<{ customers: Customer[] }>('/v1/customers.json', { limit: 10 });
 */
export interface HttpClient {
  /**
   * A GET request; `params` become the query. `url` is absolute, or relative to the client's
   * `baseUri` (resolved as a browser resolves links).
   * @throws {SdkError} `SLUICE_HTTP_URL` when `url` is not a non-empty string.
   * @example
   * const page = await http.get<Customer[]>('/v1/customers.json', { limit: 10, ids: [1, 2] });
   */
  get<T = unknown>(url: string, params?: Record<string, unknown>): RequestBuilder<T>;
  /** A HEAD request; `params` become the query. */
  head<T = unknown>(url: string, params?: Record<string, unknown>): RequestBuilder<T>;
  /** An OPTIONS request; `params` become the query. */
  options<T = unknown>(url: string, params?: Record<string, unknown>): RequestBuilder<T>;
  /** A POST request with an optional payload (JSON unless another request format is chosen). */
  post<T = unknown>(url: string, payload?: unknown): RequestBuilder<T>;
  /** A PUT request with an optional payload. */
  put<T = unknown>(url: string, payload?: unknown): RequestBuilder<T>;
  /** A PATCH request with an optional payload. */
  patch<T = unknown>(url: string, payload?: unknown): RequestBuilder<T>;
  /** A DELETE request with an optional payload. */
  delete<T = unknown>(url: string, payload?: unknown): RequestBuilder<T>;
}

/** What a builder needs from its client: the resolved client options. */
export interface ClientContext extends ExchangeContext {
  readonly prepare:
    | ((request: RequestBuilder<unknown>) => RequestBuilder<unknown> | Promise<unknown>)
    | undefined;
  readonly around: (<R>(send: () => Promise<R>) => Promise<R>) | undefined;
  readonly signal: AbortSignal | undefined;
}

/** All the state of a builder (see `builder-props.ts`). */
type BuilderProps = Props<ClientContext>;

/** A request returned by an async `prepare`, boxed so that resolving a promise with it does not send it. */
class PreparedRequest {
  constructor(readonly builder: RequestBuilderImpl<unknown>) {}
}

/** The builder behind {@link RequestBuilder}. Internal: connectors get builders from an `HttpClient`. */
class RequestBuilderImpl<T> implements RequestBuilder<T> {
  readonly #props: BuilderProps;

  /** `props` must be frozen (see {@link nextProps}). */
  constructor(props: BuilderProps) {
    this.#props = props;
  }

  #with<U = T>(changes: Partial<BuilderProps>): RequestBuilderImpl<U> {
    return new RequestBuilderImpl<U>(nextProps(this.#props, changes));
  }

  params(values: Record<string, unknown>): RequestBuilder<T> {
    checkRecord(values, () => `params() of ${this.#name()}`, '{ id: 1234 }');
    return this.#with({ params: frozenCopy({ ...this.#props.params, ...values }) });
  }

  payload(values: unknown): RequestBuilder<T> {
    if (values === undefined) return this;
    return this.#with({ payload: mergePayload(this.#props.payload, values) });
  }

  headers(values: Record<string, string | number | boolean>): RequestBuilder<T> {
    return this.#with({
      headers: mergeHeaders(this.#props.headers, values, () => `headers() of ${this.#name()}`),
    });
  }

  user(name: string): RequestBuilder<T> {
    return this.#with({ user: checkString(name, `user() of ${this.#name()}`) });
  }

  password(secret: string): RequestBuilder<T> {
    return this.#with({ password: checkString(secret, `password() of ${this.#name()}`) });
  }

  formatJson(): RequestBuilder<T> {
    return this.#with({ requestFormat: 'json', responseFormat: 'json' });
  }

  formatXml(root: string): RequestBuilder<T> {
    return this.#with({
      requestFormat: 'xml',
      responseFormat: 'xml',
      xmlRoot: checkXmlRoot(root, `formatXml() of ${this.#name()}`),
    });
  }

  requestFormatJson(): RequestBuilder<T> {
    return this.#with({ requestFormat: 'json' });
  }

  requestFormatXml(root: string): RequestBuilder<T> {
    return this.#with({
      requestFormat: 'xml',
      xmlRoot: checkXmlRoot(root, `requestFormatXml() of ${this.#name()}`),
    });
  }

  responseFormatJson(): RequestBuilder<T> {
    return this.#with({ responseFormat: 'json' });
  }

  responseFormatXml(): RequestBuilder<T> {
    return this.#with({ responseFormat: 'xml' });
  }

  requestFormatWwwFormUrlencoded(): RequestBuilder<T> {
    return this.#with({ requestFormat: 'www-form-urlencoded' });
  }

  requestFormatMultipart(): RequestBuilder<T> {
    return this.#with({ requestFormat: 'multipart' });
  }

  responseFormatRaw(): RequestBuilder<string> {
    return this.#with<string>({ responseFormat: 'raw' });
  }

  afterResponse<U>(fn: (response: ResponseContext<T>) => U | Promise<U>): RequestBuilder<U> {
    checkFunction(fn, `afterResponse() of ${this.#name()}`);
    return this.#with<U>({
      afterResponse: Object.freeze([...this.#props.afterResponse, fn as ResponseHook]),
    });
  }

  afterErrorResponse<U>(
    matcher: ErrorMatcher,
    fn: (response: ErrorResponseContext) => U | Promise<U>,
  ): RequestBuilder<T | U> {
    const where = `afterErrorResponse() of ${this.#name()}`;
    const handler: ErrorHandler = Object.freeze({ matcher: validateMatcher(matcher, where), handle: fn });
    checkFunction(fn, where);
    return this.#with<T | U>({
      afterErrorResponse: Object.freeze([...this.#props.afterErrorResponse, handler]),
    });
  }

  timeout(seconds: number): RequestBuilder<T> {
    return this.#with({ timeout: checkTimeout(seconds, `timeout() of ${this.#name()}`) });
  }

  retry(policy: RetryOptions | number | RetryPolicy): RequestBuilder<T> {
    return this.#with({ retry: RetryPolicy.from(policy) });
  }

  followRedirects(): RequestBuilder<T> {
    return this.#with({ redirects: 'follow' });
  }

  ignoreRedirects(): RequestBuilder<T> {
    return this.#with({ redirects: 'ignore' });
  }

  toSpec(): RequestSpec {
    const p = this.#props;
    return Object.freeze({
      method: p.method,
      url: p.url,
      params: p.params,
      headers: p.headers,
      payload: p.payload,
      user: p.user,
      password: p.password,
      requestFormat: p.requestFormat,
      responseFormat: p.responseFormat,
      xmlRoot: p.xmlRoot,
      timeout: p.timeout,
      retry: p.retry,
      redirects: p.redirects,
    });
  }

  // biome-ignore lint/suspicious/noThenProperty: builders are thenables by design (DESIGN §2): awaiting one sends it.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    if (this.#props.scope?.active === true) {
      const boxed = new PreparedRequest(this as RequestBuilderImpl<unknown>) as unknown as T;
      return Promise.resolve(boxed).then(onfulfilled, onrejected);
    }
    return this.send().then(onfulfilled, onrejected);
  }

  async send(options: { signal?: AbortSignal } = {}): Promise<T> {
    const { client } = this.#props;
    const signal = combineSignals(client.signal, options.signal);
    signal?.throwIfAborted();
    let prepared: RequestBuilderImpl<unknown> = this as RequestBuilderImpl<unknown>;
    let failure: unknown;
    const attempt = async (): Promise<Exchanged> => {
      const ready = this.#prepare();
      prepared = ready instanceof RequestBuilderImpl ? ready : (await ready).builder;
      try {
        return await exchange(prepared.#props, client, signal);
      } catch (err) {
        failure = err;
        throw err;
      }
    };
    let exchanged: Exchanged;
    try {
      exchanged = client.around === undefined ? await attempt() : await client.around(attempt);
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      if (err !== failure || !(err instanceof RequestFailedError)) throw err;
      return (await prepared.#handleError(err)) as T;
    }
    let body: unknown = exchanged.body;
    for (const hook of prepared.#props.afterResponse) {
      body = await hook({ status: exchanged.status, headers: exchanged.headers, body, url: exchanged.url });
    }
    return body as T;
  }

  /**
   * Runs the client's `prepare` on a scoped copy of this request and returns the request to send: as
   * it is when `prepare` returned a builder, else a promise of it, boxed (resolving a promise with a
   * bare builder would send it).
   */
  #prepare(): RequestBuilderImpl<unknown> | Promise<PreparedRequest> {
    const { prepare } = this.#props.client;
    if (prepare === undefined) return this as RequestBuilderImpl<unknown>;
    const scope: PrepareScope = { active: true };
    let returned: RequestBuilder<unknown> | Promise<unknown>;
    try {
      returned = prepare(new RequestBuilderImpl<unknown>(nextProps(this.#props, { scope })));
    } catch (err) {
      scope.active = false;
      throw err;
    }
    if (returned instanceof RequestBuilderImpl) {
      scope.active = false;
      return returned;
    }
    return this.#settlePrepared(returned, scope);
  }

  /** Waits for what an async `prepare` returned and checks it is a request builder. */
  async #settlePrepared(returned: unknown, scope: PrepareScope): Promise<PreparedRequest> {
    try {
      const result: unknown = await returned;
      const builder = result instanceof PreparedRequest ? result.builder : result;
      if (!(builder instanceof RequestBuilderImpl)) {
        throw optionError(
          `prepare returned ${describe(result)} instead of a request builder (${this.#name()})`,
          'return the request prepare received, or one made from it with the chain methods',
        );
      }
      return new PreparedRequest(builder);
    } finally {
      scope.active = false;
    }
  }

  /** Resolves with the first matching `afterErrorResponse` handler's result, or rethrows `err`. */
  async #handleError(err: RequestFailedError): Promise<unknown> {
    const handler = findMatching(this.#props.afterErrorResponse, err, failureBodyText.get(err) ?? '');
    if (handler === undefined) throw err;
    const { status, headers, body, url, message } = err;
    return handler.handle({ status, headers, body, url, message });
  }

  #name(): string {
    return `${this.#props.method} ${this.#props.url}`;
  }
}

/**
 * Makes the builder a verb of `HttpClient` returns.
 *
 * @throws {SdkError} `SLUICE_HTTP_URL` when `url` is not a non-empty string; `SLUICE_HTTP_OPTION` when
 * `params` is not an object.
 */
export function createRequestBuilder<T>(
  client: ClientContext,
  method: HttpMethod,
  url: string,
  init: { params?: Record<string, unknown> | undefined; payload?: unknown },
): RequestBuilder<T> {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new SdkError(
      'SLUICE_HTTP_URL',
      `${method.toLowerCase()}(url): expected a URL, got ${describe(url)}`,
      {
        hint: "pass an absolute URL or a path relative to the base URI, e.g. '/v1/customers.json'",
      },
    );
  }
  const params =
    init.params === undefined
      ? NO_PARAMS
      : frozenCopy(checkRecord(init.params, () => `${method} ${url} params`, '{ id: 1 }'));
  return new RequestBuilderImpl<T>(
    Object.freeze({
      method,
      url,
      params,
      headers: NO_HEADERS,
      payload: frozenCopy(init.payload),
      user: undefined,
      password: undefined,
      requestFormat: 'json',
      responseFormat: 'json',
      xmlRoot: undefined,
      timeout: undefined,
      retry: undefined,
      redirects: undefined,
      afterResponse: NO_HOOKS,
      afterErrorResponse: NO_HOOKS,
      client,
      scope: undefined,
    }),
  );
}
