import {
  type ActionDefinition,
  type Connector,
  defineConnector,
  defineFields,
  type Fields,
  type HttpClient,
  type InputOf,
  type TriggerRecord,
} from '@sluice/sdk';
import { createConnectorRuntime } from '@sluice/sdk/internal';
import { describe, expectTypeOf, it } from 'vitest';

describe('defineConnector types', () => {
  it('infers the execute input from literal input fields', () => {
    defineConnector({
      title: 'Typed',
      actions: {
        get_customer: {
          inputFields: [
            { name: 'id', type: 'integer', optional: false },
            { name: 'note' },
            { name: 'active', type: 'boolean', optional: false },
          ],
          execute: ({ input, connection, http, call }) => {
            expectTypeOf(input).toEqualTypeOf<{ id: number; active: boolean; note?: string }>();
            expectTypeOf(connection).toEqualTypeOf<Readonly<Record<string, unknown>>>();
            expectTypeOf(http).toEqualTypeOf<HttpClient>();
            expectTypeOf(call).returns.toEqualTypeOf<Promise<unknown>>();
            // @ts-expect-error: no such input field
            void input.nope;
            return input.id;
          },
        },
      },
    });
  });

  it('infers the input from a list made with defineFields', () => {
    const fields = defineFields([
      { name: 'email', optional: false },
      { name: 'age', type: 'integer' },
    ]);
    defineConnector({
      title: 'Shared fields',
      actions: {
        create: {
          inputFields: fields,
          execute: ({ input }) => {
            expectTypeOf(input).toEqualTypeOf<{ email: string; age?: number }>();
          },
        },
      },
    });
  });

  it('falls back to Record<string, unknown> for input fields from a function, or none', () => {
    defineConnector({
      title: 'Dynamic',
      actions: {
        dynamic: {
          inputFields: () => [{ name: 'id' }],
          execute: ({ input }) => expectTypeOf(input).toEqualTypeOf<Record<string, unknown>>(),
        },
        none: { execute: ({ input }) => expectTypeOf(input).toEqualTypeOf<Record<string, unknown>>() },
      },
    });
  });

  it('types objectDefinitions by name in field functions', () => {
    defineConnector({
      title: 'Objects',
      actions: {
        get: {
          outputFields: ({ objectDefinitions }) => {
            expectTypeOf(objectDefinitions.customer).toEqualTypeOf<Fields>();
            // @ts-expect-error: no such object definition
            void objectDefinitions.invoice;
            return objectDefinitions.customer;
          },
          execute: () => ({}),
        },
      },
      objectDefinitions: {
        customer: { fields: [{ name: 'id', type: 'integer' }] },
        order: {
          fields: ({ objectDefinitions }) => [
            { name: 'customer', type: 'object', properties: objectDefinitions.customer },
          ],
        },
      },
    });
  });

  it('infers the poll input of both trigger kinds and types the record callbacks', () => {
    defineConnector({
      title: 'Triggers',
      triggers: {
        ascending: {
          inputFields: [{ name: 'since', type: 'date_time', optional: false }],
          poll: ({ input, closure }) => {
            expectTypeOf(input).toEqualTypeOf<{ since: string }>();
            expectTypeOf(closure).toEqualTypeOf<unknown>();
            return { events: [{ id: 1 }], nextPoll: input.since, canPollMore: false };
          },
          dedup: (record) => {
            expectTypeOf(record).toEqualTypeOf<TriggerRecord>();
            return String(record.id);
          },
        },
        descending: {
          type: 'paging_desc',
          inputFields: [{ name: 'limit', type: 'integer', optional: true }],
          poll: async ({ input }) => {
            expectTypeOf(input).toEqualTypeOf<{ limit?: number }>();
            return { events: [], nextPage: undefined };
          },
          documentId: (record) => record.id,
          sortBy: (record) => record.created_at,
        },
      },
    });
  });

  it('infers the input of webhook triggers and types their contexts', () => {
    defineConnector({
      title: 'Webhooks',
      webhookKeys: ({ params, headers, payload }) => {
        expectTypeOf(params).toEqualTypeOf<Readonly<Record<string, unknown>>>();
        expectTypeOf(headers).toEqualTypeOf<Readonly<Record<string, string>>>();
        expectTypeOf(payload).toEqualTypeOf<unknown>();
        return 'key';
      },
      triggers: {
        subscribed: {
          inputFields: [{ name: 'status', optional: false }],
          webhookSubscribe: ({ webhookUrl, input, recipeId }) => {
            expectTypeOf(webhookUrl).toEqualTypeOf<string>();
            expectTypeOf(recipeId).toEqualTypeOf<string>();
            expectTypeOf(input).toEqualTypeOf<{ status: string }>();
            return { id: 1 };
          },
          webhookUnsubscribe: ({ webhookSubscribeOutput }) => {
            expectTypeOf(webhookSubscribeOutput).toEqualTypeOf<unknown>();
          },
          webhookNotification: ({ input, payload, headers }) => {
            expectTypeOf(input).toEqualTypeOf<{ status: string }>();
            expectTypeOf(headers).toEqualTypeOf<Readonly<Record<string, string>>>();
            return payload;
          },
          dedup: (record) => String(record.id),
        },
        keyed: {
          inputFields: [{ name: 'account', type: 'integer', optional: false }],
          webhookKey: ({ input }) => {
            expectTypeOf(input).toEqualTypeOf<{ account: number }>();
            return input.account;
          },
          webhookNotification: () => null,
        },
      },
    });
    defineConnector({
      title: 'Bad webhook',
      triggers: {
        // @ts-expect-error: a trigger either polls or takes webhook notifications
        both: { poll: () => ({ events: [] }), webhookNotification: () => null },
      },
    });
  });

  it('refuses definitions the notation or the trigger kinds do not allow', () => {
    defineConnector({
      title: 'Bad',
      actions: {
        // @ts-expect-error: unknown field type
        bad_type: { inputFields: [{ name: 'id', type: 'int' }], execute: () => 1 },
      },
      triggers: {
        // @ts-expect-error: paging_desc needs sortBy
        no_sort: { type: 'paging_desc', poll: () => ({ events: [] }) },
        // @ts-expect-error: ascending polls return events
        no_events: { poll: () => ({ nextPoll: 1 }) },
      },
    });
    // @ts-expect-error: title is required
    defineConnector({ actions: {} });
    defineConnector({
      title: 'Bad auth',
      // @ts-expect-error: api_key needs apply
      connection: { authorization: { type: 'api_key' } },
    });
  });

  it('gives a connector that the runtime accepts', () => {
    const connector = defineConnector({
      title: 'Runtime',
      actions: {
        a: {
          inputFields: [{ name: 'id', type: 'integer', optional: false }],
          execute: ({ input }) => input.id,
        },
      },
    });
    expectTypeOf(connector).toExtend<Connector>();
    expectTypeOf(createConnectorRuntime(connector).runAction).returns.toEqualTypeOf<Promise<unknown>>();
  });

  it('maps input field specs to input types', () => {
    expectTypeOf<InputOf<readonly [{ name: 'id'; type: 'integer'; optional: false }]>>().toEqualTypeOf<{
      id: number;
    }>();
    expectTypeOf<InputOf<readonly [{ name: 'id'; type: 'integer' }]>>().toEqualTypeOf<{ id?: number }>();
    expectTypeOf<InputOf<() => Fields>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<ActionDefinition['execute']>().parameter(0).toHaveProperty('input');
  });
});
