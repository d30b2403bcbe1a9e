import { describe, expect, it } from 'vitest';
import { scanTemplateReferences } from '../../src/workflow/template-references.js';

/** The references of `source` as `kind name @line:column`. */
const refs = (source: string) =>
  scanTemplateReferences(source).references.map((r) => `${r.kind} ${r.name} @${r.line}:${r.column}`);

describe('scanTemplateReferences', () => {
  it.each<[what: string, source: string, expected: string[]]>([
    ['a step by attribute', '{{ STEPS.customers.output }}', ['step customers @1:4']],
    ['a step by a quoted key', `{{ STEPS['customers'].output }}`, ['step customers @1:4']],
    ['a step by a double-quoted key', '{{ STEPS["a b"].output }}', ['step a b @1:4']],
    ['attribute chains name only the step', '{{ STEPS.a.output.items[0].id }}', ['step a @1:4']],
    ['a SYSTEM_APIS key, in text', 'https://{{ SYSTEM_APIS.my_app }}/v1', ['system_api my_app @1:12']],
    ['a SYSTEM_APIS key by a quoted key', `{{ SYSTEM_APIS['crm'] }}`, ['system_api crm @1:4']],
    ['filters after |', '{{ x | upper|trim }}', ['filter upper @1:8', 'filter trim @1:14']],
    [
      'a filter with arguments',
      `{{ x|replace('|', 'y')|join(',') }}`,
      ['filter replace @1:6', 'filter join @1:24'],
    ],
    ['a filter block', '{% filter upper %}x{% endfilter %}', ['filter upper @1:11']],
    [
      'filters and steps in block tags',
      '{% for c in STEPS.a.output|sort %}{{ c.id }}{% endfor %}',
      ['step a @1:13', 'filter sort @1:28'],
    ],
    [
      'whitespace control',
      '{{- STEPS.a.output -}} {%- if STEPS.b -%}y{%+ endif +%}',
      ['step a @1:5', 'step b @1:31'],
    ],
    [
      'lines and columns in a multi-line template',
      'a\n  {{ STEPS.a }}\n\n{{ x|lower }}',
      ['step a @2:6', 'filter lower @4:6'],
    ],
    [
      'several references in order',
      '{{ STEPS.a.output ~ SYSTEM_APIS.b }}',
      ['step a @1:4', 'system_api b @1:21'],
    ],
  ])('finds %s', (_what, source, expected) => {
    expect(refs(source)).toEqual(expected);
  });

  it.each<[what: string, source: string]>([
    ['string literals', `{{ "STEPS.a" ~ 'x|upper' ~ "{{ STEPS.b }}" }}`],
    ['escaped quotes inside strings', `{{ "a \\" STEPS.b |upper" }}`],
    ['comments', '{# {{ STEPS.a | nope }} #}text'],
    ['raw blocks', '{% raw %}{{ STEPS.a | nope }}{% endraw %}'],
    ['raw blocks with whitespace control', '{%- raw -%}{{ STEPS.a }}{%- endraw -%}'],
    ['text outside tags', 'STEPS.a | upper'],
    ['dynamic references', '{{ STEPS[INPUT.name].output }}{{ STEPS[name] }}{{ SYSTEM_APIS[k] }}'],
    ['keys with escapes', `{{ STEPS['a\\'b'] }}`],
    ['method calls', '{{ STEPS.get("a") }}{{ STEPS.items() }}{{ SYSTEM_APIS.keys() }}'],
    ['attributes named like the roots', '{{ x.STEPS.a }}{{ INPUT.SYSTEM_APIS.b }}'],
    ['the whole root', '{{ STEPS }}{{ SYSTEM_APIS }}'],
    ['tests after is', '{{ x is upper }}{{ x is not divisibleby 3 }}'],
  ])('ignores %s', (_what, source) => {
    expect(refs(source)).toEqual([]);
  });

  it.each<[what: string, source: string]>([
    ['set', '{% set STEPS = {"a": 1} %}{{ STEPS.a }}'],
    ['a block set', '{% set STEPS %}x{% endset %}{{ STEPS.a }}'],
    ['for', '{% for STEPS in [1] %}{{ STEPS.a }}{% endfor %}'],
    ['for with two targets', '{% for k, STEPS in x.items() %}{{ STEPS.a }}{% endfor %}'],
    ['with', '{% with STEPS = x %}{{ STEPS.a }}{% endwith %}'],
    ['a macro argument', '{% macro m(STEPS) %}{{ STEPS.a }}{% endmacro %}'],
  ])('leaves out a root the template assigns itself (%s)', (_what, source) => {
    const scan = scanTemplateReferences(source);
    expect(scan.shadowed).toEqual(new Set(['STEPS']));
    expect(scan.references.filter((r) => r.kind === 'step')).toEqual([]);
  });

  it('keeps references of a root a tag only reads', () => {
    const scan = scanTemplateReferences(
      '{% set x = STEPS.a.output %}{% for i in STEPS.b.output %}{{ i }}{% endfor %}',
    );
    expect(scan.shadowed.size).toBe(0);
    expect(scan.references.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('does not take a loop variable named like a step for a step', () => {
    expect(refs('{% for customers in STEPS.customers.output %}{{ customers.id }}{% endfor %}')).toEqual([
      'step customers @1:21',
    ]);
  });

  it('gives how the reference is written', () => {
    const [a, b] = scanTemplateReferences(`{{ STEPS [ 'x' ] }}{{ STEPS . y }}`).references;
    expect(a?.text).toBe(`STEPS [ 'x' ]`);
    expect(b?.text).toBe('STEPS . y');
  });

  it('counts tags and tells whether there is text outside them', () => {
    expect(scanTemplateReferences(' {{ a }} {# c #} ')).toMatchObject({
      expressions: 1,
      blocks: 0,
      text: false,
    });
    expect(scanTemplateReferences('{{ a }} == 1')).toMatchObject({ expressions: 1, blocks: 0, text: true });
    expect(scanTemplateReferences('{% if a %}y{% endif %}')).toMatchObject({
      expressions: 0,
      blocks: 2,
      text: true,
    });
  });

  it('stops where the lexer loses track, keeping what came before', () => {
    for (const source of [
      '{{ STEPS.a }}{{ STEPS.b',
      '{{ STEPS.a }}{# open',
      '{{ STEPS.a }}{% raw %}x',
      '{{ STEPS.a }}{{ "open }}',
    ]) {
      const scan = scanTemplateReferences(source);
      expect(scan.complete).toBe(false);
      expect(scan.references.map((r) => r.name)).toEqual(['a']);
    }
  });

  it('closes a tag only outside brackets', () => {
    expect(refs(`{{ {'a': {'b': STEPS.c}} }}`)).toEqual(['step c @1:16']);
  });

  describe('hostile templates', () => {
    it('scans a 1 MB template with 10,000 references, each placed', () => {
      const part = '{{ STEPS.s1.output | upper }}\n';
      const filler = `${'x'.repeat(70)}\n`;
      const source = Array.from({ length: 10_000 }, () => part + filler)
        .join('')
        .padEnd(1_048_576, 'y');
      const scan = scanTemplateReferences(source);
      expect(scan.references).toHaveLength(20_000);
      expect(scan.references.at(-1)).toMatchObject({
        kind: 'filter',
        name: 'upper',
        line: 19_999,
        column: 22,
      });
    });

    it('scans megabytes of openers, quotes and brackets without tags closing', () => {
      for (const source of [
        '{'.repeat(1_000_000),
        '{{ '.padEnd(1_000_000, '('),
        `{{ ${'"'.repeat(999_999)}`,
        '{#'.repeat(500_000),
      ]) {
        expect(scanTemplateReferences(source).references).toEqual([]);
      }
    });

    it('places 500,000 references on one line of a megabyte', () => {
      const scan = scanTemplateReferences(`{{ x${'|a'.repeat(500_000)} }}`);
      expect(scan.references).toHaveLength(500_000);
      expect(scan.references.at(-1)).toMatchObject({ name: 'a', line: 1, column: 1_000_004 });
    });

    it('scans a megabyte of raw openers', () => {
      const scan = scanTemplateReferences('{% raw %}'.repeat(100_000));
      expect(scan.complete).toBe(false);
    });
  });
});
