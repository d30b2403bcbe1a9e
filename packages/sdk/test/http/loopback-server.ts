/**
 * A real HTTP server on 127.0.0.1, port 0, for the HTTP DSL tests: it records every request it gets
 * (method, URL, headers, body) and answers with the handler the test sets.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface Received {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: Received, res: ServerResponse) => unknown;

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  received: Received[];
  /** Replaces the handler; the default answers `200 {"ok":true}`. */
  handle(handler: Handler): void;
  /** Resolves when the next request has arrived (its body read). */
  nextRequest(): Promise<Received>;
  close(): Promise<void>;
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startServer(): Promise<LoopbackServer> {
  const received: Received[] = [];
  const waiting: ((req: Received) => void)[] = [];
  let handler: Handler = (_req, res) => sendJson(res, 200, { ok: true });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const record: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      received.push(record);
      for (const resolve of waiting.splice(0)) resolve(record);
      Promise.resolve(handler(record, res)).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    handle(next) {
      handler = next;
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
