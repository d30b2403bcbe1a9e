import { coerceOutput, type Field } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';

function one(field: Omit<Field, 'name'>, value: unknown): unknown {
  return (coerceOutput([{ name: 'v', ...field }], { v: value }) as { v: unknown }).v;
}

describe('coerceOutput', () => {
  it.each([
    ['integer from a numeric string', { type: 'integer' }, '42', 42],
    ['integer from a padded string', { type: 'integer' }, ' -7 ', -7],
    ['integer from an exponent', { type: 'integer' }, '1e3', 1000],
    ['integer kept for a fraction', { type: 'integer' }, '4.5', '4.5'],
    ['integer kept beyond the safe range', { type: 'integer' }, '9007199254740993', '9007199254740993'],
    ['integer kept for a word', { type: 'integer' }, 'forty', 'forty'],
    ['integer number kept', { type: 'integer' }, 3, 3],
    ['number from a decimal string', { type: 'number' }, '-1.25', -1.25],
    ['number from a leading dot', { type: 'number' }, '.5', 0.5],
    ['number kept for hex', { type: 'number' }, '0x10', '0x10'],
    ['number kept for Infinity', { type: 'number' }, 'Infinity', 'Infinity'],
    ['number kept for an empty string', { type: 'number' }, '', ''],
    ['boolean from "true"', { type: 'boolean' }, 'true', true],
    ['boolean from "FALSE"', { type: 'boolean' }, 'FALSE', false],
    ['boolean kept for 1', { type: 'boolean' }, 1, 1],
    ['boolean kept for "yes"', { type: 'boolean' }, 'yes', 'yes'],
    ['date from a Date (UTC)', { type: 'date' }, new Date('2024-03-01T23:30:00Z'), '2024-03-01'],
    ['date kept when already a date', { type: 'date' }, '2024-03-01', '2024-03-01'],
    ['date from a date-time string, as written', { type: 'date' }, '2024-03-01T23:30:00-05:00', '2024-03-01'],
    ['date kept for an impossible day', { type: 'date' }, '2024-02-30T10:00:00Z', '2024-02-30T10:00:00Z'],
    ['date kept for another format', { type: 'date' }, '03/01/2024', '03/01/2024'],
    [
      'date_time from a Date',
      { type: 'date_time' },
      new Date(Date.UTC(2024, 0, 5, 10)),
      '2024-01-05T10:00:00.000Z',
    ],
    [
      'date_time kept when RFC 3339',
      { type: 'date_time' },
      '2024-01-05T10:00:00+02:00',
      '2024-01-05T10:00:00+02:00',
    ],
    [
      'timestamp from a space separator, like date_time',
      { type: 'timestamp' },
      '2024-01-05 10:00:00Z',
      '2024-01-05T10:00:00.000Z',
    ],
    [
      'date_time from a space separator',
      { type: 'date_time' },
      '2024-01-05 10:00:00Z',
      '2024-01-05T10:00:00.000Z',
    ],
    [
      'date_time without a zone read as UTC',
      { type: 'date_time' },
      '2024-01-05T10:00',
      '2024-01-05T10:00:00.000Z',
    ],
    [
      'date_time with a compact offset',
      { type: 'date_time' },
      '2024-01-05T10:00:00+0200',
      '2024-01-05T08:00:00.000Z',
    ],
    ['date_time from a date', { type: 'date_time' }, '2024-01-05', '2024-01-05T00:00:00.000Z'],
    [
      'date_time from an HTTP date',
      { type: 'date_time' },
      'Fri, 05 Jan 2024 10:00:00 GMT',
      '2024-01-05T10:00:00.000Z',
    ],
    ['date_time kept for an impossible day', { type: 'date_time' }, '2024-02-30 10:00', '2024-02-30 10:00'],
    ['date_time kept without a zone', { type: 'date_time' }, 'January 5, 2024', 'January 5, 2024'],
    ['date_time kept for epoch numbers', { type: 'date_time' }, 1704448800, 1704448800],
    ['string kept for a number', {}, 42, 42],
    ['string kept for a string', { type: 'string' }, '42', '42'],
    ['null kept', { type: 'integer' }, null, null],
    ['object kept when not an object', { type: 'object', properties: [] }, 'x', 'x'],
    ['array kept when not an array', { type: 'array', of: 'integer' }, '1', '1'],
    ['array items by of', { type: 'array', of: 'integer' }, ['1', 2, null, 'x'], [1, 2, null, 'x']],
    ['array items as strings by default', { type: 'array' }, ['1', 2], ['1', 2]],
  ] as [string, Omit<Field, 'name'>, unknown, unknown][])('coerces %s', (_label, field, value, expected) => {
    expect(one(field, value)).toEqual(expected);
  });

  it('keeps an invalid Date as it is', () => {
    const invalid = new Date('nope');
    expect(one({ type: 'date_time' }, invalid)).toBe(invalid);
  });

  it('coerces nested objects and arrays of objects recursively', () => {
    const fields: Field[] = [
      {
        name: 'customer',
        type: 'object',
        properties: [
          { name: 'id', type: 'integer' },
          { name: 'address', type: 'object', properties: [{ name: 'primary', type: 'boolean' }] },
        ],
      },
      { name: 'lines', type: 'array', of: 'object', properties: [{ name: 'qty', type: 'number' }] },
    ];
    expect(
      coerceOutput(fields, {
        customer: { id: '7', address: { primary: 'true', zip: '94321' }, other: '1' },
        lines: [{ qty: '1.5' }, { qty: 2, sku: 'a' }, 'not an object'],
      }),
    ).toEqual({
      customer: { id: 7, address: { primary: true, zip: '94321' }, other: '1' },
      lines: [{ qty: 1.5 }, { qty: 2, sku: 'a' }, 'not an object'],
    });
  });

  it('keeps keys the fields do not name and leaves missing fields out', () => {
    const at = new Date(0);
    expect(
      coerceOutput([{ name: 'id', type: 'integer' }, { name: 'absent' }], { id: '1', at, raw: '2' }),
    ).toEqual({
      id: 1,
      at,
      raw: '2',
    });
  });

  it('returns a new object and never changes the value passed in', () => {
    const fields: Field[] = [
      { name: 'id', type: 'integer' },
      { name: 'nested', type: 'object', properties: [{ name: 'n', type: 'number' }] },
      { name: 'list', type: 'array', of: 'integer' },
    ];
    const value = Object.freeze({
      id: '1',
      nested: Object.freeze({ n: '2' }),
      list: Object.freeze(['3']),
    });
    const result = coerceOutput(fields, value);
    expect(result).toEqual({ id: 1, nested: { n: 2 }, list: [3] });
    expect(result).not.toBe(value);
    expect(value).toEqual({ id: '1', nested: { n: '2' }, list: ['3'] });
  });

  it('returns values that are not plain objects unchanged', () => {
    const list = [{ id: '1' }];
    expect(coerceOutput([{ name: 'id', type: 'integer' }], list)).toBe(list);
    expect(coerceOutput([{ name: 'id', type: 'integer' }], null)).toBeNull();
    expect(coerceOutput([{ name: 'id', type: 'integer' }], 'text')).toBe('text');
  });

  it('never throws on malformed fields', () => {
    const fields = [
      null,
      'id',
      { type: 'integer' },
      { name: 'obj', type: 'object', properties: 'x' },
    ] as unknown as Field[];
    expect(coerceOutput(fields, { id: '1', obj: { a: '1' } })).toEqual({ id: '1', obj: { a: '1' } });
  });

  it('sets fields named like members of Object.prototype as own keys of the result', () => {
    const value = { toString: '7', constructor: { at: '2024-01-05 10:00' }, id: '1' };
    const fields: Field[] = [
      { name: 'toString', type: 'integer' },
      { name: 'constructor', type: 'object', properties: [{ name: 'at', type: 'date_time' }] },
      { name: 'id', type: 'integer' },
    ];
    const result = coerceOutput(fields, value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['toString', 'constructor', 'id']);
    expect(Object.getOwnPropertyDescriptor(result, 'toString')).toEqual({
      value: 7,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    expect(result.constructor).toEqual({ at: '2024-01-05T10:00:00.000Z' });
    expect(result.id).toBe(1);
  });

  it('sets a field named __proto__ as an own key without touching the prototype', () => {
    const value = JSON.parse('{"__proto__": "1"}') as Record<string, unknown>;
    const result = coerceOutput([{ name: '__proto__', type: 'integer' }], value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toBe(1);
  });
});
