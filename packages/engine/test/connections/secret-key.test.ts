/** Loading the secret key: SLUICE_SECRET_KEY in base64, base64url or hex, else a key file made once. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSecretKey } from '@sluice/engine';
import { isSluiceError } from '@sluice/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveSubKey } from '../../src/secrets/secret-key.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(env: Record<string, string>, dataDir = dir): Promise<string> {
  try {
    await loadSecretKey({ env, dataDir });
  } catch (err) {
    expect(isSluiceError(err, 'SLUICE_SECRET_KEY')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected the key to be refused');
}

describe('loadSecretKey', () => {
  it('reads SLUICE_SECRET_KEY as base64, base64url (with or without padding) or hex', async () => {
    const key = randomBytes(32);
    for (const text of [
      key.toString('base64'),
      key.toString('base64').replace(/=$/, ''),
      key.toString('base64url'),
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      `  ${key.toString('hex')}\n`,
    ]) {
      const loaded = await loadSecretKey({ env: { SLUICE_SECRET_KEY: text }, dataDir: join(dir, 'unused') });
      expect(loaded.key.equals(key)).toBe(true);
      expect(loaded.source).toEqual({ kind: 'env', variable: 'SLUICE_SECRET_KEY' });
    }
    expect(() => statSync(join(dir, 'unused'))).toThrow();
  });

  it('refuses any other SLUICE_SECRET_KEY, naming the variable and the accepted forms but not the value', async () => {
    const secretish = 'correct-horse-battery-staple';
    for (const text of [
      secretish,
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('hex'),
      `${randomBytes(32).toString('hex').slice(0, 63)}g`,
    ]) {
      const message = await refusal({ SLUICE_SECRET_KEY: text });
      expect(message).toMatch(
        /^SLUICE_SECRET_KEY is not a secret key \(\d+ characters\): it must be 32 bytes/,
      );
      expect(message).toContain('base64 or base64url (43 or 44 characters), or as 64 hex characters');
      expect(message).not.toContain(text);
    }
    expect(await refusal({ SLUICE_SECRET_KEY: '' })).toMatch(/^SLUICE_SECRET_KEY is empty: it must be/);
  });

  it('creates <dataDir>/secret.key with mode 0600 on first start and reuses it afterwards', async () => {
    const dataDir = join(dir, 'data');
    const first = await loadSecretKey({ env: {}, dataDir });
    const path = join(dataDir, 'secret.key');
    expect(first.source).toEqual({ kind: 'file', path, created: true });
    expect(first.key).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(`${first.key.toString('base64url')}\n`);
    const second = await loadSecretKey({ env: {}, dataDir });
    expect(second.source).toEqual({ kind: 'file', path, created: false });
    expect(second.key.equals(first.key)).toBe(true);
    // The variable wins over the file when both are there.
    const fromEnv = randomBytes(32);
    const third = await loadSecretKey({ env: { SLUICE_SECRET_KEY: fromEnv.toString('hex') }, dataDir });
    expect(third.key.equals(fromEnv)).toBe(true);
  });

  it('gives every concurrent first start the same key, and leaves no temporary file behind', async () => {
    const dataDir = join(dir, 'race');
    const loads = await Promise.all(Array.from({ length: 8 }, () => loadSecretKey({ env: {}, dataDir })));
    const keys = new Set(loads.map((l) => l.key.toString('hex')));
    expect(keys.size).toBe(1);
    expect(loads.filter((l) => l.source.kind === 'file' && l.source.created)).toHaveLength(1);
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()).toBe(
      loads[0]?.key.toString('base64url'),
    );
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dataDir)).toEqual(['secret.key']);
  });

  it('refuses a key file that holds something else, naming the file', async () => {
    writeFileSync(join(dir, 'secret.key'), 'not a key\n');
    expect(await refusal({})).toBe(
      `the key file ${join(dir, 'secret.key')} is not a secret key (9 characters): it must be 32 bytes as base64 or base64url (43 or 44 characters), or as 64 hex characters`,
    );
  });
});

describe('deriveSubKey', () => {
  it('derives the same 32 bytes for the same purpose and independent ones for others', () => {
    const key = randomBytes(32);
    const vault = deriveSubKey(key, 'vault');
    expect(vault).toHaveLength(32);
    expect(deriveSubKey(key, 'vault').equals(vault)).toBe(true);
    expect(deriveSubKey(key, 'run-tokens').equals(vault)).toBe(false);
    expect(vault.equals(key)).toBe(false);
    expect(deriveSubKey(randomBytes(32), 'vault').equals(vault)).toBe(false);
  });
});
