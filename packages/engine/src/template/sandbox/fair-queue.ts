/**
 * A queue that serves its tenants in turn: each tenant's items come out in the order they went in, and
 * the tenants take turns, so one tenant's burst waits behind itself, not in front of everyone else.
 *
 * @internal
 * @module
 */
export class FairQueue<T> {
  // A Map iterates in insertion order: the tenant served next is the first key; after its turn it is
  // re-inserted at the end while it still has items.
  readonly #byTenant = new Map<string, T[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(tenant: string, item: T): void {
    const items = this.#byTenant.get(tenant);
    if (items === undefined) this.#byTenant.set(tenant, [item]);
    else items.push(item);
    this.#size++;
  }

  /** The next item, from the tenant whose turn it is. */
  shift(): T | undefined {
    const next = this.#byTenant.entries().next();
    if (next.done) return undefined;
    const [tenant, items] = next.value;
    const item = items.shift() as T;
    this.#byTenant.delete(tenant);
    if (items.length > 0) this.#byTenant.set(tenant, items);
    this.#size--;
    return item;
  }

  /** Removes and returns every item. */
  drain(): T[] {
    const all = [...this.#byTenant.values()].flat();
    this.#byTenant.clear();
    this.#size = 0;
    return all;
  }
}
