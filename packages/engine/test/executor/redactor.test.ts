import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, secretValuesIn } from '../../src/secrets/redactor.js';
import { RunTokens } from '../../src/secrets/run-token.js';

describe('createRedactor', () => {
  const redact = createRedactor({ values: ['s3cr3t-token', 'a b&c'], names: ['api_token'] });

  it('replaces secret values in strings, also URL- and JSON-encoded', () => {
    expect(redact.text('GET http://h/x?t=s3cr3t-token')).toBe(`GET http://h/x?t=${REDACTED}`);
    expect(redact.text('q=a%20b%26c and a+b%26c')).toBe(`q=${REDACTED} and ${REDACTED}`);
  });

  it('replaces values under secret keys and Authorization/Cookie headers, without mutating', () => {
    const value = {
      headers: { Authorization: 'Bearer x', cookie: 'c=1', Accept: 'json' },
      params: { API_TOKEN: 'zzz', other: 'keep' },
      list: ['s3cr3t-token'],
    };
    expect(redact.value(value)).toEqual({
      headers: { Authorization: REDACTED, cookie: REDACTED, Accept: 'json' },
      params: { API_TOKEN: REDACTED, other: 'keep' },
      list: [REDACTED],
    });
    expect(value.params.API_TOKEN).toBe('zzz');
  });

  it('does not mangle words that merely contain a short secret', () => {
    expect(createRedactor({ values: ['acme'] }).text('acme at acmecorp')).toBe(`${REDACTED} at acmecorp`);
  });

  it('learns more secrets with with()', () => {
    expect(redact.with(['later-secret']).text('later-secret')).toBe(REDACTED);
    expect(redact.text('later-secret')).toBe('later-secret');
  });
});

describe('createRedactor, shared by runs', () => {
  const names = Object.freeze(['api_token']);
  const tokens = new RunTokens(randomBytes(32));
  const caller = { id: 'ann', email: 'ann@acme.test', workspace_id: 'acme', role: 'member' as const };

  it('gives runs whose secrets differ only in their run tokens one redactor, which hides every token', () => {
    const [one, two] = [tokens.issue(caller, 'run-1'), tokens.issue(caller, 'run-2')];
    const first = createRedactor({ names, values: [one, 'ws-secret-1'] });
    const second = createRedactor({ names, values: [two, 'ws-secret-1'] });
    expect(second).toBe(first);
    for (const token of [one, two]) {
      expect(second.text(`Bearer ${token} and ws-secret-1`)).toBe(`Bearer ${REDACTED} and ${REDACTED}`);
      expect(second.value({ api_token: 'x', note: `t=${token}` })).toEqual({
        api_token: REDACTED,
        note: `t=${REDACTED}`,
      });
    }
    expect(first.with(['later-secret'])).toBe(second.with(['later-secret', one]));
  });

  it('keeps judging keys right once its remembered verdicts have filled and started over', () => {
    const shared = createRedactor({ names, values: ['ws-secret-1'] });
    const flood = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    expect(shared.value(flood)).toBe(flood);
    expect(shared.holdsNoSecret({ ...flood, API_Token: 'x' })).toBe(false);
    expect(shared.value({ k1: 1, api_token: 'x', k9999: 'ws-secret-1' })).toEqual({
      k1: 1,
      api_token: REDACTED,
      k9999: REDACTED,
    });
    expect(secretValuesIn({ ...flood, Api_Token: 'found' }, names)).toEqual(['found']);
  });

  it('gives another redactor for other secret values or other names', () => {
    const base = createRedactor({ names, values: ['ws-secret-1'] });
    expect(createRedactor({ names, values: ['ws-secret-2'] })).not.toBe(base);
    expect(createRedactor({ names, values: ['ws-secret-2'] }).text('ws-secret-1')).toBe('ws-secret-1');
    const other = createRedactor({ names: Object.freeze(['password']), values: ['ws-secret-1'] });
    expect(other).not.toBe(base);
    expect(other.isSecretKey('api_token')).toBe(false);
  });
});

describe('secretValuesIn', () => {
  it('collects the strings under secret keys at any depth', () => {
    expect(
      secretValuesIn({ a: { token: 'x1' }, b: [{ Password: 'p' }], token: 3 }, ['token', 'password']),
    ).toEqual(['x1', 'p']);
  });
});

describe('Redactor.value', () => {
  it('returns a value without secrets as it is, and copies only what leads to a secret', () => {
    const redact = createRedactor({ values: ['s3cr3t-token'] });
    const clean = { a: [1, { b: 'x' }], c: 'y' };
    expect(redact.value(clean)).toBe(clean);
    const mixed = { keep: { b: 'x' }, hide: { t: 'see s3cr3t-token' } };
    const out = redact.value(mixed);
    expect(out).not.toBe(mixed);
    expect(out.keep).toBe(mixed.keep);
    expect(out.hide).toEqual({ t: `see ${REDACTED}` });
    expect(mixed.hide.t).toBe('see s3cr3t-token');
  });

  it('copies an array whose own entries replace constructor or Symbol.species, holes kept', () => {
    const redact = createRedactor({ values: ['s3cr3t-token'] });
    const withConstructor = Object.assign(['s3cr3t-token', 'x'], { constructor: 'not a class' });
    const withSpecies = ['s3cr3t-token'];
    Object.defineProperty(withSpecies, 'constructor', { value: { [Symbol.species]: 5 } });
    // biome-ignore lint/suspicious/noSparseArray: a hole must stay a hole in the copy
    const holey = [, 's3cr3t-token'];
    expect(redact.value(withConstructor)).toEqual([REDACTED, 'x']);
    expect(redact.value(withSpecies)).toEqual([REDACTED]);
    const copy = redact.value(holey);
    expect([0 in copy, copy[1], copy.length]).toEqual([false, REDACTED, 2]);
    expect(withConstructor[0]).toBe('s3cr3t-token');
  });
});
