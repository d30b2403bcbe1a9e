import { defineConnector, exchangeAuthorizationCode } from '@sluice/sdk';
import { buildAuthorizationUrl, parseTokenAnswer } from '@sluice/sdk/internal';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

function oauthConnector(tokenUrl: string | (() => string) = () => `${server.url}/oauth/token`) {
  return defineConnector({
    title: 'OAuth app',
    connection: {
      fields: [
        { name: 'client_id', optional: true },
        { name: 'client_secret', controlType: 'password', optional: true },
      ],
      baseUri: () => server.url,
      authorization: {
        type: 'oauth2',
        authorizationUrl: () => 'https://auth.example.com/authorize?scope=read',
        tokenUrl,
        clientId: ({ connection }) => String(connection.client_id),
        clientSecret: ({ connection }) => String(connection.client_secret),
      },
    },
  });
}

describe('exchangeAuthorizationCode', () => {
  it('posts the code form-encoded to the token URL and merges the tokens into the connection', async () => {
    server.handle(() => ({ body: { access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600 } }));
    const connection = await exchangeAuthorizationCode({
      connector: oauthConnector(),
      connection: { client_id: 'cid', client_secret: 'cs' },
      code: 'code-1',
      redirectUri: 'http://localhost:9000/callback',
    });
    expect(connection).toEqual({
      client_id: 'cid',
      client_secret: 'cs',
      access_token: 'at-1',
      refresh_token: 'rt-1',
      expires_in: 3600,
    });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/oauth/token');
    expect(request?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(request?.form).toEqual({
      grant_type: 'authorization_code',
      code: 'code-1',
      redirect_uri: 'http://localhost:9000/callback',
      client_id: 'cid',
      client_secret: 'cs',
    });
  });

  it('reads a form-encoded token answer and resolves a relative token URL against the base URI', async () => {
    server.handle(() => ({ body: 'access_token=at-2&token_type=bearer' }));
    const connection = await exchangeAuthorizationCode({
      connector: oauthConnector('/oauth/token'),
      connection: { client_id: 'cid', client_secret: 'cs' },
      code: 'c',
      redirectUri: 'http://localhost/cb',
    });
    expect(connection).toMatchObject({ access_token: 'at-2', token_type: 'bearer' });
    expect(server.requests[0]?.path).toBe('/oauth/token');
  });

  it('fails with SLUICE_AUTH_FAILED when the provider refuses the code', async () => {
    server.handle(() => ({ status: 400, body: { error: 'invalid_grant' } }));
    const exchange = exchangeAuthorizationCode({
      connector: oauthConnector(),
      connection: { client_id: 'cid', client_secret: 'cs' },
      code: 'used',
      redirectUri: 'http://localhost/cb',
    });
    await expect(exchange).rejects.toMatchObject({ code: 'SLUICE_AUTH_FAILED' });
    await expect(exchange).rejects.toThrow(
      'connection.authorization.tokenUrl: the token endpoint refused the request: 400 Bad Request (invalid_grant)',
    );
  });

  it('fails with SLUICE_AUTH_FAILED when the answer has no access token', async () => {
    server.handle(() => ({ body: { error: 'nope' } }));
    const exchange = exchangeAuthorizationCode({
      connector: oauthConnector(),
      connection: { client_id: 'cid', client_secret: 'cs' },
      code: 'c',
      redirectUri: 'http://localhost/cb',
    });
    await expect(exchange).rejects.toMatchObject({
      code: 'SLUICE_AUTH_FAILED',
      message:
        'connection.authorization.tokenUrl: the token endpoint answered without an access_token (got undefined)',
    });
  });

  it('refuses a connector whose authorization is not oauth2', async () => {
    const connector = defineConnector({ title: 'Key app', connection: { authorization: { type: 'none' } } });
    await expect(
      exchangeAuthorizationCode({ connector, code: 'c', redirectUri: 'http://localhost/cb' }),
    ).rejects.toMatchObject({
      code: 'SLUICE_CONNECTOR_INVALID',
      message: 'connection.authorization.type: must be "oauth2" for the authorization code flow (got "none")',
    });
  });
});

describe('buildAuthorizationUrl', () => {
  it('adds response_type, client_id, redirect_uri and state, keeping what the connector set', () => {
    const url = new URL(
      buildAuthorizationUrl({
        connector: oauthConnector(),
        connection: { client_id: 'cid' },
        redirectUri: 'http://localhost:9000/callback',
        state: 'st-1',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://auth.example.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      scope: 'read',
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'http://localhost:9000/callback',
      state: 'st-1',
    });
  });
});

describe('parseTokenAnswer', () => {
  it('reads JSON objects and forms', () => {
    expect(parseTokenAnswer('{"access_token":"a"}')).toEqual({ access_token: 'a' });
    expect(parseTokenAnswer('access_token=a&scope=x%20y')).toEqual({ access_token: 'a', scope: 'x y' });
  });
});
