import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../src/secrets/redactor.js';
import { recordBody, recordRequest } from '../../src/steps/http/exchange-record.js';

const redactor = createRedactor({ names: ['api_key', 'token', 'password'] });

function urlOf(query: string): string {
  return recordRequest({ method: 'GET', url: `https://api.example.test/p?${query}`, headers: {} }, redactor)
    .url;
}

/** The masking of `a=1&b=2` as it was first written (split, map, join): the reference for the one-scan loop. */
function referencePairs(pairs: string): string {
  return pairs
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // kept as written
      }
      return redactor.isSecretKey(name) ? `${pair.slice(0, eq + 1)}${REDACTED}` : pair;
    })
    .join('&');
}

describe('exchange records: values under secret names', () => {
  it.each([
    ['q=one&api_key=s3cret', `q=one&api_key=${REDACTED}`],
    ['token=abc', `token=${REDACTED}`],
    ['token=abc&token=def', `token=${REDACTED}&token=${REDACTED}`],
    ['a=1&token=&b=2', `a=1&token=${REDACTED}&b=2`],
    ['api%5Fkey=x&b=2', `api%5Fkey=${REDACTED}&b=2`],
    ['TOKEN=x', `TOKEN=${REDACTED}`],
    ['token', 'token'],
    ['&&token=x&&', `&&token=${REDACTED}&&`],
    ['=x&token=y', `=x&token=${REDACTED}`],
    ['a=b=token&token=c=d', `a=b=token&token=${REDACTED}`],
    ['pass+word=x&%E0%A4%A=y', 'pass+word=x&%E0%A4%A=y'],
    ['', ''],
  ])('masks the query %j as %j', (query, masked) => {
    expect(urlOf(query)).toBe(`https://api.example.test/p?${masked}`);
  });

  it('masks the query before the fragment and leaves the fragment', () => {
    expect(urlOf('token=x#token=y')).toBe(`https://api.example.test/p?token=${REDACTED}#token=y`);
  });

  it('masks as the split-and-join reference does, on random queries', () => {
    const parts = ['a', 'token', 'api_key', 'Token', '=', '=', '&', '&', '%5F', '%', '+', 'x', ''];
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 5_000; i++) {
      const length = Math.floor(next() * 12);
      const query = Array.from({ length }, () => parts[Math.floor(next() * parts.length)]).join('');
      if (query.includes('#')) continue;
      expect(urlOf(query), query).toBe(`https://api.example.test/p?${referencePairs(query)}`);
    }
  });

  it('masks the last pair of a long query of pairs without an =', () => {
    const query = `${'a&'.repeat(5_000)}token=x`;
    expect(urlOf(query).endsWith(`&a&token=${REDACTED}`)).toBe(true);
  });

  it('masks form fields and JSON members, escaped names included', () => {
    const form = recordBody(Buffer.from('a=1&password=hunter2'), redactor, true);
    expect(form.body).toBe(`a=1&password=${REDACTED}`);
    const json = recordBody(Buffer.from('{"pass\\u0077ord": "hunter2", "user": "ann"}'), redactor);
    expect(JSON.parse(json.body)).toEqual({ password: REDACTED, user: 'ann' });
    const plain = recordBody(Buffer.from('{"user": "ann", "n": 1}'), redactor);
    expect(plain.body).toBe('{"user": "ann", "n": 1}');
  });
});
