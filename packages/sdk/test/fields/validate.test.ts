import { type Field, FieldValidationError, validateFields } from '@sluice/sdk';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileFieldsValidator } from '../../src/fields/validate.js';

function failure(fields: readonly Field[], value: unknown, path?: string): FieldValidationError {
  try {
    validateFields(fields, value, path === undefined ? {} : { path });
  } catch (err) {
    if (err instanceof FieldValidationError) return err;
    throw err;
  }
  throw new Error('expected a FieldValidationError');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('validateFields', () => {
  it.each([
    ['string', { name: 'v' }, 'abc', 'abc'],
    ['integer', { name: 'v', type: 'integer' }, 42, 42],
    ['integer from a numeric string', { name: 'v', type: 'integer' }, ' 42 ', 42],
    ['number', { name: 'v', type: 'number' }, 1.5, 1.5],
    ['number from a numeric string', { name: 'v', type: 'number' }, '-1.5e2', -150],
    ['boolean', { name: 'v', type: 'boolean' }, false, false],
    ['boolean from "true"', { name: 'v', type: 'boolean' }, 'TRUE', true],
    ['boolean from "false"', { name: 'v', type: 'boolean' }, 'false', false],
    ['date', { name: 'v', type: 'date' }, '2024-02-29', '2024-02-29'],
    ['date from a Date', { name: 'v', type: 'date' }, new Date('2024-02-29T23:00:00Z'), '2024-02-29'],
    ['date_time', { name: 'v', type: 'date_time' }, '2024-01-31T09:30:00+02:00', '2024-01-31T09:30:00+02:00'],
    ['date_time from a Date', { name: 'v', type: 'date_time' }, new Date(0), '1970-01-01T00:00:00.000Z'],
    ['timestamp', { name: 'v', type: 'timestamp' }, '2024-01-31T09:30:00Z', '2024-01-31T09:30:00Z'],
    ['timestamp from a Date', { name: 'v', type: 'timestamp' }, new Date(0), '1970-01-01T00:00:00.000Z'],
    [
      'object',
      { name: 'v', type: 'object', properties: [{ name: 'n', type: 'integer' }] },
      { n: '1' },
      { n: 1 },
    ],
    ['array', { name: 'v', type: 'array', of: 'number' }, ['1', 2], [1, 2]],
    ['option value', { name: 'v', options: [['A', 'a']] }, 'a', 'a'],
  ] as [string, Field, unknown, unknown][])('accepts a valid %s', (_label, field, given, expected) => {
    expect(validateFields([field], { v: given })).toEqual({ v: expected });
  });

  it.each([
    ['string', { name: 'v' }, 42, 'input.v: must be string (got integer)', 'SLUICE_FIELD_TYPE'],
    [
      'integer',
      { name: 'v', type: 'integer' },
      4.5,
      'input.v: must be integer (got number)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'integer string with a fraction',
      { name: 'v', type: 'integer' },
      '4.5',
      'input.v: must be integer (got string)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'unsafe integer string',
      { name: 'v', type: 'integer' },
      '9007199254740993',
      'input.v: must be integer (got string)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'number',
      { name: 'v', type: 'number' },
      'abc',
      'input.v: must be number (got string)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'hex number string',
      { name: 'v', type: 'number' },
      '0x10',
      'input.v: must be number (got string)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'boolean',
      { name: 'v', type: 'boolean' },
      'yes',
      'input.v: must be boolean (got string)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'date',
      { name: 'v', type: 'date' },
      '2024-02-30',
      'input.v: must be a date like 2024-01-31 (got "2024-02-30")',
      'SLUICE_FIELD_INVALID',
    ],
    [
      'date_time without a zone',
      { name: 'v', type: 'date_time' },
      '2024-01-31T09:30:00',
      'input.v: must be a date-time like 2024-01-31T09:30:00Z (got "2024-01-31T09:30:00")',
      'SLUICE_FIELD_INVALID',
    ],
    [
      'object',
      { name: 'v', type: 'object', properties: [] },
      [],
      'input.v: must be object (got array)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'array',
      { name: 'v', type: 'array' },
      'a,b',
      'input.v: must be array (got string)',
      'SLUICE_FIELD_TYPE',
    ],
    [
      'option value',
      {
        name: 'v',
        options: [
          ['A', 'a'],
          ['B', 'b'],
        ],
      },
      'c',
      'input.v: must be one of "a", "b" (got "c")',
      'SLUICE_FIELD_INVALID',
    ],
  ] as [string, Field, unknown, string, string][])(
    'rejects an invalid %s',
    (_label, field, given, message, code) => {
      const err = failure([field], { v: given });
      expect(err.message).toBe(message);
      expect(err.code).toBe(code);
      expect(err.hint).toEqual(expect.any(String));
    },
  );

  it('reports a missing optional: false field with a hint', () => {
    const err = failure([{ name: 'id', type: 'integer', optional: false }], {});
    expect(err.message).toBe('input.id: is required');
    expect(err.code).toBe('SLUICE_FIELD_REQUIRED');
    expect(err.path).toBe('input.id');
    expect(err.hint).toBe('send a value (not blank), or drop optional: false from the field');
  });

  it('treats a field without optional: false as optional, as Workato does', () => {
    expect(
      validateFields(
        [
          { name: 'id', type: 'integer' },
          { name: 'note', optional: true },
        ],
        {},
      ),
    ).toEqual({});
    expect(validateFields([{ name: 'id', type: 'integer' }], { id: '7' })).toEqual({ id: 7 });
  });

  it('treats null and undefined as missing', () => {
    const id: Field = { name: 'id', optional: false };
    expect(failure([id], { id: null }).message).toBe('input.id: is required');
    expect(failure([id], { id: undefined }).message).toBe('input.id: is required');
    expect(validateFields([{ name: 'note' }], { note: null })).toEqual({});
  });

  it('treats a blank value of a required top-level field as missing, but not false or 0', () => {
    const fields: Field[] = [
      { name: 's', optional: false },
      { name: 'list', type: 'array', optional: false },
      { name: 'obj', type: 'object', optional: false, properties: [] },
    ];
    const err = failure(fields, { s: '', list: [], obj: {} });
    expect(err.problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      'input.s SLUICE_FIELD_REQUIRED',
      'input.list SLUICE_FIELD_REQUIRED',
      'input.obj SLUICE_FIELD_REQUIRED',
    ]);
    expect(
      validateFields(
        [
          { name: 'b', type: 'boolean', optional: false },
          { name: 'n', type: 'integer', optional: false },
        ],
        { b: false, n: 0 },
      ),
    ).toEqual({ b: false, n: 0 });
    expect(validateFields([{ name: 's' }], { s: '' })).toEqual({ s: '' });
  });

  it('checks presence only at the top level, as Workato does, and types at every level', () => {
    const fields: Field[] = [
      { name: 'address', type: 'object', properties: [{ name: 'zip', optional: false }] },
    ];
    expect(validateFields(fields, { address: { city: 'SF' } })).toEqual({ address: { city: 'SF' } });
    expect(failure(fields, { address: { zip: 1 } }).message).toBe(
      'input.address.zip: must be string (got integer)',
    );
  });

  it('names nested object and array paths in dot notation', () => {
    const fields: Field[] = [
      { name: 'address', type: 'object', properties: [{ name: 'zip' }, { name: 'city' }] },
      { name: 'tags', type: 'array' },
      {
        name: 'lines',
        type: 'array',
        of: 'object',
        properties: [{ name: 'sku' }, { name: 'qty', type: 'integer' }],
      },
      { name: 'first name', optional: true },
    ];
    const err = failure(fields, {
      address: { zip: 94321, city: 'SF' },
      tags: ['a', 2],
      lines: [{ sku: 'x', qty: 'two' }, { sku: 3 }],
      'first name': false,
    });
    expect(err.problems).toEqual([
      { path: 'input.address.zip', message: 'must be string (got integer)', code: 'SLUICE_FIELD_TYPE' },
      { path: 'input.tags[1]', message: 'must be string (got integer)', code: 'SLUICE_FIELD_TYPE' },
      { path: 'input.lines[0].qty', message: 'must be integer (got string)', code: 'SLUICE_FIELD_TYPE' },
      { path: 'input.lines[1].sku', message: 'must be string (got integer)', code: 'SLUICE_FIELD_TYPE' },
      { path: 'input["first name"]', message: 'must be string (got boolean)', code: 'SLUICE_FIELD_TYPE' },
    ]);
  });

  it('lists every problem, joins them in the message and takes the first one for code and path', () => {
    const err = failure(
      [
        { name: 'id', type: 'integer', optional: false },
        { name: 'email' },
        { name: 'active', type: 'boolean' },
      ],
      { email: 7, active: 'maybe' },
    );
    expect(err.message).toBe(
      'input.id: is required; input.email: must be string (got integer); input.active: must be boolean (got string)',
    );
    expect(err.problems.map((p) => p.code)).toEqual([
      'SLUICE_FIELD_REQUIRED',
      'SLUICE_FIELD_TYPE',
      'SLUICE_FIELD_TYPE',
    ]);
    expect(err.code).toBe('SLUICE_FIELD_REQUIRED');
    expect(err.path).toBe('input.id');
  });

  it('reports one problem per path when a value breaks several rules', () => {
    const err = failure([{ name: 'kind', options: [['A', 'a']] }], { kind: 3 });
    expect(err.problems).toEqual([
      { path: 'input.kind', message: 'must be string (got integer)', code: 'SLUICE_FIELD_TYPE' },
    ]);
  });

  it('shortens the message past ten problems but keeps them all in problems', () => {
    const fields: Field[] = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}`, optional: false }));
    const err = failure(fields, {});
    expect(err.problems).toHaveLength(12);
    expect(err.message.endsWith('; input.f9: is required; and 2 more')).toBe(true);
  });

  it('starts paths with the given path', () => {
    expect(failure([{ name: 'token', optional: false }], {}, 'connection').message).toBe(
      'connection.token: is required',
    );
  });

  it('rejects a value that is not an object, and treats undefined as an empty object', () => {
    expect(failure([{ name: 'a', optional: true }], 'text').message).toBe(
      'input: must be object (got string)',
    );
    expect(failure([{ name: 'a', optional: false }], undefined).message).toBe('input.a: is required');
    expect(validateFields([{ name: 'a', optional: true }], undefined)).toEqual({});
  });

  it('does not show the value of a password field', () => {
    const err = failure([{ name: 'secret', controlType: 'password', options: [['A', 'hunter1']] }], {
      secret: 'hunter2',
    });
    expect(err.message).toBe('input.secret: must be one of "hunter1" (got a string)');
    expect(err.message).not.toContain('hunter2');
  });

  it('applies defaults to missing optional fields, at every level, as copies', () => {
    const fields = [
      { name: 'limit', type: 'integer', optional: true, default: 50 },
      { name: 'tags', type: 'array', optional: true, default: ['new'] },
      {
        name: 'page',
        type: 'object',
        optional: true,
        properties: [{ name: 'size', type: 'integer', optional: true, default: 10 }],
      },
    ] as const satisfies readonly Field[];
    const first = validateFields(fields, { page: {} });
    expect(first).toEqual({ limit: 50, tags: ['new'], page: { size: 10 } });
    first.tags?.push('changed');
    expect(validateFields(fields, {})).toEqual({ limit: 50, tags: ['new'] });
    expect(validateFields(fields, { limit: 5, page: null })).toEqual({ limit: 5, tags: ['new'] });
  });

  it('keeps keys that no field names', () => {
    expect(validateFields([{ name: 'id', type: 'integer' }], { id: '1', extra: { deep: true } })).toEqual({
      id: 1,
      extra: { deep: true },
    });
  });

  it('returns a coerced copy and never changes the value passed in', () => {
    const fields: Field[] = [
      { name: 'id', type: 'integer' },
      { name: 'address', type: 'object', properties: [{ name: 'zip', type: 'integer' }] },
      { name: 'ids', type: 'array', of: 'integer' },
      { name: 'limit', type: 'integer', optional: true, default: 5 },
      { name: 'gone', optional: true },
    ];
    const input = deepFreeze({ id: '1', address: { zip: '94321' }, ids: ['1', '2'], gone: null });
    const snapshot = structuredClone(input);
    const result = validateFields(fields, input);
    expect(result).toEqual({ id: 1, address: { zip: 94321 }, ids: [1, 2], limit: 5 });
    expect(input).toEqual(snapshot);
    expect(result).not.toBe(input);
  });

  it('sets fields named like members of Object.prototype as own keys of the copy', () => {
    const fields: Field[] = [
      { name: 'toString', type: 'integer' },
      { name: 'constructor', optional: true, default: 'made' },
      { name: 'valueOf', type: 'boolean', optional: true },
    ];
    const result = validateFields(fields, { toString: '3', valueOf: 'true' }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['toString', 'valueOf', 'constructor']);
    for (const [key, value] of [
      ['toString', 3],
      ['valueOf', true],
      ['constructor', 'made'],
    ] as const) {
      expect(Object.getOwnPropertyDescriptor(result, key)).toEqual({
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  });

  it('throws a notation error naming the fields path when the fields are wrong', () => {
    let caught: unknown;
    try {
      validateFields(
        [{ name: 'a', type: 'str' } as unknown as Field],
        {},
        { fieldsPath: 'actions.x.inputFields' },
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FieldValidationError);
    expect((caught as FieldValidationError).code).toBe('SLUICE_FIELD_NOTATION');
    expect((caught as FieldValidationError).path).toBe('actions.x.inputFields[0].type');
  });
});

describe('compileFieldsValidator', () => {
  it('returns the same compiled validator for the same field list', () => {
    const fields: Field[] = [{ name: 'cached', type: 'integer' }];
    expect(compileFieldsValidator(fields)).toBe(compileFieldsValidator(fields));
  });

  it('compiles a field list once across repeated validations', () => {
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    const fields: Field[] = [{ name: 'once', type: 'date' }];
    for (let i = 0; i < 5; i += 1) validateFields(fields, { once: '2024-01-01' });
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it('reuses the compiled validator for an equal field list built anew', () => {
    const compile = vi.spyOn(Ajv.prototype, 'compile');
    const build = (): Field[] => [
      { name: 'rebuilt', type: 'array', of: 'object', properties: [{ name: 'x' }] },
    ];
    const first = compileFieldsValidator(build());
    expect(compileFieldsValidator(build())).toBe(first);
    expect(compile).toHaveBeenCalledTimes(1);
    expect(compileFieldsValidator([{ name: 'rebuilt', optional: true }])).not.toBe(first);
  });
});
