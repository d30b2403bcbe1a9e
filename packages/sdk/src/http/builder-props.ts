/**
 * The state of a request builder (`request-builder.ts`): one frozen props object per builder, and
 * {@link nextProps}, which makes the props of the next builder in a chain.
 *
 * @module
 */
import type { ErrorMatcher } from './error-matcher.js';
import type { RequestSpec } from './request-spec.js';
import type { ErrorResponseContext, ResponseContext } from './response-context.js';

/** An `afterResponse` hook. */
export type ResponseHook = (response: ResponseContext<unknown>) => unknown;

/** An `afterErrorResponse` handler and what it matches. */
export interface ErrorHandler {
  readonly matcher: ErrorMatcher;
  readonly handle: (response: ErrorResponseContext) => unknown;
}

/**
 * Marks the copy of a request handed to `prepare`, and every builder derived from it, while `prepare`
 * runs. When `prepare` is async and returns such a builder, the promise machinery calls its `then`;
 * while the scope is active, `then` resolves to a box instead of sending, so the prepared request is
 * handed back rather than sent (and `prepare` is not entered again).
 */
export interface PrepareScope {
  active: boolean;
}

/** All the state of a builder. Frozen; nested records are frozen copies. `Client` is its client's context. */
export interface BuilderProps<Client> extends RequestSpec {
  readonly afterResponse: readonly ResponseHook[];
  readonly afterErrorResponse: readonly ErrorHandler[];
  readonly client: Client;
  readonly scope: PrepareScope | undefined;
}

/**
 * `props` with `changes` applied, as a new frozen object. Written out field by field: freezing an
 * object made by spreading a frozen one is many times slower in V8, and a builder is made several
 * times per request.
 */
export function nextProps<Client>(
  props: BuilderProps<Client>,
  changes: Partial<BuilderProps<Client>>,
): BuilderProps<Client> {
  return Object.freeze({
    method: changes.method ?? props.method,
    url: changes.url ?? props.url,
    params: changes.params ?? props.params,
    headers: changes.headers ?? props.headers,
    payload: 'payload' in changes ? changes.payload : props.payload,
    user: 'user' in changes ? changes.user : props.user,
    password: 'password' in changes ? changes.password : props.password,
    requestFormat: changes.requestFormat ?? props.requestFormat,
    responseFormat: changes.responseFormat ?? props.responseFormat,
    xmlRoot: 'xmlRoot' in changes ? changes.xmlRoot : props.xmlRoot,
    timeout: 'timeout' in changes ? changes.timeout : props.timeout,
    retry: 'retry' in changes ? changes.retry : props.retry,
    redirects: 'redirects' in changes ? changes.redirects : props.redirects,
    afterResponse: changes.afterResponse ?? props.afterResponse,
    afterErrorResponse: changes.afterErrorResponse ?? props.afterErrorResponse,
    client: changes.client ?? props.client,
    scope: 'scope' in changes ? changes.scope : props.scope,
  });
}

/** Shared empty values of a new builder (frozen, so sharing them is safe). */
export const NO_PARAMS: Readonly<Record<string, unknown>> = Object.freeze({});
export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
export const NO_HOOKS: readonly never[] = Object.freeze([]);
