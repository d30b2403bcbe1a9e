import { type Field, FieldValidationError, fieldsToJsonSchema } from '@sluice/sdk';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';

function notationError(fields: unknown, path?: string): FieldValidationError {
  try {
    fieldsToJsonSchema(fields as readonly Field[], path === undefined ? {} : { path });
  } catch (err) {
    if (err instanceof FieldValidationError) return err;
    throw err;
  }
  throw new Error('expected a FieldValidationError');
}

describe('fieldsToJsonSchema', () => {
  it.each([
    ['string (the default)', { name: 'x' }, { type: 'string' }],
    ['string', { name: 'x', type: 'string' }, { type: 'string' }],
    ['integer', { name: 'x', type: 'integer' }, { type: 'integer' }],
    ['number', { name: 'x', type: 'number' }, { type: 'number' }],
    ['boolean', { name: 'x', type: 'boolean' }, { type: 'boolean' }],
    ['date', { name: 'x', type: 'date' }, { type: 'string', format: 'date' }],
    ['date_time', { name: 'x', type: 'date_time' }, { type: 'string', format: 'date-time' }],
    [
      "timestamp (Workato's date_time)",
      { name: 'x', type: 'timestamp' },
      { type: 'string', format: 'date-time' },
    ],
    [
      'object',
      { name: 'x', type: 'object', properties: [{ name: 'a', optional: false }] },
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: true },
    ],
    [
      'array (of string by default)',
      { name: 'x', type: 'array' },
      { type: 'array', items: { type: 'string' } },
    ],
    [
      'array of integer',
      { name: 'x', type: 'array', of: 'integer' },
      { type: 'array', items: { type: 'integer' } },
    ],
    [
      'array of date_time',
      { name: 'x', type: 'array', of: 'date_time' },
      { type: 'array', items: { type: 'string', format: 'date-time' } },
    ],
  ] as [string, Field, object][])('compiles a %s field', (_label, field, expected) => {
    expect(fieldsToJsonSchema([{ ...field, optional: false }])).toEqual({
      type: 'object',
      properties: { x: expected },
      required: ['x'],
      additionalProperties: true,
    });
  });

  it('requires only the fields marked optional: false and leaves out an empty required list', () => {
    expect(
      fieldsToJsonSchema([{ name: 'a' }, { name: 'b', optional: true }, { name: 'c', optional: false }]),
    ).toMatchObject({ required: ['c'] });
    expect(fieldsToJsonSchema([{ name: 'a' }, { name: 'b', optional: true }])).not.toHaveProperty('required');
  });

  it('lists nested required fields unless nestedRequired is false', () => {
    const fields: Field[] = [
      { name: 'a', type: 'object', optional: false, properties: [{ name: 'b', optional: false }] },
    ];
    expect(fieldsToJsonSchema(fields).properties?.a?.required).toEqual(['b']);
    const top = fieldsToJsonSchema(fields, { nestedRequired: false });
    expect(top.required).toEqual(['a']);
    expect(top.properties?.a).not.toHaveProperty('required');
  });

  it('accepts a pick list name or inline pairs, and the form-only keys, leaving no trace of them', () => {
    const schema = fieldsToJsonSchema([
      {
        name: 'kind',
        pickList: [
          ['Customer', 'customer'],
          ['Order', 'order'],
        ],
        sticky: true,
        extendsSchema: true,
        changeOnBlur: true,
        supportPills: false,
        toggleHint: 'Select from list',
        toggleField: { name: 'kind_id', type: 'string', toggleHint: 'Use ID' },
        ngIf: 'input.mode == "advanced"',
        hint: 'What to work on',
      },
      { name: 'status', pickList: 'statuses' },
    ]);
    expect(schema.properties).toEqual({
      kind: { type: 'string', description: 'What to work on' },
      status: { type: 'string' },
    });
    expect(notationError([{ name: 'a', pickList: 3 }]).message).toBe(
      'fields[0].pickList: must be a pick list name or a list of pairs (got integer)',
    );
    expect(notationError([{ name: 'a', pickList: [['A']] }]).message).toBe(
      'fields[0].pickList[0]: must be a [label, value] pair with a string label',
    );
  });

  it('maps label to title, hint to description, default and options to enum', () => {
    const schema = fieldsToJsonSchema([
      {
        name: 'status',
        label: 'Status',
        hint: 'Lifecycle state',
        optional: true,
        default: 'open',
        options: [
          ['Open', 'open'],
          ['Closed', 'closed'],
        ],
      },
      { name: 'tags', type: 'array', optional: true, options: [['Red', 'red']], default: ['red'] },
    ]);
    expect(schema.properties?.status).toEqual({
      type: 'string',
      title: 'Status',
      description: 'Lifecycle state',
      default: 'open',
      enum: ['open', 'closed'],
    });
    expect(schema.properties?.tags).toEqual({
      type: 'array',
      default: ['red'],
      items: { type: 'string', enum: ['red'] },
    });
  });

  it('nests objects and arrays of objects with their own required lists', () => {
    const schema = fieldsToJsonSchema([
      {
        name: 'customer',
        type: 'object',
        properties: [
          { name: 'id', type: 'integer', optional: false },
          { name: 'note', optional: true },
        ],
        optional: false,
      },
      {
        name: 'lines',
        type: 'array',
        of: 'object',
        optional: true,
        properties: [{ name: 'sku', optional: false }],
      },
      { name: 'meta', type: 'object', optional: true, properties: [] },
    ]);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        customer: {
          type: 'object',
          properties: { id: { type: 'integer' }, note: { type: 'string' } },
          required: ['id'],
          additionalProperties: true,
        },
        lines: {
          type: 'array',
          items: {
            type: 'object',
            properties: { sku: { type: 'string' } },
            required: ['sku'],
            additionalProperties: true,
          },
        },
        meta: { type: 'object', properties: {}, additionalProperties: true },
      },
      required: ['customer'],
      additionalProperties: true,
    });
  });

  it('closes every object level when additionalProperties is false', () => {
    const schema = fieldsToJsonSchema(
      [
        {
          name: 'a',
          type: 'object',
          properties: [{ name: 'b', type: 'array', of: 'object', properties: [] }],
        },
      ],
      { additionalProperties: false },
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties?.a?.additionalProperties).toBe(false);
    expect(schema.properties?.a?.properties?.b?.items?.additionalProperties).toBe(false);
  });

  it('adds the draft-07 $schema only when asked', () => {
    expect(fieldsToJsonSchema([{ name: 'a' }])).not.toHaveProperty('$schema');
    expect(fieldsToJsonSchema([{ name: 'a' }], { schemaUri: true }).$schema).toBe(
      'http://json-schema.org/draft-07/schema#',
    );
  });

  it('produces plain JSON that a strict Ajv accepts as a draft-07 schema', () => {
    const fields: Field[] = [
      { name: 'id', type: 'integer', label: 'ID', hint: 'the id' },
      { name: 'since', type: 'date', optional: true, default: '2024-01-01' },
      { name: 'at', type: 'date_time', optional: true },
      { name: 'kind', options: [['A', 'a']] },
      { name: 'items', type: 'array', of: 'object', properties: [{ name: 'qty', type: 'number' }] },
    ];
    const schema = fieldsToJsonSchema(fields, { schemaUri: true });
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    const ajv = new Ajv({ strict: true, validateFormats: false, logger: false });
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('does not keep references to the field list in its output', () => {
    const options = [['A', 'a']] as const;
    const fields: Field[] = [{ name: 'kind', options }];
    const schema = fieldsToJsonSchema(fields);
    schema.properties?.kind?.enum?.push('b');
    expect(fields[0]?.options).toEqual([['A', 'a']]);
    const list = ['x'];
    const withDefault = fieldsToJsonSchema([{ name: 'tags', type: 'array', optional: true, default: list }]);
    expect(withDefault.properties?.tags?.default).toEqual(['x']);
    expect(withDefault.properties?.tags?.default).not.toBe(list);
  });
});

