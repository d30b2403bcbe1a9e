/** The vault: AES-256-GCM seal and open, bound to the workspace and connection name. */
import { createDecipheriv, randomBytes } from 'node:crypto';
import { isSluiceError } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { Vault } from '../../src/secrets/vault.js';

const acme = { workspaceId: 'acme', name: 'crm' };

function openError(fn: () => unknown): { code: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    expect(isSluiceError(err, 'SLUICE_SECRET_KEY')).toBe(true);
    return { code: (err as { code: unknown }).code, message: (err as Error).message };
  }
  throw new Error('expected the value not to open');
}

describe('Vault', () => {
  it('opens what it sealed, as v1.<iv>.<tag>.<ciphertext> in base64url, with a fresh IV each time', () => {
    const vault = new Vault(randomBytes(32));
    const values = { api_key: 'sk-live-123456', pin: '4321', nested: { n: 1, list: [true, null] } };
    const sealed = vault.seal(values, acme);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('sk-live');
    expect(vault.open(sealed, acme)).toEqual(values);
    const again = vault.seal(values, acme);
    expect(again.split('.')[1]).not.toBe(sealed.split('.')[1]);
    expect(vault.open(again, acme)).toEqual(values);
  });

  it('refuses a value that was altered, in any part', () => {
    const vault = new Vault(randomBytes(32));
    const sealed = vault.seal({ api_key: 'secret-value' }, acme);
    const parts = sealed.split('.');
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index] as string, 'base64url');
      bytes[0] = (bytes[0] as number) ^ 1;
      const altered = parts.map((p, i) => (i === index ? bytes.toString('base64url') : p)).join('.');
      expect(openError(() => vault.open(altered, acme)).message).toContain(
        'the secret key is not the one it was sealed with, or it was altered',
      );
    }
    for (const malformed of ['', 'v2.a.b.c', `${sealed}.x`, parts.slice(0, 3).join('.'), 'v1.!!.b.c']) {
      expect(openError(() => vault.open(malformed, acme)).message).toContain('not a sealed value');
    }
  });

  it('refuses a value sealed with another key', () => {
    const sealed = new Vault(randomBytes(32)).seal({ api_key: 'x' }, acme);
    const error = openError(() => new Vault(randomBytes(32)).open(sealed, acme));
    expect(error.message).toBe(
      'the sealed values of acme/crm do not open: the secret key is not the one it was sealed with, or it was altered',
    );
  });

  it('refuses a value copied to another workspace or connection name (AAD)', () => {
    const vault = new Vault(randomBytes(32));
    const sealed = vault.seal({ api_key: 'x' }, acme);
    expect(openError(() => vault.open(sealed, { workspaceId: 'globex', name: 'crm' })).code).toBe(
      'SLUICE_SECRET_KEY',
    );
    expect(openError(() => vault.open(sealed, { workspaceId: 'acme', name: 'crm2' })).code).toBe(
      'SLUICE_SECRET_KEY',
    );
    // The two strings are kept apart: moving a dot from the name into the workspace changes the AAD.
    const dotted = vault.seal(1, { workspaceId: 'a.b', name: 'c' });
    openError(() => vault.open(dotted, { workspaceId: 'a', name: 'b.c' }));
  });

  it("seals exactly JSON.stringify's text, large strings too, and opens it whole", () => {
    const key = randomBytes(32);
    const vault = new Vault(key);
    const plain = 'p'.repeat(200_000);
    const values: unknown[] = [
      { token: 'sk_live_123', blob: plain },
      { blob: `${'é"\n\\'.repeat(30_000)}\u0001`, lone: `${plain}\ud800` },
      { records: Array.from({ length: 3_000 }, (_, id) => ({ id, note: 'n'.repeat(60) })) },
      { at: new Date(0), skipped: undefined, list: [plain, undefined] },
      undefined,
    ];
    for (const value of values) {
      const sealed = vault.seal(value, acme);
      const [, iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      const decipher = createDecipheriv('aes-256-gcm', key, iv as Buffer, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(JSON.stringify(['v1', 'acme', 'crm'])));
      decipher.setAuthTag(tag as Buffer);
      const text = Buffer.concat([decipher.update(body as Buffer), decipher.final()]).toString('utf8');
      expect(text).toBe(JSON.stringify(value) ?? 'null');
      expect(vault.open(sealed, acme)).toEqual(JSON.parse(text));
    }
  });

  it('takes only a 32-byte key', () => {
    expect(() => new Vault(randomBytes(16))).toThrow('the vault key must be 32 bytes (got 16 bytes)');
  });
});
