import { defineConnector, type Field, FieldValidationError } from '@sluice/sdk';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';

function invalid(definition: unknown): string {
  try {
    defineConnector(definition as Parameters<typeof defineConnector>[0]);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected defineConnector to throw');
}

describe('defineConnector: configFields and UI keys', () => {
  it('accepts configFields, the UI keys of actions and triggers, and inline pick lists', () => {
    expect(() =>
      defineConnector({
        title: 't',
        actions: {
          a: {
            subtitle: 'Sub',
            help: () => 'help',
            displayPriority: 2,
            deprecated: true,
            configFields: [{ name: 'object', optional: false, pickList: [['A', 'a']] }],
            execute: () => 1,
          },
        },
        triggers: {
          t: {
            help: 'Help',
            configFields: [{ name: 'object', pickList: 'objects' }],
            poll: () => ({ events: [] }),
          },
        },
        pickLists: { objects: () => [['A', 'a']] },
      }),
    ).not.toThrow();
  });

  it('names the path of a bad config field list or UI key', () => {
    const action = (extra: object) => invalid({ title: 't', actions: { a: { execute: () => 1, ...extra } } });
    expect(action({ configFields: () => [] })).toBe(
      'actions.a.configFields: must be a list of fields (got a function)',
    );
    expect(action({ configFields: [{ name: 'x', type: 'nope' }] })).toMatch(
      /^actions\.a\.configFields\[0\]\.type: unknown type "nope"/,
    );
    expect(action({ configFields: [{ name: 'x', pickList: 'missing' }] })).toBe(
      'actions.a.configFields[0].pickList: no pick list "missing" (available: none)',
    );
    expect(action({ subtitle: 3 })).toBe('actions.a.subtitle: must be a string (got a number)');
    expect(action({ help: null })).toBe(
      'actions.a.help: must be a string, an object or a function (got null)',
    );
    expect(action({ displayPriority: 'high' })).toBe(
      'actions.a.displayPriority: must be a number (got "high")',
    );
    expect(action({ config_fields: [] })).toBe('actions.a.config_fields: unknown key');
  });
});

describe('createConnectorRuntime: configFields', () => {
  const seen: unknown[] = [];
  const connector = defineConnector({
    title: 't',
    actions: {
      a: {
        configFields: [
          { name: 'kind', optional: false },
          { name: 'mode', default: 'fast' },
        ],
        inputFields: ({ configFields, objectDefinitions }) => {
          seen.push(configFields);
          return configFields.kind === 'big' ? objectDefinitions.big : [{ name: 'kind', type: 'integer' }];
        },
        outputFields: ({ configFields }) => [
          { name: 'n', type: configFields.kind === 'big' ? 'integer' : 'string' },
        ],
        execute: ({ input }) => ({ n: '5', input }),
      },
    },
    objectDefinitions: {
      big: {
        fields: async ({ configFields }) => [
          { name: 'size', type: 'integer', optional: configFields.mode !== 'strict' },
        ],
      },
    },
  });

  it('hands field functions only the config field values, defaults applied, and caches object definitions per values', async () => {
    seen.length = 0;
    const runtime = createConnectorRuntime(connector);
    await expect(runtime.runAction('a', { kind: 'big', size: '3', other: 1 })).resolves.toEqual({
      n: 5,
      input: { kind: 'big', mode: 'fast', size: 3, other: 1 },
    });
    expect(seen.at(-1)).toEqual({ kind: 'big', mode: 'fast' });
    const strict = await runtime.actionFields('a', 'inputFields', {
      configFields: { kind: 'big', mode: 'strict' },
    });
    expect(strict).toEqual([{ name: 'size', type: 'integer', optional: false }]);
    const err = await runtime.runAction('a', { kind: 'big', mode: 'strict' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FieldValidationError);
    expect((err as FieldValidationError).message).toBe('input.size: is required');
  });

  it('keeps the config field when an input field has the same name', async () => {
    const runtime = createConnectorRuntime(connector);
    // The input fields of kind "small" name `kind` again, as an integer: the config field's string wins.
    await expect(runtime.runAction('a', { kind: 'small' })).resolves.toEqual({
      n: '5',
      input: { kind: 'small', mode: 'fast' },
    });
  });

  it('gives field functions {} without config fields', async () => {
    seen.length = 0;
    await createConnectorRuntime(connector).actionFields('a', 'inputFields');
    expect(seen).toEqual([{}]);
  });

  it('resolves the config fields themselves', async () => {
    const fields: readonly Field[] = await createConnectorRuntime(connector).actionFields(
      'a',
      'configFields',
    );
    expect(fields.map((f) => f.name)).toEqual(['kind', 'mode']);
  });
});
