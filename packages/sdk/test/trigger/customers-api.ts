/**
 * A tiny customers API for trigger tests, on a real loopback server. Records carry `created_at` and
 * `updated_at` timestamps (ISO strings); listing is by an inclusive cursor, the way many APIs page:
 * - `GET /customers?order=asc&since=<iso>&limit=N&field=created_at`: oldest first, `field >= since`;
 * - `GET /customers?order=desc&before=<iso>&limit=N&field=created_at`: newest first, `field <= before`.
 * Inclusive cursors repeat the records at the boundary timestamp, which is what dedup must absorb.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Customer {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface CustomersApi {
  readonly url: string;
  readonly records: Customer[];
  /** Requests served, as `order since|before`. */
  readonly requests: string[];
  /** Adds a record; `second` is seconds after the base time for both timestamps. */
  add(id: number, second: number): Customer;
  /** Sets `updated_at` to `second`. */
  touch(id: number, second: number): void;
  close(): Promise<void>;
}

const BASE = Date.parse('2024-01-01T00:00:00.000Z');

/** The ISO timestamp `second` seconds after the API's base time. */
export function at(second: number): string {
  return new Date(BASE + second * 1000).toISOString();
}

export async function startCustomersApi(): Promise<CustomersApi> {
  const records: Customer[] = [];
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const field = (url.searchParams.get('field') ?? 'created_at') as 'created_at' | 'updated_at';
    const limit = Number(url.searchParams.get('limit') ?? '100');
    const order = url.searchParams.get('order') ?? 'asc';
    const since = url.searchParams.get('since');
    const before = url.searchParams.get('before');
    requests.push(`${order} ${order === 'asc' ? since : before}`);
    const byField = (a: Customer, b: Customer) => a[field].localeCompare(b[field]) || a.id - b.id;
    let list: Customer[];
    if (order === 'asc') {
      list = records.filter((r) => since === null || r[field] >= since).sort(byField);
    } else {
      list = records.filter((r) => before === null || r[field] <= before).sort((a, b) => byField(b, a));
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ customers: list.slice(0, limit) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    requests,
    add(id, second) {
      const record = { id, name: `Customer ${id}`, created_at: at(second), updated_at: at(second) };
      records.push(record);
      return record;
    },
    touch(id, second) {
      const record = records.find((r) => r.id === id);
      if (record === undefined) throw new Error(`no customer ${id}`);
      record.updated_at = at(second);
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** Lists customers with `fetch`, as a trigger's poll would. */
export async function listCustomers(
  api: CustomersApi,
  params: Record<string, string | number | undefined>,
): Promise<Customer[]> {
  const url = new URL('/customers', api.url);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(key, String(value));
  const response = await fetch(url);
  const body = (await response.json()) as { customers: Customer[] };
  return body.customers;
}
