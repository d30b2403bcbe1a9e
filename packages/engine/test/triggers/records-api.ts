/**
 * A loopback API of records for the poll trigger tests, and a connector over it. Records get ids 1,
 * 2, 3... and a `created_at` one second apart; tests add records between poll cycles.
 *
 * - `GET /me`: 200 with `Authorization: Bearer good-token`, else 401 (the connection test);
 * - `GET /records?after=<id>&limit=<n>`: records with a greater id, oldest first (ascending trigger);
 * - `GET /records/newest?page=<n>&size=<k>`: page n of the records newest first, `more` when older
 *   ones remain (paging_desc trigger).
 * Record routes need the token too, and answer 500 while `failing` is set.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Connector, defineConnector } from '@sluice/sdk';

/** The token the API accepts. */
export const GOOD_TOKEN = 'good-token-0123456789';

/** One record. */
export interface ApiRecord {
  id: number;
  name: string;
  created_at: string;
}

/** A running records API. */
export interface RecordsApi {
  readonly url: string;
  readonly records: ApiRecord[];
  /** Adds `n` records; resolves their ids. */
  add(n: number): number[];
  /** While true, record routes answer 500. */
  failing: boolean;
  /** How long record routes take to answer, in ms. @default 0 */
  delayMs: number;
  /** Record requests being answered right now. */
  readonly inFlight: number;
  /** Record requests seen (paths with queries). */
  readonly seen: string[];
  close(): Promise<void>;
}

const EPOCH = Date.parse('2024-01-01T00:00:00Z');

/** Starts the API on 127.0.0.1, port 0. */
export async function startRecordsApi(): Promise<RecordsApi> {
  const records: ApiRecord[] = [];
  const seen: string[] = [];
  const api = {
    records,
    seen,
    failing: false,
    delayMs: 0,
    inFlight: 0,
    add(n: number): number[] {
      const ids: number[] = [];
      for (let i = 0; i < n; i += 1) {
        const id = records.length + 1;
        records.push({ id, name: `record ${id}`, created_at: new Date(EPOCH + id * 1000).toISOString() });
        ids.push(id);
      }
      return ids;
    },
  } as RecordsApi & { url: string; close(): Promise<void> };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${GOOD_TOKEN}`) return json(401, { error: 'bad token' });
    if (url.pathname === '/me') return json(200, { ok: true });
    seen.push(`${url.pathname}${url.search}`);
    if (api.failing) return json(500, { error: 'the records API is down' });
    // The answer is computed when it is sent, so records added meanwhile are in it.
    if (api.delayMs > 0) {
      (api as { inFlight: number }).inFlight += 1;
      setTimeout(() => {
        (api as { inFlight: number }).inFlight -= 1;
        if (!res.destroyed) answer(url, json);
      }, api.delayMs).unref();
      return;
    }
    answer(url, json);
  });
  const answer = (url: URL, json: (status: number, body: unknown) => void) => {
    if (url.pathname === '/records') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      return json(200, { records: records.filter((r) => r.id > after).slice(0, limit) });
    }
    if (url.pathname === '/records/newest') {
      const page = Number(url.searchParams.get('page') ?? 0);
      const size = Number(url.searchParams.get('size') ?? 3);
      const newest = [...records].reverse();
      const slice = newest.slice(page * size, page * size + size);
      return json(200, { records: slice, more: newest.length > (page + 1) * size });
    }
    json(404, { error: 'no route' });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}

/** The page size of the ascending trigger: more records than this take several polls in one cycle. */
export const ASCENDING_PAGE = 4;

/** A connector over the records API: `new_records` (ascending) and `newest_records` (paging_desc). */
export function recordsConnector(): Connector {
  return defineConnector({
    title: 'Records',
    connection: {
      fields: [
        { name: 'base_url', optional: false },
        { name: 'api_token', controlType: 'password', optional: false },
      ],
      baseUri: ({ connection }) => String(connection.base_url),
      authorization: {
        type: 'api_key',
        apply: ({ connection, request }) =>
          request.headers({ authorization: `Bearer ${String(connection.api_token)}` }),
      },
    },
    test: ({ http }) => http.get('/me'),
    triggers: {
      new_records: {
        poll: async ({ http, closure }) => {
          const after = typeof closure === 'number' ? closure : 0;
          const { records } = await http.get<{ records: ApiRecord[] }>('/records', {
            after,
            limit: ASCENDING_PAGE,
          });
          return {
            events: records,
            nextPoll: records.at(-1)?.id ?? after,
            canPollMore: records.length === ASCENDING_PAGE,
          };
        },
      },
      newest_records: {
        type: 'paging_desc',
        poll: async ({ http, closure }) => {
          const page = typeof closure === 'number' ? closure : 0;
          const body = await http.get<{ records: ApiRecord[]; more: boolean }>('/records/newest', {
            page,
            size: 3,
          });
          return { events: body.records, ...(body.more ? { nextPage: page + 1 } : {}) };
        },
        sortBy: (record) => String(record.created_at),
      },
    },
  });
}
