/** `sluice keys create`: prints a key once; only its hash is stored; the key authenticates. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticate, hashApiKey, openStore } from '@sluice/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('sluice keys create', () => {
  it('prints the key alone on stdout and stores only its hash', async () => {
    const res = await runCli([
      'keys',
      'create',
      '--workspace',
      'acme',
      '--email',
      'ann@acme.test',
      '--role',
      'admin',
      '--data-dir',
      dir,
    ]);
    expect(res.code).toBe(0);
    const key = res.stdout.trim();
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(res.stderr).toMatch(/created key key_[0-9a-f]{16} for ann@acme.test in workspace acme \(admin\)/);
    expect(res.stderr).not.toContain(key);
    await using store = await openStore({ file: join(dir, 'sluice.db') });
    expect(await authenticate(store, `Bearer ${key}`)).toMatchObject({
      email: 'ann@acme.test',
      workspace_id: 'acme',
      role: 'admin',
    });
    const row = await store.findApiKey(hashApiKey(key));
    expect(row?.key_hash).not.toContain(key.slice(3));
  });

  it('refuses a bad role, a bad email and a missing workspace', async () => {
    const role = await runCli([
      'keys',
      'create',
      '--workspace',
      'a',
      '--email',
      'a@b.c',
      '--role',
      'owner',
      '--data-dir',
      dir,
    ]);
    expect([role.code, role.stderr]).toEqual([
      1,
      expect.stringContaining('error SLUICE_CLI_OPTION: --role owner is not a role'),
    ]);
    const email = await runCli([
      'keys',
      'create',
      '--workspace',
      'a',
      '--email',
      'nobody',
      '--data-dir',
      dir,
    ]);
    expect(email.stderr).toContain('error SLUICE_API_BAD_REQUEST: "nobody" is not an email address');
    const missing = await runCli(['keys', 'create', '--email', 'a@b.c', '--data-dir', dir]);
    expect(missing.stderr).toContain('SLUICE_CLI_USAGE');
  });
});
