/**
 * Field notation from a sample value, for `sluice generate schema`: the field list `defineConnector`
 * takes (`inputFields`, `outputFields`, object definitions), worked out from a JSON sample or the header
 * of a CSV file. Pure.
 *
 * Types: a whole number is `integer`, any other number `number`; `true`/`false` is `boolean`; a string
 * shaped `YYYY-MM-DD` is `date`, one shaped `YYYY-MM-DDThh:mm[:ss[.f]]` with `Z` or an offset is
 * `date_time`; an object is `object` with `properties`; an array is `array` with `of` (the type of its
 * items) and, for objects, `properties` merged from every item. `null`, an empty array and mixed types
 * give `string`, with a note.
 *
 * @module
 */

/** One field of the notation, as `generate schema` prints it. */
export interface SampleField {
  name: string;
  type: SampleType;
  of?: SampleType;
  properties?: SampleField[];
}

/** The types `generate schema` gives. */
export type SampleType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'date'
  | 'date_time'
  | 'object'
  | 'array';

/** The fields, and what could not be told from the sample (one line each, naming the path). */
export interface SampleSchema {
  fields: SampleField[];
  notes: string[];
}

/** Limits of a sample. */
export interface SampleLimits {
  /** Objects and arrays nested deeper than this are refused. @default 32 */
  maxDepth?: number;
  /** Samples that give more fields than this are refused. @default 10000 */
  maxFields?: number;
}

/** Why a sample gives no schema: the message names the path. */
export class SampleError extends Error {
  override readonly name = 'SampleError';
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/i;

/** What a value (or the values seen at one path) looks like. */
type Shape =
  | { kind: 'scalar'; type: SampleType | 'mixed' }
  | { kind: 'null' }
  | { kind: 'object'; fields: Map<string, Shape> }
  | { kind: 'array'; items: Shape | undefined };

/**
 * The fields of a JSON sample: an object, or an array of objects (merged).
 *
 * @throws {SampleError} when the sample is not an object or an array of objects, nests deeper than
 * `maxDepth`, or gives more than `maxFields` fields.
 */
export function schemaFromSample(sample: unknown, limits: SampleLimits = {}): SampleSchema {
  const maxDepth = limits.maxDepth ?? 32;
  const maxFields = limits.maxFields ?? 10_000;
  const shapeOf = (value: unknown, path: string, depth: number): Shape => {
    if (value === null) return { kind: 'null' };
    if (Array.isArray(value) || typeof value === 'object') {
      if (depth >= maxDepth) {
        throw new SampleError(`${path || 'the sample'} is nested deeper than ${maxDepth} levels`);
      }
    }
    if (Array.isArray(value)) {
      let items: Shape | undefined;
      for (const item of value) items = merge(items, shapeOf(item, `${path}[]`, depth + 1));
      return { kind: 'array', items };
    }
    if (typeof value === 'object') {
      const fields = new Map<string, Shape>();
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        fields.set(key, shapeOf(item, path === '' ? key : `${path}.${key}`, depth + 1));
      }
      return { kind: 'object', fields };
    }
    return { kind: 'scalar', type: scalarType(value) };
  };
  const root = shapeOf(sample, '', 0);
  const object = root.kind === 'array' ? root.items : root;
  if (object?.kind !== 'object') {
    throw new SampleError(
      `the sample must be a JSON object, or an array of objects; it is ${describe(sample, root)}`,
    );
  }
  const notes: string[] = [];
  const fields = fieldsOf(object.fields, '', notes);
  const count = countFields(fields);
  if (count > maxFields) throw new SampleError(`the sample gives ${count} fields, more than ${maxFields}`);
  return { fields, notes };
}

/**
 * The fields of a CSV file: one `string` field per column of the header row (CSV cells are text).
 *
 * @throws {SampleError} when the text is empty, a column name is blank or repeated, or a quote is not closed.
 */
