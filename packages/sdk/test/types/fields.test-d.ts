import { defineFields, type Field, type InferFields, validateFields } from '@sluice/sdk';
import { describe, expectTypeOf, it } from 'vitest';

/** A consumer with a `const` type parameter, as `defineConnector` actions use. */
function inputOf<const F extends readonly Field[]>(_fields: F): InferFields<F> {
  return {} as InferFields<F>;
}

describe('InferFields', () => {
  it('makes fields optional unless optional: false, as Workato does', () => {
    const value = inputOf([
      { name: 'id', type: 'integer' },
      { name: 'note', optional: true },
      { name: 'email', optional: false },
    ]);
    expectTypeOf(value).toEqualTypeOf<{ email: string; id?: number; note?: string }>();
    const flag: boolean = Math.random() > 0.5;
    expectTypeOf(inputOf([{ name: 'maybe', optional: flag }])).toEqualTypeOf<{ maybe?: string }>();
  });

  it('types timestamp fields as strings, and accepts inline pick lists and form-only keys', () => {
    const value = inputOf([
      { name: 'at', type: 'timestamp', optional: false, sticky: true },
      {
        name: 'kind',
        optional: false,
        pickList: [
          ['Customer', 'customer'],
          ['Order', 'order'],
        ],
        extendsSchema: true,
        toggleHint: 'Select',
        toggleField: { name: 'kind_id', toggleHint: 'Use ID' },
      },
      { name: 'status', pickList: 'statuses', changeOnBlur: true, ngIf: 'input.kind == "order"' },
    ]);
    expectTypeOf(value).toEqualTypeOf<{ at: string; kind: string; status?: string }>();
  });

  it('maps each field type to its value type', () => {
    const value = inputOf([
      { name: 's', optional: false },
      { name: 'str', type: 'string', optional: false },
      { name: 'i', type: 'integer', optional: false },
      { name: 'n', type: 'number', optional: false },
      { name: 'b', type: 'boolean', optional: false },
      { name: 'd', type: 'date', optional: false },
      { name: 'dt', type: 'date_time', optional: false },
    ]);
    expectTypeOf(value).toEqualTypeOf<{
      s: string;
      str: string;
      i: number;
      n: number;
      b: boolean;
      d: string;
      dt: string;
    }>();
  });

  it('infers nested objects, arrays and arrays of objects, whose properties are optional', () => {
    const value = inputOf([
      {
        name: 'address',
        type: 'object',
        optional: false,
        properties: [
          { name: 'zip', optional: false },
          { name: 'geo', type: 'object', optional: true, properties: [{ name: 'lat', type: 'number' }] },
        ],
      },
      { name: 'tags', type: 'array', optional: false },
      { name: 'ids', type: 'array', of: 'integer', optional: true },
      {
        name: 'lines',
        type: 'array',
        of: 'object',
        optional: false,
        properties: [
          { name: 'sku', optional: false },
          { name: 'qty', type: 'integer', optional: true },
        ],
      },
      { name: 'meta', type: 'object', optional: false, properties: [] },
    ]);
    expectTypeOf(value).toEqualTypeOf<{
      address: { zip?: string; geo?: { lat?: number } };
      tags: string[];
      ids?: number[];
      lines: { sku?: string; qty?: number }[];
      // biome-ignore lint/complexity/noBannedTypes: an object field with no properties infers the empty object type.
      meta: {};
    }>();
  });

  it('infers the union of literal option values', () => {
    const value = inputOf([
      {
        name: 'status',
        optional: false,
        options: [
          ['Open', 'open'],
          ['Closed', 'closed'],
        ],
      },
      {
        name: 'size',
        type: 'integer',
        optional: true,
        options: [
          ['S', 1],
          ['L', 3],
        ],
      },
      {
        name: 'colours',
        type: 'array',
        optional: false,
        options: [
          ['Red', 'red'],
          ['Blue', 'blue'],
        ],
      },
    ]);
    expectTypeOf(value.status).toEqualTypeOf<'open' | 'closed'>();
    expectTypeOf(value.size).toEqualTypeOf<1 | 3 | undefined>();
    expectTypeOf(value.colours).toEqualTypeOf<('red' | 'blue')[]>();
  });

  it('keeps literal types through defineFields for reusable lists', () => {
    const address = defineFields([{ name: 'street', optional: false }, { name: 'zip' }]);
    expectTypeOf<InferFields<typeof address>>().toEqualTypeOf<{ street: string; zip?: string }>();
    const customer = defineFields([
      { name: 'id', type: 'integer', optional: false },
      { name: 'address', type: 'object', properties: address },
    ]);
    expectTypeOf<InferFields<typeof customer>>().toEqualTypeOf<{
      id: number;
      address?: { street?: string; zip?: string };
    }>();
  });

  it('types the value validateFields returns', () => {
    const input = validateFields(
      [
        { name: 'id', type: 'integer', optional: false },
        { name: 'limit', type: 'integer' },
      ],
      { id: 1 },
    );
    expectTypeOf(input).toEqualTypeOf<{ id: number; limit?: number }>();
  });

  it('falls back to Record<string, unknown> when the fields are not literal', () => {
    const fields: Field[] = [{ name: 'id', type: 'integer' }];
    expectTypeOf(inputOf(fields)).toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<InferFields<readonly Field[]>>().toEqualTypeOf<Record<string, unknown>>();
    const dynamic = (name: string) => inputOf([{ name }]);
    expectTypeOf(dynamic('x')).toEqualTypeOf<Record<string, unknown>>();
  });

  it('rejects fields that are not in the notation', () => {
    // @ts-expect-error: "str" is not a field type.
    inputOf([{ name: 'id', type: 'str' }]);
    // @ts-expect-error: a field needs a name.
    inputOf([{ type: 'integer' }]);
  });
});
