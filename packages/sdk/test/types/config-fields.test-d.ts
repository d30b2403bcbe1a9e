import { type ConfigFieldValues, defineConnector } from '@sluice/sdk';
import { describe, expectTypeOf, it } from 'vitest';

describe('configFields', () => {
  it('adds the config field values to the input of execute and poll', () => {
    defineConnector({
      title: 'T',
      actions: {
        with_config: {
          configFields: [{ name: 'object', optional: false, pickList: [['Customer', 'customer']] }],
          inputFields: [{ name: 'id', type: 'integer', optional: false }, { name: 'note' }],
          execute: ({ input }) => {
            expectTypeOf(input).toEqualTypeOf<{ object: string; id: number; note?: string }>();
          },
        },
        dynamic_input: {
          configFields: [{ name: 'object', optional: false }],
          inputFields: ({ configFields }) => {
            expectTypeOf(configFields).toEqualTypeOf<ConfigFieldValues>();
            return [];
          },
          execute: ({ input }) => {
            expectTypeOf(input.object).toEqualTypeOf<string>();
            expectTypeOf(input).toMatchTypeOf<Record<string, unknown>>();
          },
        },
        without_config: {
          inputFields: [{ name: 'id', type: 'integer' }],
          execute: ({ input }) => {
            expectTypeOf(input).toEqualTypeOf<{ id?: number }>();
          },
        },
      },
      triggers: {
        t: {
          configFields: [{ name: 'list', type: 'integer', optional: false }],
          inputFields: [{ name: 'since', type: 'timestamp' }],
          poll: ({ input }) => {
            expectTypeOf(input).toEqualTypeOf<{ list: number; since?: string }>();
            return { events: [] };
          },
        },
      },
    });
  });

  it('gives object definition fields the config field values', () => {
    defineConnector({
      title: 'T',
      objectDefinitions: {
        record: {
          fields: ({ configFields }) => {
            expectTypeOf(configFields).toEqualTypeOf<ConfigFieldValues>();
            return [];
          },
        },
      },
    });
  });

  it('accepts the UI keys of actions', () => {
    defineConnector({
      title: 'T',
      actions: { a: { subtitle: 's', help: 'h', displayPriority: 1, deprecated: false, execute: () => 1 } },
    });
  });
});
