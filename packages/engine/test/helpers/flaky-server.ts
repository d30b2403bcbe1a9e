/**
 * A loopback HTTP server for executor tests: each path answers with a scripted sequence of outcomes
 * (statuses with headers and bodies, redirects, connection resets, stalls, slow answers) and records
 * every request, plus how many requests of a path were in flight at once. The idea follows the SDK's
 * `test/retry/flaky-server.ts`.
 */

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';

/** One scripted answer. The last step of a script repeats once the script runs out. */
export type FlakyStep =
  | { status: number; headers?: Record<string, string>; body?: string | object; delayMs?: number }
  | { redirect: string; status?: number }
  | { reset: true }
  | { hang: true };

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A running flaky server. */
export interface FlakyServer {
  readonly origin: string;
  /** `http://127.0.0.1:<port><path>`. */
  url(path: string): string;
  /** Sets the answers of a path and forgets its requests. */
  script(path: string, steps: FlakyStep[]): void;
  requests(path: string): SeenRequest[];
  count(path: string): number;
  /** The most requests of `path` in flight at the same time. */
  maxInFlight(path: string): number;
  close(): Promise<void>;
}

/** Starts a flaky server on 127.0.0.1, port 0. */
export async function startFlakyServer(): Promise<FlakyServer> {
  const scripts = new Map<string, { steps: FlakyStep[]; next: number }>();
  const seen = new Map<string, SeenRequest[]>();
  const inFlight = new Map<string, { now: number; max: number }>();
  const sockets = new Set<Socket>();

  const answer = (res: ServerResponse, step: Extract<FlakyStep, { status: number }>, done: () => void) => {
    const body = typeof step.body === 'object' ? JSON.stringify(step.body) : (step.body ?? '');
    const headers =
      typeof step.body === 'object' ? { 'content-type': 'application/json', ...step.headers } : step.headers;
    const send = () => {
      done();
      res.writeHead(step.status, headers).end(body);
    };
    if (step.delayMs === undefined) send();
    else setTimeout(send, step.delayMs);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://flaky');
    const path = url.pathname;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const list = seen.get(path) ?? [];
      list.push({
        method: req.method ?? '',
        path,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      seen.set(path, list);
      const flight = inFlight.get(path) ?? { now: 0, max: 0 };
      inFlight.set(path, flight);
      flight.now += 1;
      flight.max = Math.max(flight.max, flight.now);
      let finished = false;
      const done = () => {
        if (!finished) flight.now -= 1;
        finished = true;
      };
      const script = scripts.get(path);
      const step = script?.steps[Math.min(script.next, script.steps.length - 1)];
      if (script) script.next += 1;
      if (step === undefined) {
        done();
        res.writeHead(404).end('no script');
      } else if ('reset' in step) {
        done();
        req.socket.resetAndDestroy();
      } else if ('hang' in step) {
        req.socket.on('close', done);
      } else if ('redirect' in step) {
        done();
        res.writeHead(step.status ?? 302, { Location: step.redirect }).end();
      } else {
        answer(res, step, done);
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
      inFlight.delete(path);
    },
    requests: (path) => seen.get(path) ?? [],
    count: (path) => seen.get(path)?.length ?? 0,
    maxInFlight: (path) => inFlight.get(path)?.max ?? 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens (connections are refused). */
export async function refusedUrl(path = '/'): Promise<string> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}
