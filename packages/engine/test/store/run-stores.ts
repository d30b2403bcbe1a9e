/**
 * The implementations of `RunStore` the run-store suite runs on: every SQL dialect of `dialects.ts`
 * (SQLite always, PostgreSQL when `SLUICE_TEST_PG_URL` is set), and the memory store of `sluice run`.
 * Each test gets a fresh store, closed in teardown (on PostgreSQL, a schema an earlier test emptied).
 */
import { MemoryRunStore, type RunStore } from '@sluice/engine';
import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import { DIALECTS, dropReusedSchemas } from './dialects.js';

/** What a test of {@link describeEachRunStore} works on; fresh for each test. */
export interface RunStoreContext {
  runs: RunStore;
  /** What the store's errors name as its database. */
  location: string;
}

/** One implementation of the suite. */
interface RunStoreKind {
  name: string;
  skip: boolean;
  open(): Promise<{ runs: RunStore; location: string; teardown(): Promise<void> }>;
}

const KINDS: readonly RunStoreKind[] = [
  ...DIALECTS.map(
    (dialect): RunStoreKind => ({
      name: dialect.name,
      skip: dialect.skip,
      async open() {
        const db = await dialect.setup({ reuse: true });
        const store = await db.open();
        return { runs: store.runs, location: store.location, teardown: () => db.teardown() };
      },
    }),
  ),
  {
    name: 'memory',
    skip: false,
    async open() {
      const store = new MemoryRunStore();
      return { runs: store, location: store.location, teardown: () => store.close() };
    },
  },
];

/**
 * Declares the suite once per implementation (`describe.skipIf` on the dialects that cannot run here),
 * with a fresh store per test.
 */
export function describeEachRunStore(title: string, body: (t: RunStoreContext) => void): void {
  for (const kind of KINDS) {
    describe.skipIf(kind.skip)(`${title} on ${kind.name}`, () => {
      const t = {} as RunStoreContext;
      let teardown: () => Promise<void> = async () => {};
      afterAll(dropReusedSchemas);
      beforeEach(async () => {
        const opened = await kind.open();
        t.runs = opened.runs;
        t.location = opened.location;
        teardown = opened.teardown;
      });
      afterEach(() => teardown());
      body(t);
    });
  }
}
