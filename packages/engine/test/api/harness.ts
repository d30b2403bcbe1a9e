/**
 * The API under test: a SQLite file in a fresh folder, an engine and the Fastify app on it (driven
 * with `inject`), a loopback server for the steps to call, and keys for two workspaces: `acme`
 * (an admin and a member) and `globex` (a member and an admin).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CreateApiOptions,
  type CreateEngineOptions,
  createApi,
  createApiKey,
  createEngine,
  type Engine,
  openStore,
  type SqlStore,
} from '@sluice/engine';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.js';
import { type Dialect, dropReusedSchemas, type TestDatabase } from '../store/dialects.js';

/** The keys of the harness, by who holds them. */
export interface Keys {
  acmeAdmin: string;
  acmeMember: string;
  globexMember: string;
  globexAdmin: string;
}

/** What a test works with; fresh for each test (but see `perSuite`). */
export interface ApiHarness {
  dir: string;
  store: SqlStore;
  engine: Engine;
  app: FastifyInstance;
  server: FlakyServer;
  keys: Keys;
  /** The workspaces of `keys`: `acme` and `globex`, or `acme-<n>` and `globex-<n>` with `perSuite`. */
  workspaces: { acme: string; globex: string };
  /** The API's loopback URL, with `listen: true`. */
  baseUrl?: string;
  /** Sends a request with `key` (none when `undefined`); JSON bodies are sent as JSON. */
  call(
    key: string | undefined,
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>;
}

/** A workflow of `steps` GET calls to `/<name>` on the test server (INPUT not read). */
export function flow(server: FlakyServer, name: string, steps: string[], extra: object = {}): object {
  return {
    name,
    default_retry: { total: 0 },
    steps: steps.map((step) => ({ name: step, apispec: { url: server.url(`/${step}`), method: 'get' } })),
    ...extra,
  };
}

/** Options of {@link useApiHarness}: those of `createApi`, and more `createEngine` options in `engine`. */
export type ApiHarnessOptions = Omit<CreateApiOptions, 'engine'> & {
  engine?: Omit<CreateEngineOptions, 'store'>;
  /**
   * The database of the store (`../store/dialects.ts`: a fresh PostgreSQL schema per test, say).
   * @default a SQLite file in `h.dir`
   */
  dialect?: Dialect;
  /**
   * Listen on a loopback port and start the engine with that base URL, so steps can call the API
   * (`SYSTEM_APIS.credentials`); sets `h.baseUrl`. @default false (inject only)
   */
  listen?: boolean;
  /** One harness for the whole suite, keys of their own for each test: see {@link useApiHarness}. */
  perSuite?: boolean;
};

/**
 * Declares the harness for the tests of the enclosing suite: by default a fresh one per test. With
 * `perSuite`, one store, engine, app and test server serve every test of the suite (opened in `beforeAll`,
 * closed in `afterAll`), and each test gets keys of its own two workspaces instead of a fresh database:
 * `h.workspaces` names them (`acme-<n>` and `globex-<n>`). That is for tests that name what they made
 * (uids, run ids) and never list a whole workspace or close what they share; the runs a test started may
 * still be running in the next one.
 */
export function useApiHarness(harnessOptions: ApiHarnessOptions = {}): ApiHarness {
  const { engine: engineOptions, listen, dialect, perSuite = false, ...options } = harnessOptions;
  const h = {} as ApiHarness;
  let database: TestDatabase | undefined;
  let tests = 0;
  const open = async () => {
    h.dir = mkdtempSync(join(tmpdir(), 'sluice-api-'));
    // The API's tests neither migrate by hand nor change the schema: a PostgreSQL schema is reused, emptied.
    database = await dialect?.setup({ reuse: true });
    h.store =
      database === undefined ? await openStore({ file: join(h.dir, 'sluice.db') }) : await database.open();
    h.server = await startFlakyServer();
    h.engine = createEngine({ store: h.store, closeGraceMs: 0, ...engineOptions });
    if (listen === true) {
      h.app = await createApi({ engine: h.engine, ...options });
      h.baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
      await h.engine.start({ baseUrl: h.baseUrl });
    } else {
      await h.engine.start({ baseUrl: 'http://127.0.0.1:1' });
      h.app = await createApi({ engine: h.engine, ...options });
    }
    h.call = async (key, method, url, body, headers = {}) => {
      const res = await h.app.inject({
        method,
        url,
        headers: {
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
          ...(body === undefined || typeof body === 'string' ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = res.body;
      return {
        status: res.statusCode,
        body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
        headers: res.headers,
      };
    };
  };
  const createKeys = async () => {
    tests += 1;
    const [acme, globex] = perSuite ? [`acme-${tests}`, `globex-${tests}`] : ['acme', 'globex'];
    h.workspaces = { acme, globex };
    const key = async (workspace: string, email: string, role: 'admin' | 'member') =>
      (await createApiKey(h.store, { workspace, email, role })).key;
    h.keys = {
      acmeAdmin: await key(acme, 'ann@acme.test', 'admin'),
      acmeMember: await key(acme, 'bob@acme.test', 'member'),
      globexMember: await key(globex, 'gil@globex.test', 'member'),
      globexAdmin: await key(globex, 'gia@globex.test', 'admin'),
    };
  };
  const close = async () => {
    await h.app.close();
    await h.engine.close();
    await h.store.close();
    await database?.teardown();
    await h.server.close();
    rmSync(h.dir, { recursive: true, force: true });
  };
  if (dialect !== undefined) afterAll(dropReusedSchemas);
  if (perSuite) {
    beforeAll(open);
    beforeEach(createKeys);
    afterAll(close);
  } else {
    beforeEach(async () => {
      await open();
      await createKeys();
    });
    afterEach(close);
  }
  return h;
}

/** The `error.code` of an answer. */
export function codeOf(res: { body: Record<string, unknown> }): unknown {
  return (res.body.error as { code?: unknown } | undefined)?.code;
}
