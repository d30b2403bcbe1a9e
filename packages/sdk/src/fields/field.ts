/**
 * The field "schema notation" (Workato's), used for connection fields and for action and trigger input and
 * output, and the static type a field list describes ({@link InferFields}).
 *
 * @module
 */

/**
 * The types a field can have: `string` (the default), `integer`, `number`, `boolean`, `date` (`YYYY-MM-DD`),
 * `date_time` (RFC 3339), `timestamp` (the same as `date_time`, as in Workato), `object` (with `properties`)
 * and `array` (with `of`).
 */
export type FieldType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'date'
  | 'date_time'
  | 'timestamp'
  | 'object'
  | 'array';

/** The value of one entry of {@link Field.options}. */
export type FieldOptionValue = string | number | boolean;

/** A pick list given in place: `[label, value]` pairs (tree lists add more entries to a pair). */
export type InlinePickList = readonly (readonly [label: string, value: unknown, ...rest: unknown[]])[];

/**
 * One field of the schema notation. As in Workato, a field is optional unless `optional: false`: input
 * validation reports a missing top-level field only when it says `optional: false`.
 *
 * The keys that only shape a form (`sticky`, `extendsSchema`, `toggleHint`, `ngIf`, ...) are accepted and
 * kept; the runtime does not act on them.
 *
 * @example
 * const customer: Field[] = [
 *   { name: 'id', type: 'integer', optional: false },
 *   { name: 'email', hint: 'work address' },
 *   { name: 'address', type: 'object', properties: [{ name: 'zip' }] },
 *   { name: 'tags', type: 'array', of: 'string' },
 * ];
 */
export interface Field {
  /** The property name in the value (case-sensitive, unique among its siblings). */
  readonly name: string;
  /** A human label; becomes the JSON Schema `title`. */
  readonly label?: string;
  /** @default 'string' */
  readonly type?: FieldType;
  /** `false` makes the field required (only top-level fields are checked, as in Workato). @default true */
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
  /**
   * The pick list that gives this field's choices in a form: the name of one of the connector's
   * `pickLists`, or the pairs themselves. Values are not checked against it (use `options` for that).
   */
  readonly pickList?: string | InlinePickList;
  /** Allowed values, when fixed, as `[label, value]` pairs; becomes the JSON Schema `enum`. */
  readonly options?: readonly (readonly [label: string, value: FieldOptionValue])[];
  /** Arguments for a dependent pick list, by argument name (form UI only). */
  readonly pickListParams?: Readonly<Record<string, unknown>>;
  /** Keeps an optional field shown in the form (form UI only). */
  readonly sticky?: boolean;
  /** Whether changing this field re-renders the form's other fields (form UI only). */
  readonly extendsSchema?: boolean;
  /** Whether the field's value only counts once the user leaves it (form UI only). */
  readonly changeOnBlur?: boolean;
  /** Whether the field accepts datapills (form UI only). */
  readonly supportPills?: boolean;
  /** Marks a field the user added to a form (form UI only). */
  readonly custom?: boolean;
  /** The hint of a field's toggle (form UI only). */
  readonly toggleHint?: string;
  /** The other way to fill this field, shown by the toggle (form UI only). */
  readonly toggleField?: Field;
  /** The array field list mode (`static`, `dynamic`, form UI only). */
  readonly listMode?: string;
  /** Whether the user may switch the list mode (form UI only). */
  readonly listModeToggle?: boolean;
  /** The label of one item of an array field (form UI only). */
  readonly itemLabel?: string;
  /** The label of the button that adds a field (form UI only). */
  readonly addFieldLabel?: string;
  /** What an empty schema shows (form UI only). */
  readonly emptySchemaMessage?: string;
  /** An example value for the form (form UI only). */
  readonly sampleData?: unknown;
  /** When the field shows, as an expression over the other fields (form UI only). */
  readonly ngIf?: string;
  /** The separator of a multi-select value (form UI only). */
  readonly delimiter?: string;
  /** Whether the field's schema stays when the data changes (form UI only). */
  readonly schemaNeutral?: boolean;
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

/**
 * The value of an `object` field, or of an item of an array of objects. Its properties are all optional:
 * as in Workato, presence is checked for top-level fields only.
 */
type ObjectValue<F> = F extends { readonly properties: infer P extends readonly Field[] }
  ? string extends P[number]['name']
    ? Record<string, unknown>
    : InferLiteralFields<P, false>
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

/** False only when a field is marked `optional: false` (a field without it, or `optional: boolean`, may be absent). */
type IsOptional<F> = F extends { readonly optional: infer O } ? (true extends O ? true : false) : true;

/** Required properties for the `optional: false` fields of the top level (`Top`), optional ones for the rest. */
type InferLiteralFields<F extends readonly Field[], Top extends boolean = true> = Simplify<
  { [K in F[number] as Required<K, Top> extends true ? K['name'] : never]: InferField<K> } & {
    [K in F[number] as Required<K, Top> extends true ? never : K['name']]?: InferField<K>;
  }
>;

type Required<F, Top extends boolean> = Top extends true
  ? IsOptional<F> extends true
    ? false
    : true
  : false;

/**
 * The value type that a list of fields describes: `optional: false` fields are required properties, the
 * others optional ones (inside `object` fields all properties are optional, since only top-level fields
 * are checked for presence); `integer`/`number` map to `number`, `boolean` to `boolean`, `string`/`date`/
 * `date_time`/`timestamp` to `string`, `object` to the object its `properties` describe, `array` to an array of its `of`
 * type, and literal `options` to the union of their values. When the names are not literal types (a list typed
 * `Field[]`), it is `Record<string, unknown>`.
 *
 * To keep the literal types, pass the list to a function with a `const` type parameter, such as
 * {@link defineFields}.
 *
 * @example
 * const fields = defineFields([{ name: 'id', type: 'integer', optional: false }, { name: 'note' }]);
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
 * const address = defineFields([{ name: 'street', optional: false }, { name: 'zip' }]);
 * type Address = InferFields<typeof address>; // { street: string; zip?: string }
 */
export function defineFields<const F extends readonly Field[]>(fields: F): F {
  return fields;
}
