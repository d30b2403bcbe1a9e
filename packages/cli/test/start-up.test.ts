/**
 * What every `sluice` command pays before it runs: loading the program with all its commands registered
 * must not load YAML, the store (Kysely), the API (Fastify) or Redis (ioredis, BullMQ); each command
 * loads what it uses with `await import()`. Checked on the built CLI (`npm test` builds before vitest), in
 * a fresh process: the CommonJS packages loaded show in its `require.cache`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './run-cli.js';

const PROGRAM = pathToFileURL(join(REPO_ROOT, 'packages/cli/dist/program.js')).href;
const HEAVY = ['yaml', 'kysely', 'fastify', 'ioredis', 'bullmq', 'better-sqlite3', 'pg'];

/** The heavy packages in the `require.cache` of a process that imported the program, and the cache's size. */
function loadedAfterImport(): Promise<{ heavy: string[]; modules: number }> {
  const script = `
    const { createRequire } = await import('node:module');
    await import(${JSON.stringify(PROGRAM)});
    const cache = Object.keys(createRequire(${JSON.stringify(PROGRAM)}).cache);
    const heavy = ${JSON.stringify(HEAVY)}.filter((name) => cache.some((file) => file.includes('/node_modules/' + name + '/')));
    console.log(JSON.stringify({ heavy, modules: cache.length }));
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as { heavy: string[]; modules: number });
    });
  });
}

describe('sluice start-up', () => {
  it('loads none of YAML, the store, the API or Redis just to register its commands', async () => {
    const loaded = await loadedAfterImport();
    // The probe sees CommonJS packages at all (commander is one), so an empty list means something.
    expect(loaded.modules).toBeGreaterThan(0);
    expect(loaded.heavy).toEqual([]);
  });
});
