/**
 * A loopback HTTP server that answers each path with a scripted sequence of outcomes (statuses,
 * headers, redirects, resets, hangs) and records every request it gets.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer. The last step of a script repeats once the script runs out. */
export type FlakyStep =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { redirect: string; status?: number; headers?: Record<string, string> }
  | { reset: true }
  | { hang: true };

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FlakyServer {
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  readonly origin: string;
  /** Sets the answers for a path (resets its position). */
  script(path: string, steps: FlakyStep[]): void;
  /** Requests received for a path, oldest first. */
  requests(path: string): SeenRequest[];
  count(path: string): number;
  close(): Promise<void>;
}

/** Starts a flaky server on 127.0.0.1, port 0. */
export async function startFlakyServer(): Promise<FlakyServer> {
  const scripts = new Map<string, { steps: FlakyStep[]; next: number }>();
  const seen = new Map<string, SeenRequest[]>();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://flaky').pathname;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const list = seen.get(path) ?? [];
      list.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      seen.set(path, list);
      const script = scripts.get(path);
      const step = script?.steps[Math.min(script.next, script.steps.length - 1)];
      if (script) script.next += 1;
      if (step === undefined) {
        res.writeHead(404).end('no script');
      } else if ('reset' in step) {
        req.socket.resetAndDestroy();
      } else if ('hang' in step) {
        // never answers
      } else if ('redirect' in step) {
        res.writeHead(step.status ?? 302, { ...step.headers, Location: step.redirect }).end();
      } else {
        res.writeHead(step.status, step.headers).end(step.body ?? '');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (path) => `${origin}${path}`,
    script(path, steps) {
      scripts.set(path, { steps, next: 0 });
      seen.delete(path);
    },
    requests: (path) => seen.get(path) ?? [],
    count: (path) => seen.get(path)?.length ?? 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
