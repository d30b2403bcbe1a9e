/**
 * Small local servers the example workflows call besides the my-app API: a webhook receiver that
 * records what it is sent (and how many requests it handles at once), and a flaky endpoint that fails
 * a set number of times before it answers.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A running example server. */
export interface ExampleServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** One request the webhook receiver got. */
export interface ReceivedHook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The webhook receiver: `POST /hooks/<name>` records the JSON body and answers 202 after `delayMs`. */
export interface WebhookReceiver extends ExampleServer {
  readonly received: readonly ReceivedHook[];
  /** The most requests handled at the same time. */
  readonly maxInFlight: number;
}

/** Options of {@link startWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** @default 0 */
  port?: number;
  /** How long each answer takes, so that concurrency shows. @default 20 */
  delayMs?: number;
}

/** Starts the webhook receiver on 127.0.0.1. */
export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const path = new URL(req.url ?? '/', 'http://hooks').pathname;
      if (req.method !== 'POST' || !path.startsWith('/hooks/')) {
        json(res, 404, { error: `not found: ${req.method} ${path}` });
        return;
      }
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        received.push({ path, headers: req.headers, body: parseJson(text) });
        json(res, 202, { received: true });
      }, options.delayMs ?? 20);
    });
  });
  const base = await listen(server, options.port ?? 0);
  return {
    ...base,
    get received() {
      return received;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

/**
 * The flaky endpoint: `GET /flaky?key=K&fail=N` answers 503 (with `Retry-After: 1` when `retry_after=1`
 * is given) the first N times for each key, then 200 `{"ok": true, "attempt": n}`.
 */
export interface FlakyEndpoint extends ExampleServer {
  /** Requests seen per key. */
  attempts(key: string): number;
}

/** Starts the flaky endpoint on 127.0.0.1. */
export async function startFlakyEndpoint(options: { port?: number } = {}): Promise<FlakyEndpoint> {
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://flaky');
    if (url.pathname !== '/flaky') {
      json(res, 404, { error: `not found: ${url.pathname}` });
      return;
    }
    const key = url.searchParams.get('key') ?? 'default';
    const fail = Number(url.searchParams.get('fail') ?? '2');
    const attempt = (seen.get(key) ?? 0) + 1;
    seen.set(key, attempt);
    if (attempt <= fail) {
      const headers: Record<string, string> =
        url.searchParams.get('retry_after') === '1' ? { 'retry-after': '1' } : {};
      json(res, 503, { error: 'temporarily unavailable', attempt }, headers);
    } else {
      json(res, 200, { ok: true, attempt });
    }
  });
  const base = await listen(server, options.port ?? 0);
  return { ...base, attempts: (key) => seen.get(key) ?? 0 };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function listen(server: Server, port: number): Promise<ExampleServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
