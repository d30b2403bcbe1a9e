import { describe, expect, it } from 'vitest';
import { createMasker, loggableBody, maskHeaders } from '../../src/http/mask-secrets.js';

describe('createMasker', () => {
  it('masks secrets as written, URL-encoded, form-encoded and JSON-escaped', () => {
    const mask = createMasker(['p@ss word"1']);
    expect(mask('a p@ss word"1 b')).toBe('a [secret] b');
    expect(mask('?t=p%40ss%20word%221&x')).toBe('?t=[secret]&x');
    expect(mask('t=p%40ss+word%221')).toBe('t=[secret]');
    expect(mask('{"t":"p@ss word\\"1"}')).toBe('{"t":"[secret]"}');
  });

  it('masks short secrets only where they stand alone, and ignores empty ones', () => {
    const mask = createMasker(['abc', '']);
    expect(mask('abc xabcx /abc/')).toBe('[secret] xabcx /[secret]/');
    expect(createMasker([''])('same')).toBe('same');
  });
});

describe('maskHeaders', () => {
  it('always masks authorization and cookie headers, and secrets in the others', () => {
    const mask = createMasker(['tok-123456']);
    expect(
      maskHeaders(
        { Authorization: 'Basic abc', cookie: 'a=1', 'set-cookie': ['b=2'], 'X-Key': 'k tok-123456' },
        mask,
      ),
    ).toEqual({
      Authorization: '[secret]',
      cookie: '[secret]',
      'set-cookie': '[secret]',
      'X-Key': 'k [secret]',
    });
  });
});

describe('loggableBody', () => {
  const mask = createMasker(['sk-0123456789']);

  it('decodes, masks and keeps a small body whole', () => {
    expect(loggableBody(new TextEncoder().encode('{"k":"sk-0123456789"}'), mask)).toBe('{"k":"[secret]"}');
    expect(loggableBody(undefined, mask)).toBeUndefined();
  });

  it('cuts a large body, still masking a secret that crosses the cut', () => {
    const text = `${'x'.repeat(15)}sk-0123456789${'y'.repeat(100)}`;
    expect(loggableBody(new TextEncoder().encode(text), mask, 20)).toBe(
      'xxxxxxxxxxxxxxx[secr... [128 bytes in all]',
    );
    expect(loggableBody(text, mask, 20)).toBe('xxxxxxxxxxxxxxx[secr... [128 characters in all]');
  });
});
