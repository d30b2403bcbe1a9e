/**
 * The {{title}} connector. Run `sluice exec connector.ts --help` for the ways to try each part.
 */
import { defineConnector } from '@sluice/sdk';

/** One record of the API. */
interface Item {
  id: number;
  name: string;
  created_at: string;
}

const itemFields = [
  { name: 'id', type: 'integer' },
  { name: 'name' },
  { name: 'created_at', type: 'date_time' },
] as const;

export default defineConnector({
  title: '{{title}}',
  connection: {
    // Fields are optional unless `optional: false`, as in Workato.
    fields: [
      { name: 'base_url', label: 'Base URL', optional: false, hint: 'e.g. https://api.example.com' },
      { name: 'api_token', label: 'API token', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'api_key',
      apply: ({ connection, request }) =>
        request.headers({ Authorization: `Bearer ${connection.api_token}` }),
    },
  },

  // The connection works when this does not throw.
  test: ({ http }) => http.get('/v1/items', { limit: 1 }),

  actions: {
    get_item: {
      title: 'Get item',
      description: 'Fetches one item by its id.',
      inputFields: [{ name: 'id', type: 'integer', optional: false }],
      outputFields: itemFields,
      execute: async ({ http, input }) => (await http.get<{ item: Item }>(`/v1/items/${input.id}`)).item,
      sampleOutput: { id: 1, name: 'First item', created_at: '2024-01-01T00:00:00Z' },
    },
  },

  triggers: {
    new_item: {
      title: 'New item',
      description: 'Starts once for each item created after the trigger starts (or after `since`).',
      inputFields: [{ name: 'since', type: 'date_time' }],
      outputFields: itemFields,
      // Ascending: the API lists items oldest first; `nextPoll` is the cursor the next poll gets as `closure`.
      poll: async ({ http, input, closure }) => {
        const since = typeof closure === 'string' ? closure : (input.since ?? '1970-01-01T00:00:00Z');
        const { items } = await http.get<{ items: Item[] }>('/v1/items', {
          created_since: since,
          order: 'asc',
          limit: 100,
        });
        return {
          events: items,
          nextPoll: items.at(-1)?.created_at ?? since,
          canPollMore: items.length >= 100,
        };
      },
      dedup: (item) => item.id,
    },
  },
});
