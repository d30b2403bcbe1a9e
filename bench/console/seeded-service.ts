/**
 * The engine service the console benchmark loads: a fresh temp folder with a SQLite store, the engine
 * and its API (console included) on 127.0.0.1, an admin key, a loopback server for the steps to call,
 * and `runs` finished runs of one workflow of two GET steps, started through the API (`seedMore` adds
 * more the same way, so one service is measured at 1,000 runs and then at 10,000).
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApi, createApiKey, createEngine, openStore } from '@sluice/engine';
import { Agent, request } from 'undici';

/** The running service, with every run finished. */
export interface SeededService {
  /** The API's base URL: the console is at `/`. */
  url: string;
  /** An admin key of the workspace holding the runs. */
  key: string;
  /** Calls the API with the key and resolves the answer's body as text; throws on a 4xx or 5xx. */
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<string>;
  /** How long starting the runs and waiting for them to end took, in ms. */
  seedMs: number;
  /** Starts `count` more runs the same way and waits for them to end; resolves how long it took, in ms. */
  seedMore(count: number): Promise<number>;
  close(): Promise<void>;
}

/** Options of {@link startSeededService}. */
export interface SeedOptions {
  runs: number;
  /** Runs started at once through the API. */
  inFlight: number;
  /** The built console the API serves at `/` (`packages/console/dist`). */
  console: string;
}

async function startStepServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Starts the service and seeds it; the caller must `close()` it (which also removes the folder). */
export async function startSeededService(options: SeedOptions): Promise<SeededService> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-console-'));
  const closers: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const steps = await startStepServer();
    closers.push(() => new Promise<void>((resolve) => steps.server.close(() => resolve())));
    const store = await openStore({ file: join(dir, 'sluice.db') });
    closers.push(() => store.close());
    const engine = createEngine({ store, closeGraceMs: 0 });
    closers.push(() => engine.close());
    const app = await createApi({ engine, console: options.console });
    closers.push(() => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    await engine.start({ baseUrl: url });
    const { key } = await createApiKey(store, {
      workspace: 'bench',
      email: 'bench@example.com',
      role: 'admin',
    });
    const agent = new Agent({ connections: options.inFlight + 10, keepAliveTimeout: 10_000 });
    closers.push(() => agent.close());

    const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> => {
      const answer = await request(`${url}${path}`, {
        method,
        dispatcher: agent,
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await answer.body.text();
      if (answer.statusCode >= 400) throw new Error(`${method} ${path}: ${answer.statusCode} ${text}`);
      return text;
    };
    const json = async (method: 'GET' | 'POST', path: string, body?: unknown) =>
      JSON.parse(await call(method, path, body)) as Record<string, unknown>;

    const published = await json('POST', '/v1/workflows', {
      name: 'bench-console',
      default_retry: { total: 0 },
      steps: ['first', 'second'].map((name) => ({
        name,
        apispec: { url: `${steps.url}/${name}`, method: 'get' },
      })),
    });
    const uid = String(published.uid);

    let started = 0;
    const count = async (status: string) => {
      const page = await json('GET', `/v1/runs?status=${status}&limit=1`);
      return (page.runs as unknown[]).length;
    };
    const seedMore = async (runs: number): Promise<number> => {
      const begin = performance.now();
      const last = started + runs;
      await Promise.all(
        Array.from({ length: Math.min(options.inFlight, runs) }, async () => {
          while (started < last) {
            const n = started++;
            await call('POST', `/v1/workflows/${uid}/runs`, { input: { n } });
          }
        }),
      );
      // 2 minutes, and more for many runs on a loaded machine.
      const limitMs = 120_000 + runs * 20;
      for (;;) {
        if ((await count('pending')) + (await count('running')) === 0) break;
        if (performance.now() - begin > limitMs)
          throw new Error(`the runs did not all end within ${limitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if ((await count('failed')) > 0) throw new Error('some runs failed: see GET /v1/runs?status=failed');
      return performance.now() - begin;
    };
    const seedMs = await seedMore(options.runs);
    return { url, key, call, seedMs, seedMore, close };
  } catch (err) {
    await close();
    throw err;
  }
}
