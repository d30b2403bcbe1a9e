/**
 * Pure request logic of the my-app API: parsing list queries, listing customers, validating new ones.
 * No I/O here; `api.ts` maps the results to HTTP.
 *
 * @module
 */
import type { Address, Customer } from './customer.js';

/** The largest (and default) page size of `GET /v1/customers.json`. */
export const MAX_LIMIT = 100;

/** A parsed list query. Times are epoch milliseconds. */
export interface ListQuery {
  /** Inclusive lower bound on `created_at`. */
  createdSince: number | undefined;
  /** Exclusive upper bound on `created_at`. */
  createdBefore: number | undefined;
  /** Inclusive lower bound on `updated_at`. */
  updatedSince: number | undefined;
  /** Which timestamp orders the list (ties broken by `id`). */
  sortBy: 'created_at' | 'updated_at';
  order: 'asc' | 'desc';
  limit: number;
  /** Which page of `limit` customers, from 1: page 2 skips the first `limit`. */
  page: number;
}

/** A rejected request: the HTTP status and the error text the API answers with. */
export interface QueryProblem {
  status: 400 | 415 | 422;
  error: string;
}

/** The outcome of parsing: a value, or the problem to answer with. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: QueryProblem };

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function bad(error: string, status: QueryProblem['status'] = 400): { ok: false; problem: QueryProblem } {
  return { ok: false, problem: { status, error } };
}

/** Parses an ISO 8601 date or date-time parameter to epoch milliseconds. */
function parseTime(name: string, raw: string | null): Parsed<number | undefined> {
  if (raw === null || raw === '') return { ok: true, value: undefined };
  const ms = ISO_DATE_TIME.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    return bad(`invalid ${name}: expected an ISO 8601 date-time such as 2017-01-02T12:34:56Z, got "${raw}"`);
  }
  return { ok: true, value: ms };
}

/** Parses the `id` parameter: a positive integer. */
export function parseId(raw: string): Parsed<number> {
  const id = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1)
    return bad(`invalid id: expected a positive integer, got "${raw}"`);
  return { ok: true, value: id };
}

/** Parses the list parameters of `GET /v1/customers.json`. */
export function parseListQuery(params: URLSearchParams): Parsed<ListQuery> {
  const createdSince = parseTime('created_since', params.get('created_since'));
  if (!createdSince.ok) return createdSince;
  const createdBefore = parseTime('created_before', params.get('created_before'));
  if (!createdBefore.ok) return createdBefore;
  const updatedSince = parseTime('updated_since', params.get('updated_since'));
  if (!updatedSince.ok) return updatedSince;

  const order = params.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc')
    return bad(`invalid order: expected "asc" or "desc", got "${order}"`);
  const sortBy = params.get('sort_by') ?? 'created_at';
  if (sortBy !== 'created_at' && sortBy !== 'updated_at') {
    return bad(`invalid sort_by: expected "created_at" or "updated_at", got "${sortBy}"`);
  }
  const rawLimit = params.get('limit');
  const limit = rawLimit === null ? MAX_LIMIT : /^\d+$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return bad(`invalid limit: expected an integer from 1 to ${MAX_LIMIT}, got "${rawLimit}"`);
  }
  const rawPage = params.get('page');
  const page = rawPage === null ? 1 : /^\d+$/.test(rawPage) ? Number(rawPage) : Number.NaN;
  if (!Number.isSafeInteger(page) || page < 1) {
    return bad(`invalid page: expected a positive integer, got "${rawPage}"`);
  }
  return {
    ok: true,
    value: {
      createdSince: createdSince.value,
      createdBefore: createdBefore.value,
      updatedSince: updatedSince.value,
      sortBy,
      order,
      limit,
      page,
    },
  };
}

/** Filters, orders (by the sort timestamp, then `id`) and limits `customers` by `query`. */
export function listCustomers(customers: readonly Customer[], query: ListQuery): Customer[] {
  const keyed: { customer: Customer; key: number }[] = [];
  for (const customer of customers) {
    const created = Date.parse(customer.created_at);
    if (query.createdSince !== undefined && created < query.createdSince) continue;
    if (query.createdBefore !== undefined && created >= query.createdBefore) continue;
    const updated = Date.parse(customer.updated_at);
    if (query.updatedSince !== undefined && updated < query.updatedSince) continue;
    keyed.push({ customer, key: query.sortBy === 'created_at' ? created : updated });
  }
  const sign = query.order === 'asc' ? 1 : -1;
  keyed.sort((a, b) => sign * (a.key - b.key || a.customer.id - b.customer.id));
  const start = (query.page - 1) * query.limit;
  return keyed.slice(start, start + query.limit).map((entry) => entry.customer);
}

/** What `POST /v1/customers.json` accepts in `customer`, validated. */
export interface NewCustomer {
  name: string;
  email: string;
  address: Address;
}

const ADDRESS_KEYS = ['street', 'city', 'state', 'zip', 'country'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(customer: Record<string, unknown>, name: 'name' | 'email'): Parsed<string> {
  const value = customer[name];
  if (value === undefined || value === null || value === '') return bad(`customer.${name} is required`, 422);
  if (typeof value !== 'string') return bad(`customer.${name} must be a string, got ${typeof value}`, 422);
  return { ok: true, value };
}

/** Validates the parsed JSON body of `POST /v1/customers.json`: `{ customer: { name, email, address? } }`. */
export function parseNewCustomer(body: unknown): Parsed<NewCustomer> {
  if (!isRecord(body) || !isRecord(body.customer)) {
    return bad('customer is required: send {"customer": {"name": ..., "email": ...}}', 422);
  }
  const name = requiredString(body.customer, 'name');
  if (!name.ok) return name;
  const email = requiredString(body.customer, 'email');
  if (!email.ok) return email;
  if (!/^[^@\s]+@[^@\s]+$/.test(email.value)) {
    return bad(`customer.email is not an email address: "${email.value}"`, 422);
  }
  const address: Address = { street: '', city: '', state: '', zip: '', country: '' };
  const rawAddress = body.customer.address;
  if (rawAddress !== undefined && rawAddress !== null) {
    if (!isRecord(rawAddress)) return bad('customer.address must be an object', 422);
    for (const key of ADDRESS_KEYS) {
      const part = rawAddress[key];
      if (part === undefined || part === null) continue;
      if (typeof part !== 'string')
        return bad(`customer.address.${key} must be a string, got ${typeof part}`, 422);
      address[key] = part;
    }
  }
  return { ok: true, value: { name: name.value, email: email.value, address } };
}
