import { Environment } from 'minijinja-js';
import { describe, expect, it } from 'vitest';
import { createEnvironment } from '../../src/template/environment.js';
import { TEMPLATE_FILTERS } from '../../src/template/filter-names.js';

/** Jinja2 3.1's built-in filters, minijinja's and minijinja-contrib's (all features), and some that exist nowhere. */
const CANDIDATES = [
  ...['abs', 'attr', 'batch', 'capitalize', 'center', 'count', 'd', 'default', 'dictsort', 'e', 'escape'],
  ...['filesizeformat', 'first', 'float', 'forceescape', 'format', 'groupby', 'indent', 'int', 'items'],
  ...['join', 'last', 'length', 'list', 'lower', 'map', 'max', 'min', 'pprint', 'random', 'reject'],
  ...['rejectattr', 'replace', 'reverse', 'round', 'safe', 'select', 'selectattr', 'slice', 'sort'],
  ...['string', 'striptags', 'sum', 'title', 'tojson', 'trim', 'truncate', 'unique', 'upper', 'urlencode'],
  ...['urlize', 'wordcount', 'wordwrap', 'xmlattr', 'bool', 'chain', 'lines', 'split', 'pluralize', 'zip'],
  ...['datetimeformat', 'dateformat', 'timeformat', 'lipsum', 'json', 'to_json', 'uper', 'ltrim', 'capture'],
];

/** Whether the engine's environment knows the filter `name` (an unknown one fails as it renders). */
function knows(env: Environment, name: string): boolean {
  try {
    env.renderStr(`{{ x|${name} }}`, { x: 'a' });
    return true;
  } catch (err) {
    return !String((err as Error).message).includes('unknown filter');
  }
}

describe('TEMPLATE_FILTERS', () => {
  const env = createEnvironment(Environment, 100_000);

  it('lists only filters the engine environment has', () => {
    expect(TEMPLATE_FILTERS.filter((name) => !knows(env, name))).toEqual([]);
  });

  it('lists every filter of the candidates the engine environment has', () => {
    const missing = CANDIDATES.filter((name) => knows(env, name) && !TEMPLATE_FILTERS.includes(name));
    expect(missing).toEqual([]);
    expect(CANDIDATES.filter((name) => !knows(env, name))).toEqual(
      expect.arrayContaining(['zip', 'json', 'uper', 'datetimeformat']),
    );
  });

  it('leaves out the internal capture filter', () => {
    expect(TEMPLATE_FILTERS.some((name) => name.startsWith('__'))).toBe(false);
  });
});
