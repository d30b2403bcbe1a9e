/**
 * OAuth 2 helpers: the consent URL, the authorization-code exchange, and the standard refresh_token
 * grant. Token requests are form-encoded POSTs to the connector's `tokenUrl` with the client id and
 * secret in the body; answers are read as JSON (or as a form, as some providers send).
 *
 * @module
 */
import { RequestFailedError, SdkError } from '../errors.js';
import { createHttpClient } from '../http/http-client.js';
import type { HttpClient } from '../http/request-builder.js';
import type { HttpTransport } from '../http/transport.js';
import type { Logger } from '../logger.js';
import type { OAuth2Authorization } from './authorization.js';
import {
  type ConnectionValues,
  type Connector,
  describeValue,
  resolveBaseUri,
  resolveConnectionString,
} from './define-connector.js';

const PATH = 'connection.authorization';

/** Options of {@link exchangeAuthorizationCode}. */
export interface ExchangeAuthorizationCodeOptions {
  /** A connector whose authorization is `oauth2`. */
  readonly connector: Connector;
  /** The connection values so far (client id and secret may come from them). @default {} */
  readonly connection?: Readonly<ConnectionValues>;
  /** The `code` the provider sent to the redirect URI. */
  readonly code: string;
  /** The redirect URI used in the consent URL; the provider checks they match. */
  readonly redirectUri: string;
  /** @default the shared undici transport */
  readonly transport?: HttpTransport;
  /** @default silent */
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
}

/**
 * Exchanges an OAuth 2 authorization code for tokens and returns the connection with them merged in
 * (`access_token`, `refresh_token`, and whatever else the token endpoint answered).
 *
 * @throws {SdkError} `SLUICE_AUTH_FAILED` when the token endpoint refuses the code or answers without an
 *   access token; `SLUICE_CONNECTOR_INVALID` when the connector's authorization is not oauth2.
 * @example
 * const connection = await exchangeAuthorizationCode({
 *   connector, connection: {}, code: url.searchParams.get('code') ?? '', redirectUri: 'http://localhost:8080/callback',
 * });
 */
export async function exchangeAuthorizationCode(
  options: ExchangeAuthorizationCodeOptions,
): Promise<ConnectionValues> {
  const authorization = oauth2Of(options.connector);
  const connection = options.connection ?? {};
  const clientSecret = resolveConnectionString(
    authorization.clientSecret,
    connection,
    `${PATH}.clientSecret`,
  );
  const http = createHttpClient({
    baseUri: resolveBaseUri(options.connector.connection, connection),
    transport: options.transport,
    logger: options.logger,
    signal: options.signal,
    secrets: [clientSecret, options.code],
  });
  const tokens = await requestToken(http, authorization, connection, `${PATH}.tokenUrl`, {
    grant_type: 'authorization_code',
    code: options.code,
    redirect_uri: options.redirectUri,
  });
  return { ...connection, ...tokens };
}

/** Options of {@link buildAuthorizationUrl}. */
export interface BuildAuthorizationUrlOptions {
  readonly connector: Connector;
  readonly connection?: Readonly<ConnectionValues>;
  readonly redirectUri: string;
  /** An unguessable value the callback checks, against CSRF. */
  readonly state?: string;
}

/**
 * The consent page URL: the connector's `authorizationUrl`, plus `response_type=code`, `client_id`,
 * `redirect_uri` and `state` where it does not set them.
 *
 * @throws {SdkError} `SLUICE_CONNECTOR_INVALID` when the authorization is not oauth2 or the URL is invalid.
 */
export function buildAuthorizationUrl(options: BuildAuthorizationUrlOptions): string {
  const authorization = oauth2Of(options.connector);
  const connection = options.connection ?? {};
  const raw = resolveConnectionString(
    (context) => authorization.authorizationUrl(context),
    connection,
    `${PATH}.authorizationUrl`,
  );
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new SdkError('SLUICE_CONNECTOR_INVALID', `${PATH}.authorizationUrl: not an absolute URL (${raw})`, {
      hint: "return the provider's full consent URL, such as https://example.com/oauth/authorize",
      cause: err,
    });
  }
  const defaults: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: resolveConnectionString(authorization.clientId, connection, `${PATH}.clientId`),
    redirect_uri: options.redirectUri,
    state: options.state,
  };
  for (const [key, value] of Object.entries(defaults)) {
    if (value !== undefined && !url.searchParams.has(key)) url.searchParams.set(key, value);
  }
  return url.toString();
}

