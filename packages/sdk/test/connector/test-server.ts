/**
 * A loopback HTTP server for connector tests: it records every request and answers with what the
 * test's handler returns (JSON unless the body is a string).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body read as a form, when it is one. */
  form: Record<string, string>;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface TestServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  handle(handler: (request: RecordedRequest) => Reply | Promise<Reply>): void;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  let handler: (request: RecordedRequest) => Reply | Promise<Reply> = () => ({
    status: 404,
    body: { error: 'no handler' },
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const isForm = String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        form: isForm ? Object.fromEntries(new URLSearchParams(body)) : {},
      };
      requests.push(request);
      Promise.resolve(handler(request)).then(
        (reply) => {
          const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
          res.writeHead(reply.status ?? 200, {
            'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json',
            ...reply.headers,
          });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The `Authorization` header of a recorded request. */
export function authHeader(request: RecordedRequest | undefined): string | undefined {
  const value = request?.headers.authorization;
  return Array.isArray(value) ? value[0] : value;
}
