import { isSluiceError } from '@sluice/sdk';
import { encodeForm, encodeQuery, flattenParams } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';

describe('flattenParams', () => {
  it('flattens nested objects and arrays Rails-style, in the order written', () => {
    expect(
      flattenParams({
        id: 1234,
        ids: [1, 2],
        filter: { status: 'open', tags: ['a', 'b'] },
        rows: [{ x: 1 }],
      }),
    ).toEqual([
      ['id', '1234'],
      ['ids[]', '1'],
      ['ids[]', '2'],
      ['filter[status]', 'open'],
      ['filter[tags][]', 'a'],
      ['filter[tags][]', 'b'],
      ['rows[][x]', '1'],
    ]);
  });

  it('writes dates as ISO 8601, null as an empty value, booleans as text, and leaves undefined out', () => {
    expect(
      flattenParams({ since: new Date('2024-01-02T03:04:05Z'), none: null, flag: false, skipped: undefined }),
    ).toEqual([
      ['since', '2024-01-02T03:04:05.000Z'],
      ['none', ''],
      ['flag', 'false'],
    ]);
  });
});

describe('encodeQuery', () => {
  it('percent-encodes keys and values', () => {
    expect(
      encodeQuery([
        ['ids[]', '1'],
        ['q', 'a b&c=d'],
      ]),
    ).toBe('ids%5B%5D=1&q=a%20b%26c%3Dd');
  });
});

describe('encodeForm', () => {
  it('form-encodes an object with + for spaces, keys sorted as Rails to_param does', () => {
    expect(
      encodeForm({ grant_type: 'client_credentials', scope: 'read write', a: { b: 1 } }, 'POST /t'),
    ).toBe('a%5Bb%5D=1&grant_type=client_credentials&scope=read+write');
  });

  it('sends a string payload as it is', () => {
    expect(encodeForm('a=1&b=2', 'POST /t')).toBe('a=1&b=2');
  });

  it('rejects a payload that is neither an object nor a string, naming the request', () => {
    let caught: unknown;
    try {
      encodeForm([1, 2], 'POST http://h/token');
    } catch (err) {
      caught = err;
    }
    expect(isSluiceError(caught, 'SLUICE_HTTP_PAYLOAD')).toBe(true);
    expect((caught as Error).message).toBe(
      'cannot form-encode the payload of POST http://h/token: expected an object or a string, got an array',
    );
  });
});
