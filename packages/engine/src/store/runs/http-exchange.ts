/**
 * What an attempt records of the HTTP it sent and received (issue 15, "Inspection"): the request as sent
 * and the response as received, redacted as run records are, bodies cut at
 * {@link EXCHANGE_BODY_BYTES}. They ride on their attempt in memory (`AttemptEntry.exchanges`) and are
 * stored apart from the history, in the `exchanges` column of their step or item row (migration 0007),
 * so the run record stays lean and pruning clears one column (`runs/run-codec.ts`).
 *
 * @module
 */

/** How much of a request or response body an exchange keeps, in bytes (64 KiB). */
export const EXCHANGE_BODY_BYTES = 64 * 1024;

/** A body as recorded: text when it is UTF-8, else base64 of its bytes. */
export interface RecordedBody {
  /** The start of the body, redacted (`''` when there is none). */
  body: string;
  /** `utf-8`: `body` is the text; `base64`: the bytes (not UTF-8) in base64. */
  encoding: 'utf-8' | 'base64';
  /** The size of the whole body as sent or received, in bytes. */
  body_bytes: number;
  /** True when the body was longer than {@link EXCHANGE_BODY_BYTES} and only its start is kept. */
  cut: boolean;
}

/** A request as sent. */
export interface RecordedRequest extends RecordedBody {
  method: string;
  /** The absolute URL, query string included, redacted. */
  url: string;
  /** As sent, redacted (`Authorization`, `Cookie` and other secret names are always masked). */
  headers: Record<string, string>;
  /** True when a header value was longer than the header cap and only its start is kept. */
  headers_cut?: true;
}

/** A response as received. */
export interface RecordedResponse extends RecordedBody {
  status: number;
  /** Lower-case names, redacted (`Set-Cookie` is always masked). */
  headers: Record<string, string | string[]>;
  /** True when a header value was longer than the header cap and only its start is kept. */
  headers_cut?: true;
}

/**
 * One HTTP request and what came back. An HTTP step's attempt holds one; a connector action's attempt
 * holds every request its connector sent (retries, redirects and pages included).
 */
export interface HttpExchange {
  /** ISO time the request started. */
  started_at: string;
  duration_ms: number;
  request: RecordedRequest;
  /** Absent when no response arrived (see `error`). */
  response?: RecordedResponse;
  /** The error class when no response arrived: connect, read, timeout, other. */
  error?: string;
}