/**
 * The standard refresh: the `refresh_token` grant, form-encoded to `tokenUrl`. Returns the token answer.
 *
 * @throws {SdkError} `SLUICE_AUTH_FAILED` when there is no refresh token or the endpoint refuses it.
 */
export async function refreshAccessToken(options: {
  authorization: OAuth2Authorization;
  connection: Readonly<ConnectionValues>;
  refreshToken: string | undefined;
  http: HttpClient;
}): Promise<ConnectionValues> {
  if (options.refreshToken === undefined || options.refreshToken === '') {
    throw new SdkError(
      'SLUICE_AUTH_FAILED',
      'connection.refresh_token: missing, so the access token cannot be refreshed',
      {
        hint: 'connect again through the authorization code flow',
      },
    );
  }
  return requestToken(options.http, options.authorization, options.connection, `${PATH}.refresh`, {
    grant_type: 'refresh_token',
    refresh_token: options.refreshToken,
  });
}

async function requestToken(
  http: HttpClient,
  authorization: OAuth2Authorization,
  connection: Readonly<ConnectionValues>,
  path: string,
  grant: Record<string, string>,
): Promise<ConnectionValues> {
  const tokenUrl = resolveConnectionString(authorization.tokenUrl, connection, `${PATH}.tokenUrl`);
  const form = {
    ...grant,
    client_id: resolveConnectionString(authorization.clientId, connection, `${PATH}.clientId`),
    client_secret: resolveConnectionString(authorization.clientSecret, connection, `${PATH}.clientSecret`),
  };
  let text: string;
  try {
    text = await http
      .post(tokenUrl, form)
      .requestFormatWwwFormUrlencoded()
      .headers({ Accept: 'application/json' })
      .responseFormatRaw();
  } catch (err) {
    throw new SdkError(
      'SLUICE_AUTH_FAILED',
      `${path}: the token endpoint refused the request: ${describeFailure(err)}`,
      {
        hint: 'check the client id and secret, or connect again',
        cause: err,
      },
    );
  }
  const tokens = parseTokenAnswer(text);
  if (typeof tokens.access_token !== 'string' || tokens.access_token === '') {
    throw new SdkError(
      'SLUICE_AUTH_FAILED',
      `${path}: the token endpoint answered without an access_token (got ${describeValue(tokens.access_token)})`,
      { hint: 'check tokenUrl; the answer must be JSON (or a form) with access_token' },
    );
  }
  return tokens;
}

/** Reads a token answer: a JSON object, or `a=b&c=d` as some providers send. */
export function parseTokenAnswer(text: string): ConnectionValues {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as ConnectionValues;
  } catch {
    // Not JSON: try a form below.
  }
  return Object.fromEntries(new URLSearchParams(text.trim()));
}

function describeFailure(err: unknown): string {
  if (err instanceof RequestFailedError) {
    const body = typeof err.body === 'string' ? parseTokenAnswer(err.body) : err.body;
    const code = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    const detail = typeof code === 'string' ? ` (${code})` : '';
    return `${err.status} ${err.statusText}${detail} from ${err.method} ${err.url}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function oauth2Of(connector: Connector): OAuth2Authorization {
  const authorization = connector.connection?.authorization;
  if (authorization?.type !== 'oauth2') {
    throw new SdkError(
      'SLUICE_CONNECTOR_INVALID',
      `${PATH}.type: must be "oauth2" for the authorization code flow (got ${describeValue(authorization?.type)})`,
      {
        hint: "declare authorization: { type: 'oauth2', authorizationUrl, tokenUrl, clientId, clientSecret }",
      },
    );
  }
  return authorization;
}
