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
import { RetryPolicy } from '../retry/retry-policy.js';
import { type SendResult, sendWithRetry } from '../retry/send-with-retry.js';
import { buildWireRequest } from './build-wire-request.js';
import { type ErrorMatcher, matchesAuthPattern } from './error-matcher.js';
import { sendFollowingRedirects } from './follow-redirects.js';
import { decodeJson } from './formats/json.js';
import { fromWorkatoXml } from './formats/xml.js';
import { createMasker, loggableBody, type Masker, maskHeaders } from './mask-secrets.js';
import type { RequestSpec, ResponseFormat } from './request-spec.js';
import type { HttpTransport, WireRequest } from './transport.js';

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
  // Masking is for logs and errors only: a successful call without logging never builds the masker.
  let masker: Masker | undefined;
  const getMasker = (): Masker => {
    masker ??= createMasker(
      spec.password === undefined ? context.secrets : [...context.secrets, spec.password],
    );
    return masker;
  };
  const mask = (text: string): string => getMasker()(text);
  const built = buildWireRequest(spec, context.baseUri, mask);
  const wire = built instanceof Promise ? await built : built;
  const { logger } = context;
  // Masking headers and bodies for the log costs more than the rest of the call: only when it is written.
  const verbose = logsDebug(logger);
  const startedAt = verbose ? performance.now() : 0;
  if (verbose) {
    logger.debug(
      {
        method: wire.method,
        url: mask(wire.url),
        headers: maskHeaders(wire.headers, getMasker()),
        body: loggableBody(wire.body, getMasker()),
      },
      'request',
    );
  }

  const timeoutMs = spec.timeout === undefined ? undefined : spec.timeout * 1000;
  let result: SendResult;
  try {
    const policy = spec.retry ?? context.retry;
    result =
      policy === undefined
        ? await sendFollowingRedirects(wire, {
            transport: context.transport,
            signal,
            timeoutMs,
            mode: spec.redirects,
          })
        : await sendWithRetry(wire, spec.redirects === 'ignore' ? withoutRedirects(policy) : policy, {
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
  const where = (): string => `${wire.method} ${mask(result.url)}`;
  if (verbose) {
    logger.debug(
      {
        method: wire.method,
        url: mask(result.url),
        status: response.status,
        durationMs: Math.round(performance.now() - startedAt),
        attempts,
        body: loggableBody(response.body, getMasker()),
      },
      'response',
    );
  }

  const bodyText = utf8.decode(response.body);
  if (response.status >= 400) throw failure(spec, wire, result, bodyText, mask);
  const { detectOn } = context;
  if (detectOn !== undefined) {
    if (matchesAuthPattern(detectOn, { status: response.status, message: undefined, bodyText })) {
      throw failure(
        spec,
        wire,
        result,
        bodyText,
        mask,
        "the response body matched the client's detectOn pattern",
      );
    }
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

/** `policy` with redirects returned, not followed (`ignoreRedirects()` on a request that retries). */
function withoutRedirects(policy: RetryPolicy): RetryPolicy {
  return RetryPolicy.from({ ...policy.options, redirect: false });
}

/** One decoder for every response: decoding keeps no state between calls. */
const utf8 = new TextDecoder();

/** The `RequestFailedError` of a failed response (status 400 or more, or a `detectOn` match). */
function failure(
  spec: RequestSpec,
  wire: WireRequest,
  result: SendResult,
  bodyText: string,
  mask: (text: string) => string,
  hint?: string,
): RequestFailedError {
  const { response, attempts } = result;
  const url = mask(result.url);
  const error = new RequestFailedError({
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    body: decodeLeniently(spec.responseFormat, bodyText, () => `${wire.method} ${url}`),
    method: wire.method,
    url,
    attempts,
    ...(hint === undefined ? {} : { hint }),
  });
  failureBodyText.set(error, bodyText);
  return error;
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