export function schemaFromCsv(text: string, separator: string): SampleSchema {
  const header = firstRecord(text.replace(/^\uFEFF/, ''), separator);
  if (header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new SampleError('the CSV sample is empty: its first line must name the columns');
  }
  const seen = new Set<string>();
  for (const [index, name] of header.entries()) {
    if (name.trim() === '') throw new SampleError(`column ${index + 1} of the CSV header has no name`);
    if (seen.has(name)) throw new SampleError(`the CSV header names column "${name}" twice`);
    seen.add(name);
  }
  return { fields: header.map((name) => ({ name, type: 'string' })), notes: [] };
}

function scalarType(value: unknown): SampleType {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') {
    if (DATE.test(value) && validDate(value.slice(0, 10))) return 'date';
    if (DATE_TIME.test(value) && validDate(value.slice(0, 10))) return 'date_time';
  }
  return 'string';
}

/** Rejects 2026-02-31: the regular expressions only check the ranges. */
function validDate(ymd: string): boolean {
  const date = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === ymd;
}

/** Two shapes seen at one path, as one; `a` is updated in place (shapes are never shared), so merging stays linear. */
function merge(a: Shape | undefined, b: Shape): Shape {
  if (a === undefined || a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'object' && b.kind === 'object') {
    for (const [key, shape] of b.fields) a.fields.set(key, merge(a.fields.get(key), shape));
    return a;
  }
  if (a.kind === 'array' && b.kind === 'array') {
    if (b.items !== undefined) a.items = merge(a.items, b.items);
    return a;
  }
  if (a.kind === 'scalar' && b.kind === 'scalar')
    return { kind: 'scalar', type: mergeScalar(a.type, b.type) };
  return { kind: 'scalar', type: 'mixed' };
}

function mergeScalar(a: SampleType | 'mixed', b: SampleType | 'mixed'): SampleType | 'mixed' {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('integer') && pair.has('number')) return 'number';
  if (pair.has('date') && pair.has('date_time')) return 'date_time';
  return 'mixed';
}

function countFields(fields: readonly SampleField[]): number {
  return fields.reduce((sum, field) => sum + 1 + countFields(field.properties ?? []), 0);
}

function fieldsOf(shapes: Map<string, Shape>, path: string, notes: string[]): SampleField[] {
  return [...shapes].map(([name, shape]) =>
    fieldOf(name, shape, path === '' ? name : `${path}.${name}`, notes),
  );
}

function fieldOf(name: string, shape: Shape, path: string, notes: string[]): SampleField {
  switch (shape.kind) {
    case 'null':
      notes.push(`${path}: only null in the sample; typed string`);
      return { name, type: 'string' };
    case 'scalar':
      return { name, type: scalar(shape.type, path, notes) };
    case 'object':
      return { name, type: 'object', properties: fieldsOf(shape.fields, path, notes) };
    case 'array': {
      const items = shape.items;
      if (items === undefined || items.kind === 'null') {
        notes.push(`${path}: no items in the sample; typed an array of strings`);
        return { name, type: 'array', of: 'string' };
      }
      if (items.kind === 'object') {
        return { name, type: 'array', of: 'object', properties: fieldsOf(items.fields, `${path}[]`, notes) };
      }
      if (items.kind === 'array') {
        notes.push(`${path}: arrays of arrays have no field notation; typed an array of strings`);
        return { name, type: 'array', of: 'string' };
      }
      return { name, type: 'array', of: scalar(items.type, `${path}[]`, notes) };
    }
  }
}

function scalar(type: SampleType | 'mixed', path: string, notes: string[]): SampleType {
  if (type !== 'mixed') return type;
  notes.push(`${path}: values of different types in the sample; typed string`);
  return 'string';
}

function describe(sample: unknown, root: Shape): string {
  if (root.kind === 'array') return root.items === undefined ? 'an empty array' : 'an array of non-objects';
  if (sample === null) return 'null';
  return `a ${typeof sample}`;
}

/** The first record of CSV text (RFC 4180 quoting: `"a ""b"""`, separators and line breaks inside quotes). */
function firstRecord(text: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else cell += char;
      i += 1;
      continue;
    }
    if (char === '"' && cell === '') quoted = true;
    else if (char === separator) {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') break;
    else cell += char;
    i += 1;
  }
  if (quoted) throw new SampleError('the CSV header has a quote that is not closed');
  cells.push(cell);
  return cells;
}
