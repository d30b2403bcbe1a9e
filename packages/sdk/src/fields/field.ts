/**
 * The field "schema notation" (Workato's), used for connection fields and for action and trigger input and
 * output, and the static type a field list describes ({@link InferFields}).
 *
 * @module
 */

/**
 * The types a field can have: `string` (the default), `integer`, `number`, `boolean`, `date` (`YYYY-MM-DD`),
 * `date_time` (RFC 3339), `object` (with `properties`) and `array` (with `of`).
 */
export type FieldType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'date'
  | 'date_time'
  | 'object'
  | 'array';

/** The value of one entry of {@link Field.options}. */
export type FieldOptionValue = string | number | boolean;

/**
 * One field of the schema notation. A field is required unless `optional: true`.
 *
 * @example
 * const customer: Field[] = [
 *   { name: 'id', type: 'integer' },
 *   { name: 'email', hint: 'work address' },
 *   { name: 'address', type: 'object', optional: true, properties: [{ name: 'zip' }] },
 *   { name: 'tags', type: 'array', of: 'string', optional: true },
 * ];
 */
export interface Field {
  /** The property name in the value (case-sensitive, unique among its siblings). */
  readonly name: string;
  /** A human label; becomes the JSON Schema `title`. */
  readonly label?: string;
  /** @default 'string' */
  readonly type?: FieldType;
  /** @default false */
  readonly optional?: boolean;
  /** Help text for the user; becomes the JSON Schema `description`. */
  readonly hint?: string;
  /** The value input validation uses when the field is missing (or `null`); it must have the field's type. */
  readonly default?: unknown;
  /** How a UI renders it (`text`, `password`, `select`, ...); `password` marks a secret. */
  readonly controlType?: string;
  /**
   * The fields of an `object`, or of each item of an `array` with `of: 'object'` (required there; with an
   * empty list, any keys are accepted unless the schema is compiled with `additionalProperties: false`).
   */
  readonly properties?: readonly Field[];
  /** The item type of an `array` (only arrays take it; arrays of arrays are not supported). @default 'string' */
  readonly of?: FieldType;
  /** The name of a pick list that gives this field's options. */
  readonly pickList?: string;
  /** Allowed values, when fixed, as `[label, value]` pairs; becomes the JSON Schema `enum`. */
  readonly options?: readonly (readonly [label: string, value: FieldOptionValue])[];
}

/** Flattens an intersection into one object type, so editors show the inferred value plainly. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The value type of a scalar field type; `date` and `date_time` are ISO strings. */
type ScalarValue<T> = T extends 'integer' | 'number' ? number : T extends 'boolean' ? boolean : string;

/** The union of a field's option values when they are literals, else `Fallback`. */
type OptionsOr<F, Fallback> = F extends { readonly options: readonly (readonly [string, infer V])[] }
  ? string extends V
    ? Fallback
    : number extends V
      ? Fallback
      : boolean extends V
        ? Fallback
        : V
  : Fallback;

/** The value of an `object` field, or of an item of an array of objects. */
type ObjectValue<F> = F extends { readonly properties: infer P extends readonly Field[] }
  ? InferFields<P>
  : Record<string, unknown>;

/** The value of an item of an `array` field. */
type ItemValue<F> = F extends { readonly of: infer O }
  ? O extends 'object'
    ? ObjectValue<F>
    : OptionsOr<F, ScalarValue<O>>
  : OptionsOr<F, string>;

/** The value type one field describes. */
export type InferField<F extends Field> = F extends { readonly type: infer T }
  ? T extends 'object'
    ? ObjectValue<F>
    : T extends 'array'
      ? ItemValue<F>[]
      : OptionsOr<F, ScalarValue<T>>
  : OptionsOr<F, string>;

/** True when a field is marked `optional: true` (or `optional: boolean`, which may be true). */
type IsOptional<F> = F extends { readonly optional: infer O } ? (true extends O ? true : false) : false;

type InferLiteralFields<F extends readonly Field[]> = Simplify<
  { [K in F[number] as IsOptional<K> extends true ? never : K['name']]: InferField<K> } & {
    [K in F[number] as IsOptional<K> extends true ? K['name'] : never]?: InferField<K>;
  }
>;

/**
 * The value type that a list of fields describes: required fields are required properties, `optional: true`
 * fields optional ones; `integer`/`number` map to `number`, `boolean` to `boolean`, `string`/`date`/
 * `date_time` to `string`, `object` to the object its `properties` describe, `array` to an array of its `of`
 * type, and literal `options` to the union of their values. When the names are not literal types (a list typed
 * `Field[]`), it is `Record<string, unknown>`.
 *
 * To keep the literal types, pass the list to a function with a `const` type parameter, such as
 * {@link defineFields}.
 *
 * @example
 * const fields = defineFields([{ name: 'id', type: 'integer' }, { name: 'note', optional: true }]);
 * type Input = InferFields<typeof fields>; // { id: number; note?: string }
 */
export type InferFields<F extends readonly Field[]> = string extends F[number]['name']
  ? Record<string, unknown>
  : InferLiteralFields<F>;

/**
 * Returns the field list unchanged, keeping its literal types so that {@link InferFields} can infer the value
 * type (no `as const` needed). Use it for field lists defined apart from the action that uses them.
 *
 * @example
 * const address = defineFields([{ name: 'street' }, { name: 'zip', optional: true }]);
 * type Address = InferFields<typeof address>; // { street: string; zip?: string }
 */
export function defineFields<const F extends readonly Field[]>(fields: F): F {
  return fields;
}
