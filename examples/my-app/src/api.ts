/**
 * A mock of the "my-app" customers API from the Workato connector docs, on plain `node:http`.
 *
 * - `GET /v1/customers.json?api_token=...&id=N` answers `{"customer": {...}}` (404 when unknown).
 * - `GET /v1/customers.json?api_token=...` lists `{"customers": [...]}`, filtered by `created_since`
 *   (inclusive), `created_before` (exclusive) and `updated_since` (inclusive), ordered by `order=asc|desc`
 *   on (`sort_by` = `created_at` | `updated_at`, `id`), at most `limit` (1 to 100, default 100).
 * - `POST /v1/customers.json?api_token=...` with `{"customer": {"name", "email", "address"?}}` creates one (201).
 *
 * A missing or wrong `api_token` is a 401 `{"error": "invalid api_token"}`; bad parameters are a 400 and
 * invalid customers a 422, each with an `error` naming the parameter or field.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Address, type Customer, formatTimestamp, seedCustomers } from './customer.js';
import { listCustomers, parseId, parseListQuery, parseNewCustomer } from './customer-query.js';

/** The token the API accepts unless told otherwise. */
export const DEFAULT_API_TOKEN = 'my-app-secret-token';
/** The path of the customers resource. */
export const CUSTOMERS_PATH = '/v1/customers.json';
/** The largest request body `POST` accepts, in bytes. */
const MAX_BODY_BYTES = 1_000_000;

/** Options of {@link startMyAppApi}. */
export interface MyAppApiOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** `0` picks a free port. @default 0 */
  port?: number;
  /** The only `api_token` accepted. @default 'my-app-secret-token' */
  apiToken?: string;
  /** The initial customers (copied). When given, `seedCount` is ignored. */
  customers?: readonly Customer[];
  /** How many deterministic customers to seed (see `seedCustomers`). @default 25 */
  seedCount?: number;
  /** The clock for `created_at`/`updated_at` of new and updated customers. @default () => new Date() */
  now?: () => Date;
}

/** A customer to add: every field optional; defaults are filled in. */
export type CustomerDraft = Partial<Omit<Customer, 'id' | 'address'>> & { address?: Partial<Address> };

/** A running mock API. */
export interface MyAppApi {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The current customers, in creation order (live: reflects later changes). */
  readonly customers: readonly Customer[];
  /** Requests answered so far. */
  readonly requestCount: number;
  /** Adds a customer (next id; `created_at`/`updated_at` from the clock unless given) and returns it. */
  addCustomer(draft?: CustomerDraft): Customer;
  /**
   * Changes a customer (`updated_at` from the clock unless given) and returns the new record.
   * @throws {RangeError} when no customer has that id.
   */
  updateCustomer(id: number, patch: Omit<CustomerDraft, 'created_at'>): Customer;
  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, `expected Content-Type: application/json, got "${type}"`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpProblem(400, `invalid JSON body: ${(err as Error).message}`);
  }
}

/**
 * Starts the mock API and resolves once it listens.
 *
 * @example
 * const api = await startMyAppApi({ seedCount: 250 });
 * const res = await fetch(`${api.url}/v1/customers.json?api_token=my-app-secret-token&id=1`);
 * await api.close();
 */
export async function startMyAppApi(options: MyAppApiOptions = {}): Promise<MyAppApi> {
  const apiToken = options.apiToken ?? DEFAULT_API_TOKEN;
  const now = options.now ?? (() => new Date());
  const customers: Customer[] = options.customers
    ? options.customers.map((c) => ({ ...c, address: { ...c.address } }))
    : seedCustomers(options.seedCount ?? 25);
  // Keyed by number: a test may seed an id typed as a string to see the connector coerce it.
  const byId = new Map(customers.map((c) => [Number(c.id), c]));
  let nextId = customers.reduce((max, c) => Math.max(max, Number(c.id)), 0) + 1;
  let requestCount = 0;

  function addCustomer(draft: CustomerDraft = {}): Customer {
    const id = nextId++;
    const createdAt = draft.created_at ?? formatTimestamp(now());
    const customer: Customer = {
      id,
      name: draft.name ?? `Customer ${id}`,
      email: draft.email ?? `customer.${id}@example.com`,
      address: { street: '', city: '', state: '', zip: '', country: '', ...draft.address },
      created_at: createdAt,
      updated_at: draft.updated_at ?? createdAt,
    };
    customers.push(customer);
    byId.set(id, customer);
    return customer;
  }

  function updateCustomer(id: number, patch: Omit<CustomerDraft, 'created_at'>): Customer {
    const current = byId.get(id);
    if (current === undefined) throw new RangeError(`updateCustomer: customer not found: ${id}`);
    const updated: Customer = {
      ...current,
      ...patch,
      id,
      address: { ...current.address, ...patch.address },
      updated_at: patch.updated_at ?? formatTimestamp(now()),
    };
    customers[customers.indexOf(current)] = updated;
    byId.set(id, updated);
    return updated;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://my-app.invalid');
    if (url.pathname !== CUSTOMERS_PATH) {
      send(res, 404, { error: `not found: ${req.method} ${url.pathname}` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      send(res, 405, { error: `method not allowed: ${req.method}` }, { allow: 'GET, POST' });
      return;
    }
    if (url.searchParams.get('api_token') !== apiToken) {
      send(res, 401, { error: 'invalid api_token' });
      return;
    }
    if (req.method === 'POST') {
      const parsed = parseNewCustomer(await readJsonBody(req));
      if (!parsed.ok) send(res, parsed.problem.status, { error: parsed.problem.error });
      else send(res, 201, { customer: addCustomer(parsed.value) });
      return;
    }
    const rawId = url.searchParams.get('id');
    if (rawId !== null) {
      const id = parseId(rawId);
      if (!id.ok) send(res, id.problem.status, { error: id.problem.error });
      else {
        const customer = byId.get(id.value);
        if (customer === undefined) send(res, 404, { error: `customer not found: ${id.value}` });
        else send(res, 200, { customer });
      }
      return;
    }
    const query = parseListQuery(url.searchParams);
    if (!query.ok) send(res, query.problem.status, { error: query.problem.error });
    else send(res, 200, { customers: listCustomers(customers, query.value) });
  }

  const server = createServer((req, res) => {
    requestCount += 1;
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpProblem ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent)
        send(res, status, { error: status === 500 ? `internal error: ${message}` : message });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get customers() {
      return customers;
    },
    get requestCount() {
      return requestCount;
    },
    addCustomer,
    updateCustomer,
    close,
    [Symbol.asyncDispose]: close,
  };
}
