/**
 * The data of a request, as `RequestBuilder.toSpec()` returns it: type-only declarations shared by
 * the builder (`request-builder.ts`), the wire encoder (`build-wire-request.ts`) and the exchange
 * (`exchange.ts`), so that those need not import each other.
 *
 * @module
 */
import type { RetryPolicy } from '../retry/retry-policy.js';

/** The HTTP methods the DSL has a verb for. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** How the payload is encoded. */
export type RequestFormat = 'json' | 'xml' | 'www-form-urlencoded' | 'multipart';
/** How the response body is decoded. */
export type ResponseFormat = 'json' | 'xml' | 'raw';

/** The data of a request: what `toSpec()` returns. Frozen. */
export interface RequestSpec {
  readonly method: HttpMethod;
  /** As written: relative URLs resolve against the client's `baseUri` when sent. */
  readonly url: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: unknown;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly requestFormat: RequestFormat;
  readonly responseFormat: ResponseFormat;
  /** The root element name for XML payloads. */
  readonly xmlRoot: string | undefined;
  /** Seconds, for connect and for read. */
  readonly timeout: number | undefined;
  readonly retry: RetryPolicy | undefined;
  /**
   * `follow` (`followRedirects()`), `ignore` (`ignoreRedirects()`) or `undefined`: the default, where
   * `GET` and `HEAD` follow redirects and a 303 is followed as a `GET` (see `follow-redirects.ts`).
   */
  readonly redirects: 'follow' | 'ignore' | undefined;
}
