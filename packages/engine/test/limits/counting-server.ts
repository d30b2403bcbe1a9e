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
 * Takes of a rate limit made all at once, with a window far longer than any test: resolves once
 * `expected` of them were granted, with the rest still waiting (aborted, they reject). Counts, not
 * times: a limit of `requests` per hour grants exactly `requests` however loaded the machine is.
 */
export async function grantedOf(
  takes: readonly Promise<void>[],
  expected: number,
): Promise<{ granted: number; waiting: number }> {
  let granted = 0;
  for (const take of takes) {
    take.then(
      () => {
        granted += 1;
      },
      () => undefined,
    );
  }
  while (granted < expected) await new Promise((resolve) => setTimeout(resolve, 5));
  // A few more turns of the event loop: a take past the limit would be granted by now (it waits an hour).
  for (let turn = 0; turn < 20; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return { granted, waiting: takes.length - granted };
}
