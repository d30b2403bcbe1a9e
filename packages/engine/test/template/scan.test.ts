import { describe, expect, it } from 'vitest';
import { scanTemplate } from '../../src/template/scan.js';

describe('scanTemplate', () => {
  it.each<[string, string]>([
    ['plain', 'text'],
    ['{ not } a template', 'text'],
    ['{{ x }}', 'expression'],
    ['  {{- x + 1 -}}\n', 'expression'],
    ['{{ x }}{# note #}', 'expression'],
    ['{{ x }}{{ y }}', 'template'],
    ['a {{ x }}', 'template'],
    ['{% if x %}{{ x }}{% endif %}', 'template'],
    ["{{ '}}' }}", 'expression'],
    ["{{ {'a': {'b': 1}} }}", 'expression'],
  ])('classifies %j as %s', (source, kind) => {
    expect(scanTemplate(source).kind).toBe(kind);
  });

  it.each<[string, (string | number)[] | undefined]>([
    ['{{ STEPS.a.output }}', ['STEPS', 'a', 'output']],
    ["{{ X['k'][0] }}", ['X', 'k', 0]],
    ['{{ X.k | upper }}', undefined],
    ['{{ X.items() }}', undefined],
    ['{{ true }}', undefined],
  ])('finds the plain reference of %s', (source, chain) => {
    expect(scanTemplate(source).chain).toEqual(chain);
  });

  it('lists every path a template reads, and none from strings, comments or raw blocks', () => {
    const scan = scanTemplate(
      "{# USER.secret #}{% raw %}{{ RUN.id }}{% endraw %}{{ 'INPUT.x' }}{{ STEPS.a.output[INPUT.i].v }}",
    );
    expect(scan.references).toEqual([
      ['STEPS', 'a', 'output'],
      ['INPUT', 'i'],
    ]);
  });

  it('asks for the whole state when the template calls debug()', () => {
    expect(scanTemplate('{{ debug() }}').references).toBeUndefined();
  });
});
