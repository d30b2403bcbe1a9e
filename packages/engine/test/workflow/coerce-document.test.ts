/**
 * The Mason format's other spellings, brought to the schema's before it runs: pydantic v2 lax-mode
 * coercions of strings to booleans, integers and floats, naive datetimes, null for Optional fields.
 */
import { describe, expect, it } from 'vitest';
import {
  coerceBool,
  coerceDateTime,
  coerceDocument,
  coerceInt,
  coerceNumber,
} from '../../src/workflow/coerce-document.js';

describe('coerceBool (pydantic-core str_as_bool, int_as_bool)', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['t', true],
    ['y', true],
    ['yes', true],
    ['on', true],
    ['1', true],
    [1, true],
    ['false', false],
    ['False', false],
    ['f', false],
    ['n', false],
    ['no', false],
    ['OFF', false],
    ['0', false],
    [0, false],
  ])('reads %j as %j', (value, expected) => {
    expect(coerceBool(value)).toBe(expected);
  });

  it.each([' true', 'true ', 'yes!', 'ja', '2', 2, '', null, 'truE\u0131'])('leaves %j as it is', (value) => {
    expect(coerceBool(value)).toBeUndefined();
  });
});

describe('coerceInt (pydantic-core str_as_int)', () => {
  it.each([
    ['12', 12],
    [' 12 ', 12],
    ['+12', 12],
    ['-3', -3],
    ['0012', 12],
    ['1_000', 1000],
    ['12.0', 12],
    ['12.000', 12],
  ])('reads %j as %j', (value, expected) => {
    expect(coerceInt(value)).toBe(expected);
  });

  it.each(['12.5', '1e3', '12.', '_1', '1__0', '1_', '+-1', '', 'twelve', '9007199254740993', 12])(
    'leaves %j as it is',
    (value) => {
      expect(coerceInt(value)).toBeUndefined();
    },
  );
});

describe('coerceNumber (pydantic-core str_as_float)', () => {
  it.each([
    ['0.5', 0.5],
    [' 2 ', 2],
    ['.5', 0.5],
    ['5.', 5],
    ['1e-3', 0.001],
    ['1_0.5', 10.5],
  ])('reads %j as %j', (value, expected) => {
    expect(coerceNumber(value)).toBe(expected);
  });

  it.each(['inf', 'nan', 'half', '', '1e', 0.5])('leaves %j as it is', (value) => {
    expect(coerceNumber(value)).toBeUndefined();
  });
});

describe('coerceDateTime (pydantic datetime, naive taken as UTC)', () => {
  it.each([
    ['2024-05-01T12:00:00.123456', '2024-05-01T12:00:00.123456Z'],
    ['2024-05-01 12:00:00.123456', '2024-05-01T12:00:00.123456Z'],
    ['2024-05-01 12:00:00', '2024-05-01T12:00:00Z'],
    ['2024-05-01T12:00', '2024-05-01T12:00:00Z'],
    ['2024-05-01', '2024-05-01T00:00:00Z'],
    ['2024-05-01T12:00:00Z', '2024-05-01T12:00:00Z'],
    ['2024-05-01T12:00:00+02:00', '2024-05-01T12:00:00+02:00'],
    ['2024-05-01 12:00:00+0200', '2024-05-01T12:00:00+02:00'],
    ['2024-05-01T12:00:00-05', '2024-05-01T12:00:00-05:00'],
    ['2024-02-29T00:00:00', '2024-02-29T00:00:00Z'],
  ])('reads %j as %j', (value, expected) => {
    expect(coerceDateTime(value)).toBe(expected);
  });

  it.each(['2023-02-29T00:00:00', '2024-05-01T24:00:00', '2024-13-01', 'yesterday', '2024-05-01T12', 5])(
    'leaves %j as it is',
    (value) => {
      expect(coerceDateTime(value)).toBeUndefined();
    },
  );
});

describe('coerceDocument', () => {
  it('drops null Optional fields and never changes the value it is given', () => {
    const doc = {
      uid: null,
      name: 'w',
      default_retry: null,
      deleted: 'false',
      steps: [
        {
          name: 'a',
          input: null,
          output: null,
          retry: null,
          apispec: { url: 'https://x.test', headers: null, params: null, data: null, json_body: null },
        },
      ],
    };
    const before = structuredClone(doc);
    const { value, problems } = coerceDocument(doc);
    expect(problems).toEqual([]);
    expect(value).toEqual({
      name: 'w',
      deleted: false,
      steps: [{ name: 'a', apispec: { url: 'https://x.test' } }],
    });
    expect(doc).toEqual(before);
  });

  it('keeps null where the format does not say Optional (the schema decides)', () => {
    const { value } = coerceDocument({ name: 'w', scope: null, steps: [{ name: 'a', when: null }] });
    expect(value).toEqual({ name: 'w', scope: null, steps: [{ name: 'a', when: null }] });
  });

  it('parses headers and params held as JSON text, and reports text that is neither JSON object nor template', () => {
    const { value, problems } = coerceDocument({
      steps: [
        { apispec: { headers: '{"A": "1"}', params: ' {"q": [1, 2]}' } },
        { apispec: { headers: '{{ STEPS.auth.output.headers }}', params: 'a=1' } },
        { apispec: { headers: '["A"]' } },
      ],
    });
    expect((value as { steps: unknown[] }).steps).toEqual([
      { apispec: { headers: { A: '1' }, params: { q: [1, 2] } } },
      { apispec: { headers: '{{ STEPS.auth.output.headers }}', params: 'a=1' } },
      { apispec: { headers: '["A"]' } },
    ]);
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'steps.1.apispec.params',
      'steps.2.apispec.headers',
    ]);
  });
});
