import { isSluiceError, type SluiceError } from '@sluice/sdk';
import { decodeJson, encodeJson } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';

function failure(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('decodeJson', () => {
  it('parses JSON, skipping a byte order mark', () => {
    expect(decodeJson('\uFEFF{"a":[1,true,null]}', 'GET /x')).toEqual({ a: [1, true, null] });
  });

  it('decodes an empty or blank body to null', () => {
    expect(decodeJson('', 'GET /x')).toBeNull();
    expect(decodeJson(' \n', 'GET /x')).toBeNull();
  });

  it('raises SLUICE_HTTP_RESPONSE_FORMAT quoting the start of a body that is not JSON', () => {
    const err = failure(() => decodeJson('<html>oops</html>', 'GET http://h/x'));
    expect(err.code).toBe('SLUICE_HTTP_RESPONSE_FORMAT');
    expect(err.message).toBe('the response of GET http://h/x is not JSON: "<html>oops</html>"');
    expect(err.hint).toContain('responseFormatRaw');
  });

  it('quotes at most 200 characters of a long body', () => {
    const err = failure(() => decodeJson(`x${'y'.repeat(500)}`, 'GET /x'));
    expect(err.message).toBe(`the response of GET /x is not JSON: "x${'y'.repeat(199)}..."`);
  });
});

describe('encodeJson', () => {
  it('encodes values as JSON text', () => {
    expect(encodeJson({ a: 'b', n: [1] })).toBe('{"a":"b","n":[1]}');
  });
});
