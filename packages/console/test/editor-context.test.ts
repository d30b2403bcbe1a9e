/**
 * What the editor's completion reads at the cursor, without a browser: the YAML path from the lines'
 * indentation, the workflow schema along it, and what a template offers. `§` in a document marks the
 * cursor.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type SchemaNode, SchemaWalker } from '../src/editor/schema-walk.js';
import { stepsAbove, templateCompletion } from '../src/editor/template-context.js';
import { keyPathAt, yamlContext } from '../src/editor/yaml-context.js';

/** The text without its `§` and the cursor's offset. */
function at(marked: string): [string, number] {
  const offset = marked.indexOf('§');
  return [marked.slice(0, offset) + marked.slice(offset + 1), offset];
}

const schema = JSON.parse(
  readFileSync(new URL('../../engine/schema/workflow.schema.json', import.meta.url), 'utf8'),
) as SchemaNode;
const walker = new SchemaWalker(schema);

const STEP = 'name: x\nsteps:\n  - name: fetch\n    apispec:\n      url: https://x.test\n';

describe('yamlContext', () => {
  it.each([
    ['a top-level key', 'na§', { mode: 'key', path: [], word: 'na' }],
    ['a key of a step, on its item line', 'steps:\n  - na§', { mode: 'key', path: ['steps', 0], word: 'na' }],
    [
      'a key of a step, below its item line',
      `${STEP}    ret§`,
      { mode: 'key', path: ['steps', 0], word: 'ret' },
    ],
    ['a key of apispec', `${STEP}      me§`, { mode: 'key', path: ['steps', 0, 'apispec'], word: 'me' }],
    ['a value', `${STEP}    on_error: co§`, { mode: 'value', path: ['steps', 0, 'on_error'], word: 'co' }],
    [
      'a key of the second step',
      `${STEP}  - name: two\n    wait:\n      sec§`,
      { mode: 'key', path: ['steps', 0, 'wait'], word: 'sec' },
    ],
    [
      'an item of a list under a key',
      'default_retry:\n  allowed_methods:\n    - GE§',
      { mode: 'key', path: ['default_retry', 'allowed_methods', 0], word: 'GE' },
    ],
    [
      'past comments and blank lines',
      'trigger:\n  # when\n\n  sch§',
      { mode: 'key', path: ['trigger'], word: 'sch' },
    ],
  ] as const)('%s', (_name, marked, expected) => {
    const [text, offset] = at(marked);
    expect(yamlContext(text, offset)).toMatchObject(expected);
  });

  it('finds the path of the key under a position, and none off a key', () => {
    const [text, offset] = at(`${STEP.replace('apispec', 'api§spec')}`);
    expect(keyPathAt(text, offset)).toEqual(['steps', 0, 'apispec']);
    const [valueText, valueOffset] = at('name: x§y');
    expect(keyPathAt(valueText, valueOffset)).toBeUndefined();
  });
});

describe('SchemaWalker', () => {
  it('offers the keys of a step of every kind, with descriptions, and hides the fields the store sets', () => {
    const step = walker.keys(['steps', 0]).map((key) => key.name);
    expect(step).toEqual(
      expect.arrayContaining(['name', 'apispec', 'action', 'wait', 'workflow', 'on_error']),
    );
    expect(walker.keys(['steps', 0]).find((key) => key.name === 'name')).toMatchObject({ required: true });
    const top = walker.keys([]).map((key) => key.name);
    expect(top).toEqual(expect.arrayContaining(['name', 'steps', 'trigger', 'scope']));
    expect(top).not.toContain('workspace_id');
    expect(walker.keys(['trigger']).map((key) => key.name)).toEqual(
      expect.arrayContaining(['schedule', 'webhook', 'poll']),
    );
  });

  it('offers enum values, booleans, else examples, and describes a path', () => {
    expect(walker.values(['steps', 0, 'on_error'])).toEqual(['fail', 'continue']);
    expect(walker.values(['scope'])).toEqual(['workspace', 'global']);
    expect(walker.values(['steps', 0, 'apispec', 'method'])).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(walker.describe(['steps', 0, 'apispec', 'method'])).toContain('HTTP method');
    expect(walker.keys(['steps', 0, 'nothing'])).toEqual([]);
  });
});

describe('templateCompletion', () => {
  const doc = (cursorLine: string) =>
    at(
      [
        'name: t',
        'steps:',
        '  - name: first',
        '    apispec:',
        '      url: https://x.test/{{ INPUT.id }}/{{ SYSTEM_APIS.crm }}',
        '  - name: second',
        '    apispec:',
        cursorLine,
        '  - name: third',
        '    apispec:',
        '      url: https://x.test',
      ].join('\n'),
    );
  const reference = { filters: ['default', 'tojson', 'upper'], system_apis: ['sluice', 'runs'] };
  const labels = (marked: string) => {
    const [text, offset] = doc(marked);
    return templateCompletion(text, offset, reference)?.options.map((option) => option.label);
  };

  it('offers the steps above the one being edited, and what a step leaves', () => {
    expect(labels('      url: "{{ STEPS.§')).toEqual(['first']);
    expect(labels('      url: "{{ STEPS.first.§')).toEqual(['output', 'errors']);
    const [text, offset] = doc('      url: x§');
    expect(stepsAbove(text, offset)).toEqual(['first']);
  });

  it('offers INPUT fields and SYSTEM_APIS keys the document reads, the service keys, and filters after |', () => {
    expect(labels('      url: "{{ INPUT.§')).toEqual(['id']);
    expect(labels('      url: "{{ SYSTEM_APIS.§')).toEqual(['crm', 'runs', 'sluice']);
    expect(labels('      url: "{{ INPUT.id | up§')).toEqual(['default', 'tojson', 'upper']);
    expect(labels('      url: "{{ §')).toEqual(
      expect.arrayContaining(['STEPS', 'INPUT', 'SYSTEM_APIS', 'USER']),
    );
  });

  it('offers nothing outside a template or after one closed', () => {
    expect(labels('      url: "STEPS.§')).toBeUndefined();
    expect(labels('      url: "{{ INPUT.id }} §')).toBeUndefined();
  });
});
