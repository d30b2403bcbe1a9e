/**
 * The API of `connector.ts`: a real HTTP server on loopback. Sessions are `sid-<n>-<random>`; only the
 * newest is valid. A stale session gets a 500 on `/me` (so only the gem's "any failure" rule
 * re-authorizes) and a `200 {"status":"SESSION_INVALID"}` elsewhere (so only `detect_on` sees it).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LedgerApi {
  url: string;
  /** `METHOD /path` of every request, in order. */
  readonly log: string[];
  /** Raw bodies of the `/login` requests. */
  readonly logins: string[];
  /** The session ids handed out. */
  readonly sessions: string[];
  close(): Promise<void>;
}

export async function startLedgerApi(): Promise<LedgerApi> {
  const log: string[] = [];
  const logins: string[] = [];
  const sessions: string[] = [];
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = req.url ?? '/';
    log.push(`${req.method} ${path}`);
    if (path === '/login') {
      logins.push(body);
      const params = new URLSearchParams(body);
      if (params.get('user') !== 'ann' || params.get('pass') !== 'pw-ann-2026') return json(res, 403, {});
      const sid = `sid-${sessions.length + 1}-${randomBytes(6).toString('hex')}`;
      sessions.push(sid);
      return json(res, 200, { session: { sid } });
    }
    const valid = sessions.length > 0 && req.headers['x-session'] === sessions[sessions.length - 1];
    if (path === '/me')
      return valid ? json(res, 200, { user: 'ann' }) : json(res, 500, { error: 'internal' });
    if (!valid) return json(res, 200, { status: 'SESSION_INVALID' });
    if (path === '/entries/latest') return json(res, 302, {}, { location: '/entries/7' });
    if (path === '/entries/7') return json(res, 200, { id: 7 });
    if (path === '/entries' && req.method === 'POST') return json(res, 307, {}, { location: '/v2/entries' });
    if (path === '/v2/entries' && req.method === 'POST') return json(res, 201, { created: JSON.parse(body) });
    return json(res, 404, {});
  };
  return { ...(await listenLoopback(handle)), log, logins, sessions };
}

/** A server on 127.0.0.1 (port 0) that hands `handle` each request with its whole body as text. */
export async function listenLoopback(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
