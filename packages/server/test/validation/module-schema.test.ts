import { isSluiceError } from '@sluice/sdk';
import { Response } from '@sluice/server';
import { describe, expect, it } from 'vitest';
import { moduleDataSchema, schemaFormatOf } from '../../src/validation/module-schema.js';

describe('schemaFormatOf', () => {
  it('tells a module schema from a JSON Schema by shape', () => {
    expect(schemaFormatOf({ metadata: {}, fields: [{ id: 'a', type: 'string' }], ui_options: {} }, 's')).toBe(
      'stacksync-module',
    );
    expect(schemaFormatOf({ type: 'object', properties: { fields: { type: 'array' } } }, 's')).toBe(
      'json-schema',
    );
    expect(schemaFormatOf({ $schema: 'x', fields: [] }, 's')).toBe('json-schema');
    expect(schemaFormatOf({ fields: [] }, 's')).toBe('stacksync-module');
  });

  it('names the field of a module schema that has no id or type', () => {
    let caught: unknown;
    try {
      schemaFormatOf({ fields: [{ id: 'a', type: 'string' }, { label: 'B' }] }, 'x/schema.json');
    } catch (err) {
      caught = err;
    }
    expect(isSluiceError(caught, 'SLUICE_ROUTE_SCHEMA')).toBe(true);
    expect((caught as Error).message).toBe(
      'x/schema.json: fields[1] of the module schema must be an object with a string "id" and "type"',
    );
  });
});

describe('moduleDataSchema', () => {
  it('types the fields, requires the required ones, maps the bounds and skips connections', () => {
    const schema = moduleDataSchema({
      fields: [
        { id: 'conn', type: 'connection', validation: { required: true } },
        {
          id: 'name',
          type: 'string',
          validation: { required: true, min_length: 1, max_length: 5, pattern: '^a' },
        },
        { id: 'n', type: 'integer', validation: { min: 1, max: 3 } },
        { id: 'tags', type: 'array', validation: { min_items: 1 } },
        { id: 'odd', type: 'string', validation: { pattern: '(?P<x>a)' } },
        { id: 'any', type: 'codeblock', validation: { required: true } },
      ],
    });
    expect(schema).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 5, pattern: '^a' },
        n: { type: ['integer', 'null'], minimum: 1, maximum: 3 },
        tags: { type: ['array', 'null'], minItems: 1 },
        odd: { type: ['string', 'null'] },
        any: { not: { type: 'null' } },
      },
      required: ['name', 'any'],
    });
  });
});

describe('Response.content', () => {
  it('shapes content objects as workflows-cdk does, from either spelling', () => {
    const res = Response.content(
      [
        { id: 'a', data: [1] },
        { content_object_name: 'b', data: [2], has_next_page: true, next_cursor: 'c2', metadata: { m: 1 } },
      ],
      { metadata: { took: 1 } },
    );
    expect([res.statusCode, res.body]).toEqual([
      200,
      {
        data: {
          content_objects: [
            { id: 'a', content: [1], pagination: { has_next_page: false, next_cursor: null } },
            {
              id: 'b',
              content: [2],
              pagination: { has_next_page: true, next_cursor: 'c2' },
              metadata: { m: 1 },
            },
          ],
          pagination: { has_more: false, next_cursor: null },
        },
        metadata: { took: 1 },
      },
    ]);
  });

  it('throws on an object without an id instead of dropping it', () => {
    expect(() => Response.content([{ data: [] }])).toThrow(/content object 0 needs an id/);
  });
});
