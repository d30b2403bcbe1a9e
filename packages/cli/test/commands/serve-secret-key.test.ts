/**
 * `sluice serve` and its secret key: created in --data-dir on first start and reused afterwards, taken
 * from SLUICE_SECRET_KEY when set, and a malformed SLUICE_SECRET_KEY stops the start without echoing it.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, spawnSluice, untilReady } from '../serve-process.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-serve-key-'));
});

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `sluice serve` until it is ready (then stops it with SIGTERM) or exits; resolves what it printed. */
async function serve(env: Record<string, string>): Promise<{ code: number | null; printed: string }> {
  const run = spawnSluice(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--grace', '0'], {
    env,
    unset: ['SLUICE_SECRET_KEY'],
  });
  if (await untilReady(run)) run.child.kill('SIGTERM');
  const [code] = await run.exited;
  return { code, printed: run.printed() };
}

describe('sluice serve: the secret key', () => {
  it('creates <data-dir>/secret.key (0600) on first start, says so, and reuses it on the next', async () => {
    const path = join(dir, 'data', 'secret.key');
    const first = await serve({});
    expect(first.printed).toContain(
      `secret key: ${path} (created; back it up: connections do not open without it)\n`,
    );
    const key = readFileSync(path, 'utf8');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.printed).not.toContain(key.trim());

    const second = await serve({});
    expect(second.printed).toContain(`secret key: ${path}\n`);
    expect(readFileSync(path, 'utf8')).toBe(key);

    const fromEnv = await serve({ SLUICE_SECRET_KEY: 'ab'.repeat(32) });
    expect(fromEnv.printed).toContain('secret key: SLUICE_SECRET_KEY\n');
    expect(fromEnv.printed).not.toContain('ab'.repeat(32));
  }, 60_000);

  it('refuses a malformed SLUICE_SECRET_KEY, naming the variable but not its value', async () => {
    const bad = 'my-very-secret-passphrase';
    const res = await serve({ SLUICE_SECRET_KEY: bad });
    expect(res.code).not.toBe(0);
    expect(res.printed).toContain('SLUICE_SECRET_KEY');
    expect(res.printed).toContain('SLUICE_SECRET_KEY is not a secret key (25 characters)');
    expect(res.printed).not.toContain(bad);
  }, 30_000);
});
