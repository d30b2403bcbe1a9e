/**
 * API keys the API has just found, by hash, for a short time: every request authenticates, and the
 * lookup was one read per request. Only keys that were found are kept (a key created a moment ago
 * works at once); a key revoked meanwhile (`sluice keys revoke` writes the store directly) is refused
 * once its entry is older than the time to live. See docs/service.md, "API keys".
 *
 * @internal
 * @module
 */
import type { ApiKeyRow } from '../store/service-store.js';

/** Keys kept at once; the oldest found is dropped first. */
const KEYS_KEPT = 10_000;

/** Found keys by hash, each for `ttlMs` after it was read. */
export class ApiKeyCache {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, { row: ApiKeyRow; until: number }>();

  constructor(ttlMs: number, now: () => number) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The key of `hash`, if it was found less than the time to live ago. */
  get(hash: string): ApiKeyRow | undefined {
    const entry = this.#keys.get(hash);
    if (entry === undefined) return undefined;
    if (this.#now() < entry.until) return entry.row;
    this.#keys.delete(hash);
    return undefined;
  }

  /** Keeps a key just found. */
  set(hash: string, row: ApiKeyRow): void {
    if (this.#ttlMs <= 0) return;
    this.#keys.delete(hash);
    if (this.#keys.size >= KEYS_KEPT) this.#keys.delete(this.#keys.keys().next().value as string);
    this.#keys.set(hash, { row, until: this.#now() + this.#ttlMs });
  }
}
