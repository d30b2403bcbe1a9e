/**
 * A loopback API for the limits tests: answers every request with `{ ok: true }` after `delayMs`, and
 * records when each request arrived and how many were in flight at once.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running counting server. */
export interface CountingServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Arrival times (`Date.now()`), in order. */
  readonly arrivals: number[];
  /** The most requests in flight at the same time. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

/** Starts a counting server on a free loopback port. */
export async function startCountingServer(delayMs: number): Promise<CountingServer> {
  const arrivals: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    arrivals.push(Date.now());
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    req.resume();
    setTimeout(() => {
      inFlight -= 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    arrivals,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The shortest time spanned by `requests + 1` consecutive arrivals: a limit of `requests` per window
 * holds when it is at least the window.
 */
export function shortestSpan(arrivals: readonly number[], requests: number): number {
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 0; i + requests < arrivals.length; i += 1) {
    shortest = Math.min(shortest, (arrivals[i + requests] as number) - (arrivals[i] as number));
  }
  return shortest;
}
