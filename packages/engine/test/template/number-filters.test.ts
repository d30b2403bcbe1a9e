import { TemplateRenderer } from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';

const renderer = new TemplateRenderer();
afterAll(() => renderer.close());
const render = (template: string): Promise<unknown> => renderer.render(template, {}, { field: 'test' });

// Expected values printed by Jinja2 3.1.6 (NativeEnvironment, StrictUndefined) for the same templates.
describe('int, float, round, sum and truncate', () => {
  it.each<[string, unknown]>([
    ["{{ 'abc'|int }}", 0],
    ["{{ 'abc'|int(7) }}", 7],
    ["{{ '3.7'|int }}", 3],
    ["{{ '0x1A'|int(base=0) }}", 26],
    ["{{ ' 12 '|int }}", 12],
    ["{{ 'x'|float(1.5) }}", 1.5],
    ['{{ 2.5|round }}', 2],
    ['{{ -2.5|round }}', -2],
    ['{{ 2.675|round(2) }}', 2.67],
    ['{{ 1.25|round(1) }}', 1.2],
    ['{{ 25|round(-1) }}', 20],
    ["{{ 2.1|round(0, 'ceil') }}", 3],
    ["{{ [{'a': 1}, {'a': 2}]|sum(attribute='a') }}", 3],
    ['{{ [[1], [2]]|sum(start=[]) }}', [1, 2]],
    ["{{ 'foo bar baz qux'|truncate(9) }}", 'foo...'],
    ["{{ 'foo bar baz qux'|truncate(9, true) }}", 'foo ba...'],
    ["{{ 'foo bar baz qux'|truncate(12, leeway=0) }}", 'foo bar...'],
    ["{{ 'foo bar baz qux'|truncate(13) }}", 'foo bar baz qux'],
  ])('renders %s as Jinja2 does', async (template, expected) => {
    expect(await render(template)).toEqual(expected);
  });

  it.each([
    "{{ 2.5|round(method='x') }}",
    "{{ 'abc def'|truncate(2) }}",
    "{{ [{'a': 1}]|sum(attribute='b') }}",
    "{{ [1, 'a']|sum }}",
  ])('fails %s as Jinja2 does', async (template) => {
    await expect(render(template)).rejects.toThrow();
  });
});
