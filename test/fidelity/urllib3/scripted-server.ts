/**
 * Loopback HTTP servers for the urllib3 differential: each path answers a scripted sequence of steps
 * (a status, a redirect, a reset, a closed socket, a garbled answer, no answer), and every request is
 * logged in arrival order, across servers, with the headers the cases look at.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Where a redirect points: a path on this server, on the other server, or on a closed port. */
export type Target = `/${string}` | `other:/${string}` | `closed:/${string}`;

/** One scripted answer. The last step of a script repeats once the script runs out. */
export type Step =
  | { status: number; headers?: Record<string, string>; body?: string }
  | { redirect: Target; status: 301 | 302 | 303 | 307 | 308 }
  | { reset: true }
  | { close: true }
  | { garbage: true }
  | { hang: true };

/** A request as a server saw it: the prefix of the run taken off its path. */
export interface Seen {
  server: 'main' | 'other';
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The request headers the log keeps (lower-case). */
export const LOGGED_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-token', 'content-type'];

export interface ScriptedServers {
  /** `http://127.0.0.1:<port>` of each server. */
  readonly origins: { main: string; other: string; closed: string };
  /** Sets the scripts of one run: `scripts` keys are `main:/path` or `other:/path`, served under `prefix`. */
  script(prefix: string, scripts: Record<string, Step[]>): void;
  /** The requests of one run, in arrival order. */
  seen(prefix: string): Seen[];
  close(): Promise<void>;
}

/** Starts the two servers on 127.0.0.1, port 0, and finds a closed port. */
export async function startScriptedServers(): Promise<ScriptedServers> {
  const scripts = new Map<string, { steps: Step[]; next: number }>();
  const log: (Seen & { prefix: string })[] = [];
  const sockets = new Set<Socket>();
  const origins = { main: '', other: '', closed: '' };

  const locate = (prefix: string, target: Target): string => {
    const [where, path] = target.startsWith('/') ? ['main', target] : target.split(/:(?=\/)/);
    return `${origins[where as keyof typeof origins]}${prefix}${path}`;
  };

  const make = (name: 'main' | 'other'): Server => {
    const server = createServer((req, res) => {
      const full = new URL(req.url ?? '/', 'http://scripted').pathname;
      const [, run = '', ...rest] = full.split('/');
      const prefix = `/${run}`;
      const path = `/${rest.join('/')}`;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const h of LOGGED_HEADERS) {
          const value = req.headers[h];
          if (value !== undefined) headers[h] = Array.isArray(value) ? value.join(', ') : value;
        }
        const body = Buffer.concat(chunks).toString();
        log.push({ prefix, server: name, method: req.method ?? '', path, headers, body });
        const script = scripts.get(`${prefix}|${name}:${path}`);
        const step = script?.steps[Math.min(script.next, script.steps.length - 1)];
        if (script) script.next += 1;
        if (step === undefined) res.writeHead(404).end('no script');
        else if ('reset' in step) req.socket.resetAndDestroy();
        else if ('close' in step) req.socket.destroy();
        else if ('garbage' in step) req.socket.end('HTTP/1.1 ok-ish\r\n\r\n');
        else if ('hang' in step) {
          // never answers; close() destroys the socket
        } else if ('redirect' in step) {
          res.writeHead(step.status, { Location: locate(prefix, step.redirect) }).end();
        } else res.writeHead(step.status, step.headers).end(step.body ?? '');
      });
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return server;
  };

  const listen = async (server: Server): Promise<string> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const main = make('main');
  const other = make('other');
  const closed = createServer();
  origins.main = await listen(main);
  origins.other = await listen(other);
  origins.closed = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  return {
    origins,
    script(prefix, byPath) {
      for (const [key, steps] of Object.entries(byPath)) scripts.set(`${prefix}|${key}`, { steps, next: 0 });
    },
    seen: (prefix) => log.filter((entry) => entry.prefix === prefix).map(({ prefix: _, ...seen }) => seen),
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        [main, other].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };
}
