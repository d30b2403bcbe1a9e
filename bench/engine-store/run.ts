/**
 * Store write benchmark: `saveStepItem` N times in sequence through `openStore` (Kysely), beside a
 * hand-written loop sending the same upsert of the same rows with the raw driver (a reused
 * better-sqlite3 statement; `pg` `pool.query`), in the same process, on SQLite (a temporary file,
 * WAL, synchronous=NORMAL on both sides) and on PostgreSQL when a URL is given (a fresh schema,
 * dropped at the end).
 *
 * Usage: `npx tsx --conditions=development bench/engine-store/run.ts [--items 10000] [--warmup 1000]
 * [--pg-items 2000] [--pg postgres://postgres@127.0.0.1:5432/test]` (`--pg` defaults to SLUICE_TEST_PG_URL).
 * See bench/README.md for what the figures mean.
 *
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore, type SqlStore, type StepItemRow, type Workflow } from '@sluice/engine';
import Sqlite from 'better-sqlite3';
import pg from 'pg';

const { values: flags } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    warmup: { type: 'string', default: '1000' },
    'pg-items': { type: 'string', default: '2000' },
    pg: { type: 'string', default: process.env.SLUICE_TEST_PG_URL ?? '' },
  },
});
const ITEMS = Number(flags.items);
const WARMUP = Number(flags.warmup);
/** PostgreSQL commits wait for the WAL flush (about 1 ms each here), so it gets fewer items. */
const PG_ITEMS = Number(flags['pg-items']);

// The benchmark prints its figures (the console rule binds the packages, not bench scripts).
const say = (line: string): void => console.log(line);

const UPSERT = `insert into run_step_items (run_id, step_index, item_index, status, input, output, error, attempts, history, idempotency_key, started_at, finished_at)
values (__PARAMS__)
on conflict (run_id, step_index, item_index) do update set status = excluded.status, input = excluded.input,
  output = excluded.output, error = excluded.error, attempts = excluded.attempts, history = excluded.history,
  idempotency_key = excluded.idempotency_key, started_at = excluded.started_at, finished_at = excluded.finished_at`;
const placeholders = (style: 'sqlite' | 'pg') =>
  UPSERT.replace(
    '__PARAMS__',
    Array.from({ length: 12 }, (_, i) => (style === 'pg' ? `$${i + 1}` : '?')).join(', '),
  );

const WORKFLOW: Workflow = { name: 'bench', scope: 'workspace', steps: [] };
const STARTED = new Date().toISOString();

/** A realistic finished item: a customer in, a webhook answer out, one attempt. */
function itemRow(runId: string, index: number): StepItemRow {
  return {
    run_id: runId,
    step_index: 1,
    item_index: index,
    status: 'succeeded',
    input: { id: index, email: `customer${index}@example.com`, name: `Customer ${index}`, plan: 'pro' },
    output: { accepted: true, id: `evt_${index}`, received: { id: index, tags: ['a', 'b'] }, note: 'ok ✓' },
    error: null,
    attempts: 1,
    history: [{ started_at: STARTED, duration_ms: 12, wait_ms: 0, status: 200 }],
    idempotency_key: `${runId}:1:${index}`,
    started_at: STARTED,
    finished_at: STARTED,
  };
}

/** The parameters a hand-written store would bind for the same row. */
function rawParams(row: StepItemRow): unknown[] {
  return [
    row.run_id,
    row.step_index,
    row.item_index,
    row.status,
    JSON.stringify(row.input),
    JSON.stringify(row.output),
    row.error === null ? null : JSON.stringify(row.error),
    row.attempts,
    JSON.stringify(row.history),
    row.idempotency_key,
    row.started_at,
    row.finished_at,
  ];
}

type Writer = (row: StepItemRow) => Promise<unknown> | unknown;

/** Writes `count` items of a new run; resolves items per second. */
async function measure(store: SqlStore, runId: string, count: number, write: Writer): Promise<number> {
  await store.runs.createRun({
    id: runId,
    workflow_name: 'bench',
    workflow: WORKFLOW,
    input: {},
    created_at: STARTED,
  });
  const rows = Array.from({ length: count }, (_, i) => itemRow(runId, i));
  const start = process.hrtime.bigint();
  for (const row of rows) await write(row);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return count / seconds;
}

/** Runs store, raw, raw, store (so drift hits both sides) and prints the figures. */
async function compare(label: string, items: number, store: SqlStore, raw: Writer): Promise<void> {
  const viaStore: Writer = (row) => store.runs.saveStepItem(row);
  await measure(store, `${label}-warm-store`, WARMUP, viaStore);
  await measure(store, `${label}-warm-raw`, WARMUP, raw);
  const s1 = await measure(store, `${label}-store-1`, items, viaStore);
  const r1 = await measure(store, `${label}-raw-1`, items, raw);
  const r2 = await measure(store, `${label}-raw-2`, items, raw);
  const s2 = await measure(store, `${label}-store-2`, items, viaStore);
  // Mean time per call of the two runs, then back to a rate.
  const usStore = (1e6 / s1 + 1e6 / s2) / 2;
  const usRaw = (1e6 / r1 + 1e6 / r2) / 2;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  say(`\n${label}: ${items.toLocaleString('en-US')} sequential saveStepItem per run`);
  say(`  runs (items/s): store ${fmt(s1)}, raw ${fmt(r1)}, raw ${fmt(r2)}, store ${fmt(s2)}`);
  say(`  store (Kysely): ${fmt(1e6 / usStore)} items/s, ${usStore.toFixed(1)} µs per item`);
  say(`  raw driver:     ${fmt(1e6 / usRaw)} items/s, ${usRaw.toFixed(1)} µs per item`);
  say(
    `  ratio store/raw: ${(usRaw / usStore).toFixed(2)}; overhead ${(usStore - usRaw).toFixed(1)} µs per item`,
  );
}

async function benchSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-store-'));
  const file = join(dir, 'bench.db');
  const store = await openStore({ file });
  const raw = new Sqlite(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  const statement = raw.prepare(placeholders('sqlite'));
  try {
    await compare('SQLite (WAL, synchronous=NORMAL)', ITEMS, store, (row) => statement.run(rawParams(row)));
  } finally {
    raw.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(url: string): Promise<void> {
  const schema = `sluice_bench_${process.pid}`;
  const store = await openStore({ url, schema });
  const pool = new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
  const text = placeholders('pg');
  try {
    await compare('PostgreSQL', PG_ITEMS, store, (row) => pool.query(text, rawParams(row)));
  } finally {
    await store.close();
    await pool.query(`drop schema if exists "${schema}" cascade`);
    await pool.end();
  }
}

await benchSqlite();
if (flags.pg === '') say('\nPostgreSQL: skipped (pass --pg postgres://... or set SLUICE_TEST_PG_URL)');
else await benchPostgres(flags.pg);
