/**
 * Phase "send", part two: one step item's HTTP call through the SDK's retry loop (`sendWithRetry`,
 * urllib3 2.x semantics), with every attempt recorded and the outcome sorted into the engine's error
 * classes. The loop decides on retries and waits; this module only observes it. An item that resumes
 * after a stored wait continues its history and its retry budget (`previous`).
 *
 * @module
 */
import { HttpTransportError, isSluiceError, type Logger, MaxRetryError, type RetryPolicy } from '@sluice/sdk';
import {
  classifyError,
  type HttpTransport,
  RETRY_AFTER_STATUS_CODES,
  sendWithRetry,
  type WireRequest,
  type WireResponse,
} from '@sluice/sdk/internal';
import type { StepErrorClass } from '../../errors.js';
import { isoTime } from '../../model/iso-time.js';
import type { Redactor } from '../../secrets/redactor.js';
import type { AttemptEntry } from '../../store/store.js';
import { RunSuspended, type Waiter } from '../waits.js';
import { recordExchange } from './exchange-record.js';
import { resumePolicy } from './resume-policy.js';

/** How much of a failed response body is kept, in bytes. */
export const ERROR_BODY_BYTES = 1024;

/** Options of {@link sendCall}. */
export interface SendCallOptions {
  transport: HttpTransport;
  policy: RetryPolicy;
  /** Seconds, for the connect and for the read of each attempt. */
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Waits between attempts (backoff, Retry-After). */
  wait: Waiter;
  now: () => number;
  random?: (() => number) | undefined;
  logger: Logger;
  /**
   * The attempts the item had committed before a stored wait: they count against `policy` again and
   * head the history. @default []
   */
  previous?: readonly AttemptEntry[] | undefined;
  /**
   * Awaited before each attempt (redirect hops and retries too), with the request about to go: the
   * step's `rate_limit` takes a token here. Its wait is added to the attempt's `wait_ms`; it rejects
   * with the signal's reason when the run is aborted.
   */
  beforeAttempt?: ((request: WireRequest, signal: AbortSignal | undefined) => Promise<void>) | undefined;
  /**
   * Makes {@link CallFailed.body} from the last response's bytes. The engine passes its redactor's
   * `excerpt`, which redacts before it cuts: a cut first could split a secret and keep its start.
   * @default {@link bodyStart}
   */
  errorBody?: ((body: Uint8Array) => string) | undefined;
  /**
   * Records each attempt's request and response on its history entry (`AttemptEntry.exchanges`, issue
   * 15), redacted with the redactor this gives at the time. @default not recorded
   */
  record?: (() => Redactor) | undefined;
}

/**
 * A call that ended with a response below 400, or, with `raise_on_status: false`, with the last response
 * of a status its retries ran out on (urllib3 returns it instead of raising `MaxRetryError`).
 */
export interface CallSucceeded {
  ok: true;
  response: WireResponse;
  /** The URL that answered, after redirects. */
  url: string;
  attempts: number;
  history: AttemptEntry[];
}

/** A call that failed under the retry policy, or whose final status was 400 or more. */
export interface CallFailed {
  ok: false;
  errorClass: Exclude<StepErrorClass, 'template'>;
  message: string;
  /** The last HTTP status, when a response arrived. */
  status?: number;
  /** The first 1 KB of the last response body (see {@link SendCallOptions.errorBody}). */
  body?: string;
  /** The last response, when there was one (for logging). */
  response?: WireResponse;
  attempts: number;
  history: AttemptEntry[];
  cause: unknown;
}

/** The outcome of {@link sendCall}. */
export type CallOutcome = CallSucceeded | CallFailed;

/**
 * Sends `request` under `policy`. Never throws for HTTP failures: they become a {@link CallFailed}.
 * `attempts` counts every request sent, redirect hops and failed connects included.
 *
 * @throws `signal.reason` when aborted; {@link RunSuspended} with the attempts so far when `wait`
 * suspends the run; whatever else `wait` throws.
 */
