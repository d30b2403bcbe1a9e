/** `sluice keys create`: prints a key once; only its hash is stored; the key authenticates. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@sluice/engine';
import { authenticate, hashApiKey } from '@sluice/engine/internal';
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
    const row = await store.apiKeys.find(hashApiKey(key));
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

/** Creates a key with the CLI; resolves the key and its id. */
async function create(workspace: string, email: string, role = 'member') {
  const res = await runCli([
    'keys',
    'create',
    '--workspace',
    workspace,
    '--email',
    email,
    '--role',
    role,
    '--data-dir',
    dir,
  ]);
  expect(res.code).toBe(0);
  return { key: res.stdout.trim(), id: /created key (key_[0-9a-f]{16})/.exec(res.stderr)?.[1] as string };
}

describe('sluice keys list', () => {
  it('shows id, workspace, email, role, created and revoked, never the key or its hash', async () => {
    const ann = await create('acme', 'ann@acme.test', 'admin');
    const gil = await create('globex', 'gil@globex.test');
    const table = await runCli(['keys', 'list', '--data-dir', dir]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+WORKSPACE\s+EMAIL\s+ROLE\s+CREATED\s+REVOKED$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(`^${ann.id}\\s+acme\\s+ann@acme\\.test\\s+admin\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\s+-$`),
      ),
      expect.stringMatching(new RegExp(`^${gil.id}\\s+globex\\s+gil@globex\\.test\\s+member\\s+\\S+\\s+-$`)),
    ]);
    await using store = await openStore({ file: join(dir, 'sluice.db') });
    for (const { key } of [ann, gil]) {
      expect(table.stdout).not.toContain(key);
      expect(table.stdout).not.toContain(hashApiKey(key));
    }
    const json = await runCli(['keys', 'list', '--workspace', 'globex', '--json', '--data-dir', dir]);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        id: gil.id,
        workspace: 'globex',
        email: 'gil@globex.test',
        role: 'member',
        created: expect.any(String),
        revoked: null,
      },
    ]);
    expect(json.stdout).not.toContain(hashApiKey(gil.key));
    expect((await store.apiKeys.list()).length).toBe(2);
  });

  it('prints only the header, and says so on stderr, when there is no key', async () => {
    const res = await runCli(['keys', 'list', '--workspace', 'nobody', '--data-dir', dir]);
    expect([res.code, res.stdout.trim()]).toEqual([0, 'ID  WORKSPACE  EMAIL  ROLE  CREATED  REVOKED']);
    expect(res.stderr).toMatch(/^no keys of workspace nobody in .*sluice\.db\n$/);
  });
});

describe('sluice keys revoke', () => {
  it('revokes the key: it no longer authenticates, and list shows when', async () => {
    const ann = await create('acme', 'ann@acme.test');
    const bob = await create('acme', 'bob@acme.test');
    const res = await runCli(['keys', 'revoke', ann.id, '--data-dir', dir]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      new RegExp(`^revoked key ${ann.id} of ann@acme\\.test in workspace acme at \\S+Z\\n$`),
    );
    {
      await using store = await openStore({ file: join(dir, 'sluice.db') });
      const denied = await authenticate(store, `Bearer ${ann.key}`).catch((e: unknown) => e);
      expect(denied).toMatchObject({ code: 'SLUICE_API_UNAUTHORIZED' });
      expect(await authenticate(store, `Bearer ${bob.key}`)).toMatchObject({ email: 'bob@acme.test' });
    }
    const list = await runCli(['keys', 'list', '--json', '--data-dir', dir]);
    const rows = JSON.parse(list.stdout) as { id: string; revoked: string | null }[];
    expect(rows.map((r) => [r.id, r.revoked === null])).toEqual([
      [ann.id, false],
      [bob.id, true],
    ]);
    const again = await runCli(['keys', 'revoke', ann.id, '--data-dir', dir]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/was already revoked at \S+Z\n$/)]);
  });

  it('fails for an unknown id and without one', async () => {
    const unknown = await runCli(['keys', 'revoke', 'key_0000000000000000', '--data-dir', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error SLUICE_API_NOT_FOUND: no key key_0000000000000000 in .*sluice\.db/);
    expect(unknown.stderr).toContain('hint: run "sluice keys list"');
    const missing = await runCli(['keys', 'revoke', '--data-dir', dir]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('SLUICE_CLI_USAGE')]);
  });
});
