/**
 * What the BullMQ queue tests share: a TCP proxy that can cut and restore a connection to PostgreSQL or
 * Redis (an outage without stopping the machine's servers, which other tests use), a step API that
 * counts calls per run and can hold them, a logger that records its lines, and the Redis keys of a
 * prefix removed.
 */
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { Logger } from '@sluice/sdk';
import { Redis } from 'ioredis';

/** A proxy from a local port to `host:port` whose connections can be cut. */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts a {@link TcpProxy} on 127.0.0.1, port 0. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      cut = false;
    },
    close() {
      cut = true;
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A step API at `/call?run=<id>`: counts calls per run; answers at once unless held. */
export interface StepApi {
  /** `http://127.0.0.1:<port>/call?run={{ RUN.id }}`. */
  readonly url: string;
  /** Calls per run id. */
  calls(runId: string): number;
  /** All calls so far. */
  readonly total: number;
  /** Calls waiting for an answer now. */
  readonly inFlight: number;
  /** Holds new calls until `release()`. */
  hold(): void;
  /** Answers the held calls and stops holding. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a {@link StepApi}. */
export async function startStepApi(): Promise<StepApi> {
  const calls = new Map<string, number>();
  const held: ServerResponse[] = [];
  let holding = false;
  let total = 0;
  let inFlight = 0;
  const answer = (res: ServerResponse): void => {
    inFlight -= 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };
  const server = createHttpServer((req, res) => {
    const run = new URL(req.url ?? '/', 'http://x').searchParams.get('run') ?? '';
    calls.set(run, (calls.get(run) ?? 0) + 1);
    total += 1;
    inFlight += 1;
    if (holding) held.push(res);
    else answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/call?run={{ RUN.id }}`,
    calls: (runId) => calls.get(runId) ?? 0,
    get total() {
      return total;
    },
    get inFlight() {
      return inFlight;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const res of held.splice(0)) answer(res);
    },
    close() {
      holding = false;
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A logger that records its messages (all levels, children included). */
export interface RecordingLogger extends Logger {
  readonly lines: { level: string; message: string }[];
  /** How many lines have exactly this message. */
  count(message: string): number;
}

export function recordingLogger(): RecordingLogger {
  const lines: { level: string; message: string }[] = [];
  const fn =
    (level: string) =>
    (first: Record<string, unknown> | string, message?: string): void => {
      lines.push({ level, message: typeof first === 'string' ? first : (message ?? '') });
    };
  const logger: RecordingLogger = {
    lines,
    count: (message) => lines.filter((line) => line.message === message).length,
    debug: fn('debug'),
    info: fn('info'),
    warn: fn('warn'),
    error: fn('error'),
    child: () => logger,
  };
  return logger;
}

/** Deletes every key under `<prefix>:` (the jobs of a test, or "Redis lost its data"). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` every 10 ms until it holds. */
export async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}
