import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, secretValuesIn } from '../../src/secrets/redactor.js';

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
});
