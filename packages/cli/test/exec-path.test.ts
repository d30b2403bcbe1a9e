import { isSluiceError } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';
import { describeExecPaths, listExecPaths, parseExecPath } from '../src/exec-path.js';

const connector = {
  actions: { get_customer: {} },
  triggers: { new_customer: {} },
  pickLists: { countries: {} },
  methods: { format_name: {} },
};

describe('parseExecPath', () => {
  it.each([
    ['test', { kind: 'test' }],
    ['actions.get_customer', { kind: 'action', name: 'get_customer' }],
    [
      'actions.get_customer.inputFields',
      { kind: 'actionFields', name: 'get_customer', which: 'inputFields' },
    ],
    [
      'actions.get_customer.outputFields',
      { kind: 'actionFields', name: 'get_customer', which: 'outputFields' },
    ],
    ['actions.get_customer.sampleOutput', { kind: 'sampleOutput', name: 'get_customer', of: 'action' }],
    ['triggers.new_customer', { kind: 'trigger', name: 'new_customer' }],
    ['triggers.new_customer.poll', { kind: 'triggerPoll', name: 'new_customer' }],
    [
      'triggers.new_customer.outputFields',
      { kind: 'triggerFields', name: 'new_customer', which: 'outputFields' },
    ],
    ['triggers.new_customer.sampleOutput', { kind: 'sampleOutput', name: 'new_customer', of: 'trigger' }],
    ['pickLists.countries', { kind: 'pickList', name: 'countries' }],
    ['methods.format_name', { kind: 'method', name: 'format_name' }],
  ])('reads %s', (path, target) => {
    expect(parseExecPath(path, connector, 'c.ts')).toEqual(target);
  });

  it.each([
    ['actions.nope', 'no action "nope"'],
    ['triggers.nope.poll', 'no trigger "nope"'],
    ['pickLists.nope', 'no pick list "nope"'],
    ['methods.nope', 'no method "nope"'],
    [
      'actions.get_customer.execute',
      'unknown part "execute" of actions.get_customer (valid: inputFields, outputFields, sampleOutput)',
    ],
    ['triggers.new_customer.dedup', 'unknown part "dedup" of triggers.new_customer'],
    ['methods.format_name.x', 'unknown path "methods.format_name.x"'],
    ['actions', 'unknown path "actions"'],
    ['connection', 'unknown path "connection"'],
    ['actions.get_customer.inputFields.x', 'unknown path "actions.get_customer.inputFields.x"'],
  ])('rejects %s with SLUICE_CONNECTOR_PATH listing the valid paths', (path, why) => {
    let caught: unknown;
    try {
      parseExecPath(path, connector, 'c.ts');
    } catch (err) {
      caught = err;
    }
    expect(isSluiceError(caught, 'SLUICE_CONNECTOR_PATH')).toBe(true);
    expect((caught as Error).message).toContain(`${why}`);
    expect((caught as Error).message).toContain(` in c.ts; valid paths: ${describeExecPaths(connector)}`);
  });
});

describe('listExecPaths and describeExecPaths', () => {
  it('list every path, long and short', () => {
    expect(listExecPaths(connector)).toEqual([
      'test',
      'actions.get_customer',
      'actions.get_customer.inputFields',
      'actions.get_customer.outputFields',
      'actions.get_customer.sampleOutput',
      'triggers.new_customer',
      'triggers.new_customer.poll',
      'triggers.new_customer.inputFields',
      'triggers.new_customer.outputFields',
      'triggers.new_customer.sampleOutput',
      'pickLists.countries',
      'methods.format_name',
    ]);
    expect(describeExecPaths({})).toBe('test');
    expect(describeExecPaths(connector)).toBe(
      'test, actions.get_customer[.inputFields|.outputFields|.sampleOutput], ' +
        'triggers.new_customer[.poll|.inputFields|.outputFields|.sampleOutput], pickLists.countries, methods.format_name',
    );
  });
});
