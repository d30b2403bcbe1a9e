/**
 * The authorization controller the runtime plugs into its HTTP client. `prepare` applies the connector's
 * authorization (see `authorization.ts`) to each request with the current connection; `around` catches a
 * failed response that matches `refreshOn` (default: every failed response, as the Workato gem's
 * `refresh?`), refreshes (oauth2) or re-acquires (custom_auth or api_key with `acquire`) the credentials,
 * merges them into the connection and sends the request once more. The `http` handed to `acquire` and
 * `refresh` applies no authorization.
 *
 * An `acquire` acquires on first need: when a response matches `refreshOn` (so a request sent before
 * anything was acquired fails, acquires, and is sent again), or when the runtime's `acquire()` is called.
 *
 * @module
 */
import { STATUS_CODES } from 'node:http';
import { RequestFailedError, SdkError } from '../errors.js';
import { type ErrorMatcher, matchesAuthPattern } from '../http/error-matcher.js';
import { failureBodyText } from '../http/exchange.js';
import type { HttpClient, RequestBuilder } from '../http/request-builder.js';
import type { ApplyResult, Authorization } from './authorization.js';
import type { ConnectionValues } from './connection-values.js';
import { describeValue } from './define-connector.js';
import { refreshAccessToken } from './oauth2.js';

/** What the controller needs from the runtime. */
export interface AuthorizationHost {
  /** The current connection. */
  connection(): Readonly<ConnectionValues>;
  /** Merges `values` into the connection and tells whoever listens. */
  update(values: ConnectionValues): Promise<void>;
  /** An HTTP client that applies no authorization (for acquire and refresh). */
  bareHttp(): HttpClient;
  /** Called when an acquire or refresh is over, after `update` when it succeeded. */
  settled?(): void;
}

/** The authorization side of a runtime's HTTP client. */
export interface AuthorizationController {
  readonly detectOn: ErrorMatcher | undefined;
  /**
   * Whether {@link AuthorizationController.around} can do anything but send: true for oauth2 and
   * custom_auth (they refresh on `refreshOn`), false for the others, whose `around` only sends.
   */
  readonly renews: boolean;
  /** Applies the authorization to a request with the current connection. */
  prepare(request: RequestBuilder<unknown>): RequestBuilder<unknown> | Promise<RequestBuilder<unknown>>;
  /** Sends; on a `refreshOn` match refreshes or acquires, then sends once more. */
  around<R>(send: () => Promise<R>): Promise<R>;
  /** Acquires (custom_auth) or refreshes (oauth2) now; does nothing for other types. */
  acquire(): Promise<void>;
}

const PATH = 'connection.authorization';

/** Builds the controller for `authorization` (none when absent). */
export function createAuthorization(
  authorization: Authorization | undefined,
  host: AuthorizationHost,
): AuthorizationController {
  const auth: Authorization = authorization ?? { type: 'none' };
  // As the gem's `reauthorizable?`: oauth2, or any type with `acquire`.
  const renews = reauthorizable(auth);
  const refreshOn = renews && 'refreshOn' in auth ? auth.refreshOn : undefined;
  let generation = 0;
  let inflight: Promise<void> | undefined;

  const renew = (): Promise<void> => {
    inflight ??= renewCredentials(auth, host).finally(() => {
      generation += 1;
      inflight = undefined;
      host.settled?.();
    });
    return inflight;
  };

  return {
    detectOn: auth.detectOn,
    renews,
    prepare: (request) => applyAuthorization(auth, host.connection(), request),
    async around<R>(send: () => Promise<R>): Promise<R> {
      if (!renews) return send();
      const sentAt = generation;
      try {
        return await send();
      } catch (err) {
        if (!matchesFailure(refreshOn, err)) throw err;
        // Another request may have renewed the credentials while this one was out: just send again.
        if (sentAt === generation) await renew();
        return send();
      }
    },
    acquire: () => (renews ? renew() : Promise.resolve()),
  };
}

function reauthorizable(auth: Authorization): boolean {
  if (auth.type === 'oauth2') return true;
  return (auth.type === 'custom_auth' || auth.type === 'api_key') && auth.acquire !== undefined;
}

