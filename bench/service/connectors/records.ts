/**
 * The connector of `bench/service`'s poll part: an ascending trigger over the slow API's `/records`,
 * 100 records a poll, the last id as the cursor.
 *
 * @module
 */
import { defineConnector } from '@sluice/sdk';

interface BenchRecord {
  id: number;
  name: string;
}

export default defineConnector({
  title: 'Bench records',
  connection: {
    fields: [{ name: 'base_url', optional: false }],
    baseUri: ({ connection }) => String(connection.base_url),
  },
  test: ({ http }) => http.get('/records', { after: 0, limit: 1 }),
  triggers: {
    new_record: {
      title: 'New record',
      poll: async ({ closure, http }) => {
        const after = typeof closure === 'number' ? closure : 0;
        const { records } = await http.get<{ records: BenchRecord[] }>('/records', { after, limit: 100 });
        const last = records.at(-1);
        return {
          events: records,
          nextPoll: last === undefined ? after : last.id,
          canPollMore: records.length === 100,
        };
      },
      dedup: (record) => String(record.id),
    },
  },
});
