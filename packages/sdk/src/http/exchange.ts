/**
 * One call of a prepared request: build the wire request, send it through the retry loop, log both
 * ends (secrets masked), decode the body, and raise `RequestFailedError` for a status of 400 or more
 * or a success that `detectOn` marks as failed. Hooks (`afterResponse`, `afterErrorResponse`) and
 * `prepare`/`around` are the builder's business, not this module's.
 *
 * @module
 */
import { HttpTransportError, MaxRetryError, RequestFailedError, type ResponseHeaders } from '../errors.js';
import { type Logger, logsDebug } from '../logger.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import { sendWithRetry } from '../retry/send-with-retry.js';
import { buildWireRequest } from './build-wire-request.js';
import { type ErrorMatcher, matchesResponse } from './error-matcher.js';
import { decodeJson } from './formats/json.js';
import { fromWorkatoXml } from './formats/xml.js';
import { createMasker, loggableBody, maskHeaders } from './mask-secrets.js';
import type { RequestSpec, ResponseFormat } from './request-spec.js';
import type { HttpTransport } from './transport.js';

/** What an exchange needs from its client: resolved options. */
export interface ExchangeContext {
  readonly baseUri: string | undefined;
  readonly detectOn: ErrorMatcher | undefined;
  readonly retry: RetryPolicy | undefined;
  readonly logger: Logger;
  readonly secrets: readonly string[];
  readonly transport: HttpTransport;
}

/** A successful exchange, body decoded. */
export interface Exchanged {
  status: number;
  headers: ResponseHeaders;
  body: unknown;
  /** The URL that answered (after redirects). */
  url: string;
  attempts: number;
}

/**
 * The body text of each `RequestFailedError` an exchange raised, for `afterErrorResponse` matchers
 * (the error itself carries the decoded body).
 */
export const failureBodyText = new WeakMap<RequestFailedError, string>();

/**
 * Sends `spec` once through the retry loop (see the module comment).
 *
 * @throws {RequestFailedError} `SLUICE_HTTP_STATUS` for a status of 400 or more, or a `detectOn` match.
 * @throws {SdkError} `SLUICE_HTTP_URL`, `SLUICE_HTTP_PAYLOAD`, `SLUICE_HTTP_RESPONSE_FORMAT`.
 * @throws {HttpTransportError | MaxRetryError} from the transport and the retry loop.
 */
export async function exchange(
  spec: RequestSpec,
  context: ExchangeContext,
  signal: AbortSignal | undefined,
): Promise<Exchanged> {
  const mask = createMasker(
    spec.password === undefined ? context.secrets : [...context.secrets, spec.password],
  );
  const wire = await buildWireRequest(spec, context.baseUri, mask);
  const { logger } = context;
  // Masking headers and bodies for the log costs more than the rest of the call: only when it is written.
  const verbose = logsDebug(logger);
  if (verbose) {
    logger.debug(
      {
        method: wire.method,
        url: mask(wire.url),
        headers: maskHeaders(wire.headers, mask),
        body: loggableBody(wire.body, mask),
      },
      'request',
    );
  }

  const startedAt = performance.now();
  const timeoutMs = spec.timeout === undefined ? undefined : spec.timeout * 1000;
  let result: Awaited<ReturnType<typeof sendWithRetry>>;
  try {
    result = await sendWithRetry(wire, spec.retry ?? context.retry, {
      transport: context.transport,
      signal,
      connectTimeoutMs: timeoutMs,
      readTimeoutMs: timeoutMs,
      logger,
    });
  } catch (err) {
    const message = err instanceof Error ? mask(err.message) : 'unknown error';
    logger.debug({ method: wire.method, url: mask(wire.url), error: message }, 'request failed');
    throw maskErrorUrl(err, mask);
  }
  const { response, attempts } = result;
  // The masked URL is for logs and errors only: a successful call without logging never needs it.
  let maskedUrl: string | undefined;
  const url = (): string => {
    maskedUrl ??= mask(result.url);
    return maskedUrl;
  };
  if (verbose) {
    logger.debug(
      {
        method: wire.method,
        url: url(),
        status: response.status,
        durationMs: Math.round(performance.now() - startedAt),
        attempts,
        body: loggableBody(response.body, mask),
      },
      'response',
    );
  }

  const bodyText = new TextDecoder().decode(response.body);
  const where = (): string => `${wire.method} ${url()}`;
  const statusLine = `${response.status} ${response.statusText}`.trim();
  const failed = (hint?: string) => {
    const error = new RequestFailedError({
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      body: decodeLeniently(spec.responseFormat, bodyText, where),
      method: wire.method,
      url: url(),
      attempts,
      ...(hint === undefined ? {} : { hint }),
    });
    failureBodyText.set(error, bodyText);
    return error;
  };

  if (response.status >= 400) throw failed();
  const target = { status: response.status, statusLine, bodyText };
  if (context.detectOn !== undefined && matchesResponse(context.detectOn, target)) {
    throw failed("the response body matched the client's detectOn pattern");
  }
  // A redirect that was not followed (3xx) often carries an HTML note: keep it as text if it does not decode.
  const decode = response.status >= 300 ? decodeLeniently : decodeBody;
  return {
    status: response.status,
    headers: response.headers,
    body: decode(spec.responseFormat, bodyText, where),
    url: result.url,
    attempts,
  };
}

/**
 * Decodes a response body in `format`.
 *
 * @throws {SdkError} `SLUICE_HTTP_RESPONSE_FORMAT` when it does not decode.
 */
export function decodeBody(format: ResponseFormat, text: string, where: string | (() => string)): unknown {
  if (format === 'raw') return text;
  if (format === 'xml') return fromWorkatoXml(text, typeof where === 'string' ? where : where());
  return decodeJson(text, where);
}

/** Decodes a body when it decodes, else returns the raw text (for error responses). */
function decodeLeniently(format: ResponseFormat, text: string, where: () => string): unknown {
  try {
    return decodeBody(format, text, where);
  } catch {
    return text;
  }
}

/**
 * Transport and retry errors name the URL they failed on; a token in its query must not reach the caller's
 * logs, so the error and the errors it wraps are masked in place (they were created for this request).
 */
function maskErrorUrl(err: unknown, mask: (text: string) => string): unknown {
  for (let e: unknown = err; e instanceof HttpTransportError || e instanceof MaxRetryError; e = e.cause) {
    Object.defineProperty(e, 'message', { value: mask(e.message) });
    Object.defineProperty(e, 'url', { value: mask(e.url) });
    if (e.stack !== undefined) Object.defineProperty(e, 'stack', { value: mask(e.stack) });
  }
  return err;
}
