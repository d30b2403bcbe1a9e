/**
 * A deployment of `sluice serve --no-worker` and `sluice worker` child processes (from source, through
 * tsx) on one PostgreSQL schema and one Redis prefix of their own, for the multi-process tests: each
 * test gets a fresh schema and prefix and drops both afterwards, so tests never see each other's runs
 * or jobs. Readiness is read from the `nodes` table (each process registers itself when it starts).
 */
import { randomBytes } from 'node:crypto';
import { createApiKey, openStore, type SqlStore } from '@sluice/engine';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type SluiceProcess, spawnSluice } from '../serve-process.js';

/** Set by CI; without both the multi-process tests report as skipped. */
export const PG_URL = process.env.SLUICE_TEST_PG_URL;
export const REDIS_URL = process.env.SLUICE_TEST_REDIS_URL;

/** A test's deployment: its schema, prefix, store, API key, and the processes started on it. */
export interface Cluster {
  schema: string;
  prefix: string;
  /** A store on the schema, for the test's own reads. */
  store: SqlStore;
  /** An admin API key of workspace `acme`. */
  key: string;
  /** `--database <pg> --database-schema <schema> --redis <url> --redis-prefix <prefix>`. */
  flags: readonly string[];
  /** `SLUICE_SECRET_KEY`, the same for every process (set on top of the test's environment). */
  env: Readonly<Record<string, string>>;
  /** Starts `sluice <args...>` with {@link flags} appended. */
  start(args: readonly string[]): SluiceProcess;
  /** Resolves once `count` processes of `kind` are registered, alive, in `nodes`. */
  registered(kind: 'api' | 'worker', count: number): Promise<void>;
  /** The last lines each process printed, for failure messages. */
  output(): string;
  /** Kills the processes, closes the store, drops the schema and deletes the Redis keys. */
  teardown(): Promise<void>;
}

/** Resolves the first match of `pattern` in what `process` printed, once it printed it. */
export async function printed(process: SluiceProcess, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(process.printed());
    if (match !== null) return match;
    if (process.child.exitCode !== null) throw new Error(`a sluice process exited:\n${process.printed()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens a fresh schema and prefix with an API key; nothing runs yet. */
export async function createCluster(): Promise<Cluster> {
  const url = PG_URL as string;
  const redisUrl = REDIS_URL as string;
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const schema = `sluice_scale_${id}`;
  const prefix = `sluice-scale-${id}`;
  const store = await openStore({ url, schema });
  const { key } = await createApiKey(store, { workspace: 'acme', email: 'ann@acme.test', role: 'admin' });
  const env = { SLUICE_SECRET_KEY: randomBytes(32).toString('base64') };
  const flags = [
    '--database',
    url,
    '--database-schema',
    schema,
    '--redis',
    redisUrl,
    '--redis-prefix',
    prefix,
  ];
  const processes: SluiceProcess[] = [];
  const cluster: Cluster = {
    schema,
    prefix,
    store,
    key,
    flags,
    env,
    start(args) {
      const started = spawnSluice([...args, ...flags], { env });
      processes.push(started);
      return started;
    },
    async registered(kind, count) {
      for (;;) {
        const alive = (await store.nodes.list()).filter((n) => n.kind === kind);
        if (alive.length >= count) return;
        const dead = processes.find((p) => p.child.exitCode !== null);
        if (dead !== undefined) throw new Error(`a sluice process exited:\n${dead.printed()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    output() {
      return processes
        .map(
          (p, i) =>
            `--- process ${i} (pid ${p.child.pid}):\n${p.printed().split('\n').slice(-15).join('\n')}`,
        )
        .join('\n');
    },
    async teardown() {
      for (const p of processes) {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      }
      await Promise.all(processes.map((p) => p.exited));
      await store.close();
      const admin = new pg.Pool({ connectionString: url, max: 1 });
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
      await deleteKeys(redisUrl, prefix);
    },
  };
  return cluster;
}

/** Deletes every Redis key under `<prefix>:`. */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
