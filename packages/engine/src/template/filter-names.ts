/**
 * The names of the filters a template can use: minijinja-js 2.11's own (minijinja's built-ins with its
 * `json` feature, and the filters of minijinja-contrib it registers) and the ones Sluice adds
 * (`filters.ts`). minijinja-js cannot list its filters, and an unknown filter fails only when rendered,
 * so validation checks filter names against this list; `test/template/filter-names.test.ts` checks it
 * against the real environment, both ways.
 *
 * @internal
 * @module
 */
import { ADDED_FILTERS } from './filters.js';

/** minijinja 2.11's built-in filters (`minijinja/src/defaults.rs`, with `builtins` and `json`). */
const MINIJINJA_FILTERS = [
  'abs',
  'attr',
  'batch',
  'bool',
  'capitalize',
  'chain',
  'count',
  'd',
  'default',
  'dictsort',
  'e',
  'escape',
  'first',
  'float',
  'groupby',
  'indent',
  'int',
  'items',
  'join',
  'last',
  'length',
  'lines',
  'list',
  'lower',
  'map',
  'max',
  'min',
  'pprint',
  'reject',
  'rejectattr',
  'replace',
  'reverse',
  'round',
  'safe',
  'select',
  'selectattr',
  'slice',
  'sort',
  'split',
  'string',
  'sum',
  'title',
  'tojson',
  'trim',
  'unique',
  'upper',
] as const;

/** The filters minijinja-contrib 2.11 registers in minijinja-js (its default features). */
const CONTRIB_FILTERS = ['filesizeformat', 'pluralize', 'striptags', 'truncate'] as const;

/** Every filter a Sluice template can use, sorted. */
export const TEMPLATE_FILTERS: readonly string[] = Object.freeze(
  [...new Set<string>([...MINIJINJA_FILTERS, ...CONTRIB_FILTERS, ...ADDED_FILTERS])].sort(),
);
