/**
 * A connector written the way Workato connectors are (`connection.authorization` with `acquire`,
 * `apply`, `refresh_on` and `detect_on`; form-encoded token requests; redirects), in Sluice's notation.
 * The API is `api.ts`. Settings: `base_url`, `username`, `password`.
 */
import { defineConnector } from '@sluice/sdk';

export default defineConnector({
  title: 'Workato-style ledger',
  connection: {
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'custom_auth',
      // A login whose answer carries a session id under a key no secret pattern knows.
      acquire: async ({ connection, http }) => {
        const login = await http
          .post<{ session: { sid: string } }>('/login', {
            user: connection.username,
            pass: connection.password,
            scope: ['read', 'write'],
            client: { version: '2', name: 'sluice' },
          })
          .requestFormatWwwFormUrlencoded();
        return { sid: login.session.sid };
      },
      apply: ({ connection, request }) => request.headers({ 'X-Session': String(connection.sid ?? '') }),
      // No refreshOn: as in Workato, any failed response acquires again (once).
      detectOn: [/"status":\s*"SESSION_INVALID"/],
    },
  },
  test: ({ http }) => http.get('/me'),
  actions: {
    /** `/entries/latest` redirects (302) to the newest entry. */
    latest_entry: { execute: ({ http }) => http.get('/entries/latest') },
    /** The redirect itself, as Workato's `ignore_redirection`. */
    latest_entry_location: {
      execute: ({ http }) =>
        http
          .get('/entries/latest')
          .ignoreRedirects()
          .afterResponse(({ status, headers }) => ({ status, location: headers.location })),
    },
    /** A POST answered with a 307 to `/v2/entries`, followed as Workato's `follow_redirection`. */
    add_entry: {
      execute: ({ http, input }) => http.post('/entries', input).followRedirects(),
    },
  },
});