describe('fieldsToJsonSchema notation errors', () => {
  it('names the field path and lists the known types for an unknown type', () => {
    const err = notationError(
      [{ name: 'a' }, { name: 'b' }, { name: 'c', type: 'str' }],
      'actions.get_customer.inputFields',
    );
    expect(err.message).toBe(
      'actions.get_customer.inputFields[2].type: unknown type "str" ' +
        '(expected one of string, integer, number, boolean, date, date_time, timestamp, object, array)',
    );
    expect(err.code).toBe('SLUICE_FIELD_NOTATION');
    expect(err.path).toBe('actions.get_customer.inputFields[2].type');
    expect(err.hint).toEqual(expect.any(String));
  });

  it.each([
    ['a list that is not an array', { name: 'a' }, 'fields: must be a list of fields (got object)'],
    [
      'an entry that is not an object',
      ['a'],
      "fields[0]: must be a field object like { name: 'id' } (got string)",
    ],
    ['a missing name', [{ type: 'integer' }], 'fields[0].name: is required (a non-empty string)'],
    ['an empty name', [{ name: '' }], 'fields[0].name: is required (a non-empty string)'],
    ['a name that is not a string', [{ name: 3 }], 'fields[0].name: is required (a non-empty string)'],
    [
      'a duplicate name',
      [{ name: 'a' }, { name: 'a' }],
      'fields[1].name: duplicate name "a" (also at fields[0])',
    ],
    ['a type that is not a string', [{ name: 'a', type: 1 }], 'fields[0].type: unknown type 1'],
    [
      'properties on a string',
      [{ name: 'a', properties: [] }],
      'fields[0].properties: only object fields and arrays of objects take properties (type is "string")',
    ],
    [
      'properties on an array of strings',
      [{ name: 'a', type: 'array', properties: [] }],
      'fields[0].properties: only object fields and arrays of objects take properties (type is "array", of "string")',
    ],
    [
      'of on a non-array',
      [{ name: 'a', of: 'string' }],
      'fields[0].of: only array fields take "of" (type is "string")',
    ],
    ['an unknown of', [{ name: 'a', type: 'array', of: 'text' }], 'fields[0].of: unknown type "text"'],
    [
      'an array of arrays',
      [{ name: 'a', type: 'array', of: 'array' }],
      'fields[0].of: arrays of arrays are not supported',
    ],
    [
      "of: 'object' without properties",
      [{ name: 'a', type: 'array', of: 'object' }],
      'fields[0].properties: an array of objects needs properties',
    ],
    [
      'an object without properties',
      [{ name: 'a', type: 'object' }],
      'fields[0].properties: an object field needs properties',
    ],
    [
      'properties that are not a list',
      [{ name: 'a', type: 'object', properties: {} }],
      'fields[0].properties: must be a list of fields',
    ],
    [
      'optional that is not a boolean',
      [{ name: 'a', optional: 'yes' }],
      'fields[0].optional: must be true or false (got string)',
    ],
    [
      'a label that is not a string',
      [{ name: 'a', label: 5 }],
      'fields[0].label: must be a string (got integer)',
    ],
    [
      'a hint that is not a string',
      [{ name: 'a', hint: {} }],
      'fields[0].hint: must be a string (got object)',
    ],
    [
      'options that are not a list',
      [{ name: 'a', options: 'x' }],
      'fields[0].options: must be a list of [label, value] pairs',
    ],
    [
      'an option that is not a pair',
      [{ name: 'a', options: [['A']] }],
      'fields[0].options[0]: must be a [label, value] pair',
    ],
    [
      'an option of the wrong type',
      [
        {
          name: 'a',
          type: 'integer',
          options: [
            ['One', 1],
            ['Two', 'two'],
          ],
        },
      ],
      'fields[0].options[1][1]: must be an integer value like the field (got string)',
    ],
    [
      'options on an object',
      [{ name: 'a', type: 'object', properties: [], options: [] }],
      'fields[0].options: only fields of scalar values take options (type is "object")',
    ],
    [
      'a default of the wrong type',
      [{ name: 'a', type: 'boolean', optional: true, default: 'yes' }],
      'fields[0].default: must be a boolean value like the field (got string)',
    ],
    [
      'a default outside the options',
      [{ name: 'a', optional: true, default: 'c', options: [['A', 'a']] }],
      'fields[0].default: must be one of the option values (got "c")',
    ],
    [
      'an array default with an item of the wrong type',
      [{ name: 'a', type: 'array', of: 'integer', optional: true, default: [1, 'x'] }],
      'fields[0].default: must be a list of integer values like the field (got string)',
    ],
    [
      'an array default that is not a list',
      [{ name: 'a', type: 'array', optional: true, default: 'x' }],
      'fields[0].default: must be a list like the field (got string)',
    ],
    [
      'a mistake deep in nested properties',
      [
        {
          name: 'a',
          type: 'object',
          properties: [
            { name: 'b', type: 'array', of: 'object', properties: [{ name: 'c', type: 'float' }] },
          ],
        },
      ],
      'fields[0].properties[0].properties[0].type: unknown type "float"',
    ],
  ])('rejects %s', (_label, fields, message) => {
    const err = notationError(fields);
    expect(err.code).toBe('SLUICE_FIELD_NOTATION');
    expect(err.message.startsWith(message)).toBe(true);
    expect(err.problems).toEqual([
      { path: err.path, message: err.message.slice(err.path.length + 2), code: 'SLUICE_FIELD_NOTATION' },
    ]);
  });
});
