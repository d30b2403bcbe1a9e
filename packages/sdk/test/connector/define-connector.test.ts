import { defineConnector, isConnector } from '@sluice/sdk';
import { describe, expect, it } from 'vitest';

/** Calls defineConnector with a definition the types would refuse, as plain JavaScript could. */
function define(definition: unknown) {
  return () => defineConnector(definition as Parameters<typeof defineConnector>[0]);
}

const noop = () => ({});

describe('defineConnector', () => {
  it('returns the definition frozen and branded as a connector', () => {
    const connector = defineConnector({ title: 'My App', actions: { ping: { execute: () => 'pong' } } });
    expect(connector.title).toBe('My App');
    expect(Object.isFrozen(connector)).toBe(true);
    expect(isConnector(connector)).toBe(true);
    expect(isConnector({ title: 'My App' })).toBe(false);
    expect(isConnector(null)).toBe(false);
  });

  it('recognises a connector branded by another copy of the SDK', () => {
    const foreign = Object.defineProperty({ title: 'x' }, Symbol.for('sluice.connector'), { value: true });
    expect(isConnector(foreign)).toBe(true);
  });

  it('accepts a complete definition', () => {
    expect(
      define({
        title: 'Full',
        description: 'every part',
        connection: {
          fields: [{ name: 'api_token', controlType: 'password' }],
          baseUri: 'https://api.example.com',
          authorization: {
            type: 'custom_auth',
            acquire: noop,
            apply: noop,
            refreshOn: [401, /expired/],
            detectOn: 'error',
          },
        },
        test: noop,
        actions: {
          a: {
            title: 'A',
            inputFields: [{ name: 'status', pickList: 'statuses' }],
            outputFields: noop,
            execute: noop,
            sampleOutput: {},
          },
        },
        triggers: {
          asc: { poll: noop, dedup: noop },
          desc: { type: 'paging_desc', poll: noop, sortBy: noop, documentId: noop },
        },
        pickLists: { statuses: noop },
        methods: { helper: noop },
        objectDefinitions: { customer: { fields: [{ name: 'id' }] } },
      }),
    ).not.toThrow();
  });

  it.each([
    ['no definition', undefined, 'defineConnector(definition): must be an object (got undefined)'],
    ['no title', {}, 'title: must be a non-empty string (got undefined)'],
    ['a blank title', { title: ' ' }, 'title: must be a non-empty string (got " ")'],
    ['an unknown top-level key', { title: 't', trigers: {} }, 'trigers: unknown key'],
    ['a snake_case key', { title: 't', pick_lists: {} }, 'pick_lists: unknown key'],
    ['actions as a list', { title: 't', actions: [] }, 'actions: must be an object (got an array)'],
    [
      'an action without execute',
      { title: 't', actions: { get_customer: {} } },
      'actions.get_customer.execute: must be a function (got undefined)',
    ],
    [
      'a snake_case action key',
      { title: 't', actions: { a: { execute: noop, input_fields: [] } } },
      'actions.a.input_fields: unknown key',
    ],
    [
      'an action title that is a number',
      { title: 't', actions: { a: { execute: noop, title: 1 } } },
      'actions.a.title: must be a string (got a number)',
    ],
    [
      'input fields that are an object',
      { title: 't', actions: { a: { execute: noop, inputFields: { id: 'integer' } } } },
      'actions.a.inputFields: must be a list of fields or a function returning one (got an object)',
    ],
    [
      'a field with an unknown type',
      { title: 't', actions: { a: { execute: noop, inputFields: [{ name: 'id', type: 'int' }] } } },
      'actions.a.inputFields[0].type',
    ],
    [
      'a field naming a missing pick list',
      { title: 't', actions: { a: { execute: noop, inputFields: [{ name: 's', pickList: 'statuses' }] } } },
      'actions.a.inputFields[0].pickList: no pick list "statuses" (available: none)',
    ],
    [
      'a trigger without poll',
      { title: 't', triggers: { new_customer: {} } },
      'triggers.new_customer.poll: must be a function (got undefined)',
    ],
    [
      'an unknown trigger type',
      { title: 't', triggers: { t: { type: 'paging_asc', poll: noop } } },
      'triggers.t.type: must be "paging_desc" or absent (got "paging_asc")',
    ],
    [
      'a paging_desc trigger without sortBy',
      { title: 't', triggers: { t: { type: 'paging_desc', poll: noop } } },
      'triggers.t.sortBy: must be a function (got undefined)',
    ],
    [
      'sortBy on an ascending trigger',
      { title: 't', triggers: { t: { poll: noop, sortBy: noop } } },
      'triggers.t.sortBy: only paging_desc triggers take it',
    ],
    [
      'a dedup that is a string',
      { title: 't', triggers: { t: { poll: noop, dedup: 'id' } } },
      'triggers.t.dedup: must be a function (got "id")',
    ],
    [
      'a pick list that is a list',
      { title: 't', pickLists: { s: [['A', 'a']] } },
      'pickLists.s: must be a function (got an array)',
    ],
    [
      'a method that is a string',
      { title: 't', methods: { m: 'x' } },
      'methods.m: must be a function (got "x")',
    ],
    [
      'an object definition without fields',
      { title: 't', objectDefinitions: { customer: {} } },
      'objectDefinitions.customer.fields: is required',
    ],
    ['a test that is an object', { title: 't', test: {} }, 'test: must be a function (got an object)'],
    [
      'connection fields from a function',
      { title: 't', connection: { fields: noop } },
      'connection.fields: must be a list of fields (got a function)',
    ],
    [
      'a baseUri that is a number',
      { title: 't', connection: { baseUri: 1 } },
      'connection.baseUri: must be a string or a function of { connection } (got a number)',
    ],
    [
      'an unknown authorization type',
      { title: 't', connection: { authorization: { type: 'jwt' } } },
      'connection.authorization.type: must be one of none, basic_auth, api_key, oauth2, custom_auth (got "jwt")',
    ],
    [
      'api_key without apply',
      { title: 't', connection: { authorization: { type: 'api_key' } } },
      'connection.authorization.apply: must be a function (got undefined)',
    ],
    [
      'custom_auth refreshOn without acquire',
      { title: 't', connection: { authorization: { type: 'custom_auth', apply: noop, refreshOn: 401 } } },
      'connection.authorization.refreshOn: has no effect without acquire',
    ],
    [
      'oauth2 without a token URL',
      {
        title: 't',
        connection: {
          authorization: { type: 'oauth2', authorizationUrl: noop, clientId: 'c', clientSecret: 's' },
        },
      },
      'connection.authorization.tokenUrl: must be a string or a function of { connection } (got undefined)',
    ],
    [
      'refreshOn on basic_auth',
      { title: 't', connection: { authorization: { type: 'basic_auth', refreshOn: 401 } } },
      'connection.authorization.refreshOn: unknown key',
    ],
    [
      'a refreshOn status out of range',
      {
        title: 't',
        connection: { authorization: { type: 'custom_auth', acquire: noop, apply: noop, refreshOn: 42 } },
      },
      'connection.authorization.refreshOn: expected a status code (100-599)',
    ],
  ])('rejects %s, naming the path', (_name, definition, message) => {
    expect(define(definition)).toThrow(message);
  });

  it('uses SLUICE_CONNECTOR_INVALID with a hint, and suggests the camelCase key', () => {
    let error: unknown;
    try {
      define({ title: 't', actions: { a: { execute: noop, output_fields: [] } } })();
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'SLUICE_CONNECTOR_INVALID', hint: 'did you mean outputFields?' });
  });

  it('reports a malformed static field list with the field notation error', () => {
    expect(
      define({ title: 't', actions: { a: { execute: noop, inputFields: [{ type: 'integer' }] } } }),
    ).toThrow(expect.objectContaining({ code: 'SLUICE_FIELD_NOTATION' }));
  });
});
