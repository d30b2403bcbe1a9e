/**
 * `sluice status`: what a deployment is doing, from its shared store (`--database`, `--database-schema`,
 * or the SQLite file of `--data-dir`) and, with `--redis`, its run queue: the nodes (alive or dead by
 * their heartbeat, kind, host, pid, concurrency, runs executing, last heartbeat), runs by status, the
 * BullMQ job counts, the run leases per owner and the named leases (`triggers`). A table, or JSON.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClusterStatus, SqlStore } from '@sluice/engine';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import {
  type DataOptions,
  databaseOption,
  databaseSchemaOption,
  dataDirOption,
  sqliteStoreFile,
} from '../options/database.js';
import { type DebugOptions, debugOption } from '../options/debug.js';
import { type QueueFlags, redisOption, redisPrefixOption } from '../options/queue.js';

/** The options of `sluice status`, as commander hands them over. */
export interface StatusOptions extends DataOptions, QueueFlags, DebugOptions {
  /** Print the status as one JSON object. */
  json?: boolean;
}

const STATUS_HELP = `
A node is dead when it missed three heartbeats (it was killed, or cannot reach the database); its row
is pruned after an hour. Run leases of a dead node expire by themselves and other workers take the runs.

Examples:
  $ sluice status --database postgres://sluice@db:5432/sluice --redis redis://redis:6379
  $ sluice status --database postgres://sluice@db:5432/sluice --database-schema sluice --json`;

/** Registers `sluice status` on `program`. */
export function registerStatus(program: Command, io: CommandIo): void {
  program
    .command('status')
    .description('show the nodes, runs, queue depth and leases of a deployment (docs/scaling.md)')
    .addOption(dataDirOption())
    .addOption(databaseOption('the PostgreSQL URL the deployment uses'))
    .addOption(databaseSchemaOption('the PostgreSQL schema the deployment uses (default public)'))
    .addOption(redisOption('the Redis URL the deployment uses, for the queue counts'))
    .addOption(redisPrefixOption('the Redis key prefix the deployment uses (default sluice)'))
    .option('--json', 'print the status as one JSON object')
    .addOption(debugOption())
    .addHelpText('after', STATUS_HELP)
    .action((options: StatusOptions) => statusCommand(options, io));
}

/** Where the deployment's store is, for the first line and for errors. */
function storeWhere(store: SqlStore, options: StatusOptions): string {
  return options.databaseSchema === undefined
    ? store.location
    : `${store.location} (schema ${options.databaseSchema})`;
}

/**
 * Opens the deployment's store without migrating it: a status read creates nothing, so a mistyped
 * folder or schema is reported instead of becoming an empty store.
 */
async function openStatusStore(options: StatusOptions): Promise<SqlStore> {
  const { openStore } = await import('@sluice/engine');
  if (options.database !== undefined) {
    return openStore({
      url: options.database,
      migrate: false,
      ...(options.databaseSchema === undefined ? {} : { schema: options.databaseSchema }),
    });
  }
  if (options.databaseSchema !== undefined) {
    throw new CliError('SLUICE_CLI_OPTION', '--database-schema needs --database', {
      hint: 'give the PostgreSQL URL with --database postgres://...',
    });
  }
  const file = sqliteStoreFile(options);
  if (!existsSync(file)) {
    throw new CliError('SLUICE_CLI_OPTION', `no store at ${resolve(file)}`, {
      hint: 'give the --data-dir of sluice serve, or --database for PostgreSQL',
    });
  }
  return openStore({ file, migrate: false });
}

/** A missing table means the store was never used by a Sluice with nodes (migration 0004). */
function missingTables(err: unknown, where: string): unknown {
  const text = err instanceof Error ? err.message : String(err);
  if (!/does not exist|no such table/.test(text)) return err;
  return new CliError(
    'SLUICE_CLI_OPTION',
    `${where} holds no Sluice deployment: ${text.replace(/^.* failed: /, '')}`,
    {
      hint: 'check --database, --database-schema or --data-dir; a node creates the tables when it starts',
    },
  );
}

