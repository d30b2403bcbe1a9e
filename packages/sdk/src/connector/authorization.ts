/**
 * Connection authorization as a connector declares it: the five types (`none`, `basic_auth`, `api_key`,
 * `oauth2`, `custom_auth`) and the contexts their functions receive. The controller that applies them
 * to requests is in `authorization-controller.ts`. Type-only.
 *
 * @module
 */
import type { ErrorMatcher } from '../http/error-matcher.js';
import type { HttpClient, RequestBuilder } from '../http/request-builder.js';
import type { ConnectionValues } from './connection-values.js';

/** What `apply` receives: the current connection and the request to authorize. */
export interface ApplyContext {
  readonly connection: Readonly<ConnectionValues>;
  /** Builders are immutable: return `request.headers(...)`, `request.params(...)`, ... */
  readonly request: RequestBuilder<unknown>;
}

/**
 * What `apply` returns: the request with credentials added, or (from an async `apply`) a promise of it.
 * An async function's result type says `Promise<unknown>` because a builder is a thenable.
 */
export type ApplyResult = RequestBuilder<unknown> | Promise<unknown>;

/** What `acquire` receives. */
export interface AcquireContext {
  readonly connection: Readonly<ConnectionValues>;
  /** An HTTP client with the connection's base URI that applies no authorization. */
  readonly http: HttpClient;
}

/** What an oauth2 `refresh` receives. */
export interface RefreshContext extends AcquireContext {
  /** The connection's `refresh_token`, when it has one. */
  readonly refreshToken: string | undefined;
}

/** A string, or a function of the connection that returns one. */
export type ConnectionString =
  | string
  | ((context: { readonly connection: Readonly<ConnectionValues> }) => string);

/** No authorization. */
export interface NoneAuthorization {
  readonly type: 'none';
  /** Marks successful responses whose body matches as failures. */
  readonly detectOn?: ErrorMatcher;
}

/** HTTP basic auth. */
export interface BasicAuthorization {
  readonly type: 'basic_auth';
  /** @default `request.user(connection.username).password(connection.password)` */
  apply?(context: ApplyContext): ApplyResult;
  readonly detectOn?: ErrorMatcher;
}

/**
 * A key or token the user pastes in, sent as the author's `apply` says. With `acquire`, it is renewed
 * as a `custom_auth` one is (Workato treats any type with `acquire` alike).
 */
export interface ApiKeyAuthorization {
  readonly type: 'api_key';
  apply(context: ApplyContext): ApplyResult;
  /** Gets credentials (e.g. exchanges the key for a token); what it returns is merged into the connection. */
  acquire?(context: AcquireContext): ConnectionValues | Promise<ConnectionValues>;
  /**
   * Failed responses that call for `acquire` again (needs `acquire`); see {@link CustomAuthorization.refreshOn}.
   * @default every failed response
   */
  readonly refreshOn?: ErrorMatcher;
  /** Marks successful responses as failures; matched as {@link CustomAuthorization.refreshOn} is. */
  readonly detectOn?: ErrorMatcher;
}

/**
 * OAuth 2 authorization code flow. Tokens live in the connection as `access_token` and `refresh_token`.
 */
export interface OAuth2Authorization {
  readonly type: 'oauth2';
  /** The provider's consent page URL (client id and scopes included); the runtime adds `redirect_uri` and `state`. */
  authorizationUrl(context: { readonly connection: Readonly<ConnectionValues> }): string;
  readonly tokenUrl: ConnectionString;
  readonly clientId: ConnectionString;
  readonly clientSecret: ConnectionString;
  /** @default an `Authorization: Bearer <access_token>` header */
  apply?(context: ApplyContext): ApplyResult;
  /**
   * Gets new tokens; what it returns is merged into the connection (a missing `refresh_token` keeps the
   * old one). @default the standard `refresh_token` grant, form-encoded to `tokenUrl`
   */
  refresh?(context: RefreshContext): ConnectionValues | Promise<ConnectionValues>;
  /**
   * Failed responses that call for a refresh, matched as {@link CustomAuthorization.refreshOn} is.
   * @default every failed response (status 400 or more, or a `detectOn` match), as in Workato
   */
  readonly refreshOn?: ErrorMatcher;
  readonly detectOn?: ErrorMatcher;
}

/**
 * Any other scheme: `acquire` gets credentials (a session token, ...) and `apply` sends them. Without
 * `acquire`, `apply` sends what the connection holds and nothing is renewed.
 */
export interface CustomAuthorization {
  readonly type: 'custom_auth';
  /** Gets credentials; what it returns is merged into the connection. Its string values are masked in logs. */
  acquire?(context: AcquireContext): ConnectionValues | Promise<ConnectionValues>;
  apply(context: ApplyContext): ApplyResult;
  /**
   * Failed responses that call for `acquire` again (then the request is sent once more), matched as
   * Workato does: a status code equals the status; a string equals the whole body or the whole
   * `401 Unauthorized` message (not a substring); a RegExp is tested on both. Needs `acquire`.
   * @default every failed response (status 400 or more, or a `detectOn` match), as in Workato
   */
  readonly refreshOn?: ErrorMatcher;
  /** Marks successful responses as failures: a string equals the whole body, a RegExp matches it. */
  readonly detectOn?: ErrorMatcher;
}

/** How a connection authorizes its requests. */
export type Authorization =
  | NoneAuthorization
  | BasicAuthorization
  | ApiKeyAuthorization
  | OAuth2Authorization
  | CustomAuthorization;

/** The authorization types. */
export type AuthorizationType = Authorization['type'];
