import { encodeForm } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';

// Expected strings are what ActiveSupport's Hash#to_param (core_ext/object/to_query.rb) gives for the same hash.
describe('encodeForm as Rails to_param', () => {
  it('sorts the pieces of each key, nested hashes included', () => {
    expect(encodeForm({ z: 1, b: { y: 2, a: 3 }, a: 'x' }, 'POST /t')).toBe('a=x&b%5Ba%5D=3&b%5By%5D=2&z=1');
  });

  it('keeps array order and the order of hashes inside arrays', () => {
    expect(encodeForm({ ids: [3, 1], rows: [{ z: 1, a: 2 }] }, 'POST /t')).toBe(
      'ids%5B%5D=3&ids%5B%5D=1&rows%5B%5D%5Bz%5D=1&rows%5B%5D%5Ba%5D=2',
    );
  });

  it('leaves out empty hashes and arrays and undefined, and sends null as key=', () => {
    expect(encodeForm({ e: {}, l: [], u: undefined, n: null, t: true }, 'POST /t')).toBe('n=&t=true');
  });

  it('escapes as CGI.escape: + for spaces, * escaped, ~ kept', () => {
    expect(encodeForm({ q: 'a b*c~d&e' }, 'POST /t')).toBe('q=a+b%2Ac~d%26e');
  });
});