export async function sendCall(request: WireRequest, options: SendCallOptions): Promise<CallOutcome> {
  const { now } = options;
  const errorBody = options.errorBody ?? bodyStart;
  const previous = options.previous ?? [];
  const history: AttemptEntry[] = previous.map((entry) => ({ ...entry }));
  let nextWait = waitSince(previous, now());
  let last: WireResponse | undefined;
  const transport: HttpTransport = {
    async send(req, opts) {
      const ready = now();
      if (options.beforeAttempt !== undefined)
        await options.beforeAttempt(req, opts.signal ?? options.signal);
      const started = now();
      const entry: AttemptEntry = {
        started_at: isoTime(started),
        duration_ms: 0,
        wait_ms: nextWait + (started - ready),
      };
      nextWait = 0;
      history.push(entry);
      let response: WireResponse | undefined;
      try {
        response = await options.transport.send(req, opts);
        entry.status = response.status;
        last = response;
        return response;
      } catch (err) {
        if (err instanceof HttpTransportError) entry.error = classifyError(err);
        last = undefined;
        throw err;
      } finally {
        entry.duration_ms = Math.max(0, now() - started);
        // Redacted and cut at once: the raw response is not kept past its attempt.
        const redactor = options.record?.();
        if (redactor !== undefined) {
          const error = response === undefined ? (entry.error ?? 'other') : undefined;
          const exchange = {
            request: req,
            response,
            error,
            startedAt: started,
            durationMs: entry.duration_ms,
          };
          entry.exchanges = [recordExchange(exchange, redactor)];
        }
      }
    },
  };
  const timeoutMs = options.timeout === undefined ? undefined : options.timeout * 1000;
  try {
    const policy =
      previous.length === 0
        ? options.policy
        : resumePolicy(options.policy, previous, request.method, request.url);
    const result = await sendWithRetry(request, policy, {
      transport,
      signal: options.signal,
      connectTimeoutMs: timeoutMs,
      readTimeoutMs: timeoutMs,
      now,
      ...(options.random === undefined ? {} : { random: options.random }),
      logger: options.logger,
      sleep: async (ms, signal) => {
        nextWait = ms;
        await options.wait(ms, signal);
      },
    });
    const { response } = result;
    const method = result.history.at(-1)?.method ?? request.method;
    if (response.status >= 400 && !statusRetriesRanOut(options.policy, method, response, now())) {
      return {
        ok: false,
        errorClass: 'status',
        message: `${request.method} ${result.url} answered ${statusLine(response)}`,
        status: response.status,
        body: errorBody(response.body),
        response,
        attempts: history.length,
        history,
        cause: undefined,
      };
    }
    return { ok: true, response, url: result.url, attempts: history.length, history };
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (err instanceof RunSuspended) throw err.withAttempts(history);
    const failure = classify(err);
    if (failure === undefined) throw err;
    const response = last;
    return {
      ok: false,
      ...failure,
      ...(response === undefined
        ? {}
        : { status: response.status, body: errorBody(response.body), response }),
      attempts: history.length,
      history,
      cause: err,
    };
  }
}

/**
 * Whether `response` is one the policy retries (`status_forcelist`, or 413/429/503 with Retry-After) and
 * `raise_on_status` is false: the retry loop returns such a response only once the retries ran out, as
 * urllib3 does, and the author asked for it instead of an error.
 */
function statusRetriesRanOut(
  policy: RetryPolicy,
  method: string,
  response: WireResponse,
  at: number,
): boolean {
  if (policy.options.raise_on_status) return false;
  const hasRetryAfter =
    RETRY_AFTER_STATUS_CODES.includes(response.status) && policy.getRetryAfter(response, at) !== undefined;
  return policy.isRetry(method, response.status, hasRetryAfter);
}

/** The stored wait before a resumed item's next attempt: the time since its last attempt ended. */
function waitSince(previous: readonly AttemptEntry[], at: number): number {
  const last = previous.at(-1);
  return last === undefined ? 0 : Math.max(0, at - Date.parse(last.started_at) - last.duration_ms);
}

function classify(err: unknown): { errorClass: CallFailed['errorClass']; message: string } | undefined {
  if (err instanceof MaxRetryError) {
    // The egress guard's refusal is the reason worth showing, not the retry count.
    const cause = err.cause;
    if (cause instanceof HttpTransportError && cause.message.startsWith('SLUICE_EGRESS_DENIED')) {
      return { errorClass: err.reason, message: cause.message };
    }
    return { errorClass: err.reason, message: err.message };
  }
  if (err instanceof HttpTransportError) return { errorClass: classifyError(err), message: err.message };
  if (isSluiceError(err, 'SLUICE_HTTP_REDIRECT')) return { errorClass: 'redirect', message: err.message };
  if (isSluiceError(err) && err.code.startsWith('SLUICE_HTTP_')) {
    return { errorClass: 'other', message: err.message };
  }
  return undefined;
}

function statusLine(response: WireResponse): string {
  return `${response.status} ${response.statusText}`.trim();
}

/** The first 1 KB of a body as text (a character cut at the boundary becomes U+FFFD). */
export function bodyStart(body: Uint8Array): string {
  return new TextDecoder().decode(body.subarray(0, ERROR_BODY_BYTES));
}