/** Columns padded to their widest cell, two spaces apart. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cols: readonly string[]) =>
    cols
      .map((col, i) => (i === cols.length - 1 ? col : col.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map((r) => `  ${line(r)}`).join('\n');
}

/** `3s ago`, `in 8s`, `2m ago`: how far `iso` is from `now`. */
function relative(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const s = Math.round(Math.abs(ms) / 1000);
  const span = s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
  return ms > 0 ? `in ${span}` : `${span} ago`;
}

/** The status as the table `sluice status` prints. */
export function formatStatus(status: ClusterStatus, location: string): string {
  const now = Date.parse(status.at);
  const out: string[] = [`store ${location}, at ${status.at}`];
  const alive = status.nodes.filter((n) => n.alive).length;
  out.push('', `nodes: ${alive} alive, ${status.nodes.length - alive} dead`);
  if (status.nodes.length > 0) {
    out.push(
      table(
        ['ID', 'STATE', 'KIND', 'HOST', 'PID', 'CONCURRENCY', 'EXECUTING', 'HEARTBEAT', 'VERSION'],
        status.nodes.map((n) => [
          n.id,
          n.alive ? 'alive' : 'dead',
          n.kind,
          n.host,
          String(n.pid),
          String(n.concurrency),
          String(n.executing),
          relative(n.heartbeat_at, now),
          n.version,
        ]),
      ),
    );
  }
  const runs = Object.entries(status.runs).map(([s, count]) => `${s} ${count}`);
  out.push('', `runs: ${runs.join(', ')}`);
  if (status.queue === null) {
    out.push('', 'queue: not read (give --redis to see the shared queue)');
  } else {
    const q = status.queue;
    out.push(
      '',
      `queue ${q.redis} (prefix ${q.prefix}): waiting ${q.waiting + q.prioritized}, active ${q.active}, delayed ${q.delayed}, paused ${q.paused}`,
    );
  }
  out.push('', `run leases: ${status.run_leases.length === 0 ? 'none' : ''}`.trimEnd());
  if (status.run_leases.length > 0) {
    out.push(
      table(
        ['OWNER', 'RUNS', 'EXPIRED', 'NODE'],
        status.run_leases.map((l) => [
          l.owner,
          String(l.runs),
          String(l.expired),
          l.node ? 'registered' : 'not registered',
        ]),
      ),
    );
  }
  out.push('', `named leases: ${status.leases.length === 0 ? 'none' : ''}`.trimEnd());
  if (status.leases.length > 0) {
    out.push(
      table(
        ['NAME', 'OWNER', 'STATE', 'EXPIRES', 'HELD SINCE'],
        status.leases.map((l) => [
          l.name,
          l.owner,
          l.expired ? 'expired' : 'held',
          `${l.expires_at} (${relative(l.expires_at, now)})`,
          l.acquired_at,
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/**
 * Prints the deployment's status: a table, or one JSON object with `--json`.
 *
 * @throws {SluiceError} `SLUICE_CLI_OPTION` for `--database-schema` without `--database` or
 * `--redis-prefix` without `--redis`; `SLUICE_STORE`; `SLUICE_QUEUE` when Redis does not answer.
 */
export async function statusCommand(options: StatusOptions, io: CommandIo): Promise<void> {
  if (options.redisPrefix !== undefined && options.redis === undefined) {
    throw new CliError('SLUICE_CLI_OPTION', '--redis-prefix needs --redis', {
      hint: 'give the Redis URL the workers use with --redis redis://...',
    });
  }
  // Loaded on use, as every command's dependencies are: `sluice --help` does not pay for the engine.
  const { DEFAULT_REDIS_PREFIX, readClusterStatus } = await import('@sluice/engine');
  const store = await openStatusStore(options);
  try {
    const where = storeWhere(store, options);
    const status = await readClusterStatus(store, {
      ...(options.redis === undefined
        ? {}
        : { redis: { url: options.redis, prefix: options.redisPrefix ?? DEFAULT_REDIS_PREFIX } }),
    }).catch((err: unknown) => {
      throw missingTables(err, where);
    });
    if (options.json === true) {
      io.stdout(`${JSON.stringify({ store: where, ...status }, null, 2)}\n`);
      return;
    }
    io.stdout(formatStatus(status, where));
  } finally {
    await store.close();
  }
}