/** Tells whether a failure is a response (error status, or a success `detectOn` flagged) that `matcher` matches. */
export function matchesFailure(matcher: ErrorMatcher | undefined, err: unknown): boolean {
  if (!(err instanceof RequestFailedError)) return false;
  // No refreshOn: every failed response calls for new credentials (the gem's `refresh?`).
  if (matcher === undefined) return true;
  const body = err.body;
  const bodyText =
    failureBodyText.get(err) ?? (typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));
  // A success detectOn flagged is, in the gem, an error whose message is the body, with no status.
  if (err.status < 400)
    return matchesAuthPattern(matcher, { status: undefined, message: bodyText, bodyText: undefined });
  const reason = STATUS_CODES[err.status] ?? err.statusText;
  return matchesAuthPattern(matcher, {
    status: err.status,
    message: `${err.status} ${reason}`.trim(),
    bodyText,
  });
}

/**
 * Applies the authorization. Never awaits a builder: awaiting one sends it (inside `prepare` the client
 * boxes it instead), so an async `apply` result is passed on as the promise it is.
 */
function applyAuthorization(
  auth: Authorization,
  connection: Readonly<ConnectionValues>,
  request: RequestBuilder<unknown>,
): RequestBuilder<unknown> | Promise<RequestBuilder<unknown>> {
  switch (auth.type) {
    case 'none':
      return request;
    case 'basic_auth':
      if (auth.apply) return checkApplied(auth.apply({ connection, request }));
      return request.user(credential(connection, 'username')).password(credential(connection, 'password'));
    case 'oauth2':
      if (auth.apply) return checkApplied(auth.apply({ connection, request }));
      // Without a token the request goes out bare; its 401 triggers the refresh.
      return typeof connection.access_token === 'string' && connection.access_token !== ''
        ? request.headers({ Authorization: `Bearer ${connection.access_token}` })
        : request;
    default:
      return checkApplied(auth.apply({ connection, request }));
  }
}

function credential(connection: Readonly<ConnectionValues>, name: 'username' | 'password'): string {
  const value = connection[name];
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new SdkError(
    'SLUICE_AUTH_FAILED',
    `connection.${name}: basic_auth needs it (got ${describeValue(value)})`,
    {
      hint: 'add username and password to the connection, or give the authorization an apply function',
    },
  );
}

function checkApplied(value: ApplyResult): RequestBuilder<unknown> | Promise<RequestBuilder<unknown>> {
  // The promise resolves to what the client boxed; typed as the builder it stands for.
  if (value instanceof Promise) return value.then(checkObject) as Promise<RequestBuilder<unknown>>;
  return typeof (value as Partial<RequestBuilder<unknown>> | undefined)?.toSpec === 'function'
    ? value
    : checkObject(value);
}

/** An async `apply` resolves to the client's box around the builder: any object is passed on. */
function checkObject(value: unknown): RequestBuilder<unknown> {
  if (typeof value === 'object' && value !== null) return value as RequestBuilder<unknown>;
  throw new SdkError(
    'SLUICE_CONNECTOR_INVALID',
    `${PATH}.apply: must return the request (got ${describeValue(value)})`,
    {
      hint: 'builders are immutable: return request.headers(...) or request.params(...)',
    },
  );
}

async function renewCredentials(auth: Authorization, host: AuthorizationHost): Promise<void> {
  const connection = host.connection();
  const http = host.bareHttp();
  let values: unknown;
  let step = `${PATH}.acquire`;
  try {
    if ((auth.type === 'custom_auth' || auth.type === 'api_key') && auth.acquire !== undefined) {
      values = await auth.acquire({ connection, http });
    } else if (auth.type === 'oauth2') {
      const refreshToken =
        typeof connection.refresh_token === 'string' ? connection.refresh_token : undefined;
      step = `${PATH}.refresh`;
      if (auth.refresh) values = await auth.refresh({ connection, refreshToken, http });
      else values = await refreshAccessToken({ authorization: auth, connection, refreshToken, http });
    } else {
      return;
    }
  } catch (err) {
    if (err instanceof SdkError && err.code === 'SLUICE_AUTH_FAILED') throw err;
    throw new SdkError('SLUICE_AUTH_FAILED', `${step}: failed: ${(err as Error)?.message ?? String(err)}`, {
      hint: 'check the connection credentials, or connect again',
      cause: err,
    });
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new SdkError(
      'SLUICE_AUTH_FAILED',
      `${step}: must return the values to merge into the connection (got ${describeValue(values)})`,
      {
        hint: 'return an object such as { session_token }',
      },
    );
  }
  const merged: ConnectionValues = { ...(values as ConnectionValues) };
  // A refresh answer without a refresh token keeps the one the connection has.
  if (auth.type === 'oauth2' && (merged.refresh_token === undefined || merged.refresh_token === null)) {
    delete merged.refresh_token;
  }
  await host.update(merged);
}
