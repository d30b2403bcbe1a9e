/**
 * A workspace's settings (issue 15): the defaults, the checks of a change, and a short-lived cache for
 * the runs that read them. A workspace without a row in `workspace_settings` has the defaults.
 *
 * - `attempt_retention_days`: how long the HTTP exchanges of attempts are kept (request and response,
 *   `GET /v1/runs/{id}/attempts`); 0: they are not recorded at all. `run/attempt-pruning.ts` clears
 *   the older ones.
 *
 * @internal
 * @module
 */
import { EngineError } from '../errors.js';
import type { SettingsStore, WorkspaceSettingsRow } from '../store/service-store.js';

/** What a workspace can change (`GET`/`PUT /v1/settings`). */
export interface WorkspaceSettingsValues {
  /** Days the attempts' HTTP exchanges are kept; 0: not recorded. @default 7 */
  attempt_retention_days: number;
}

/** The settings of a workspace as the API answers them. */
export interface WorkspaceSettingsView extends WorkspaceSettingsValues {
  workspace_id: string;
  /** When they were last changed, and by whom; `null` while the workspace has the defaults. */
  updated_at: string | null;
  updated_by: string | null;
}

/** The defaults of {@link WorkspaceSettingsValues}. */
export const WORKSPACE_SETTINGS_DEFAULTS: Readonly<WorkspaceSettingsValues> = Object.freeze({
  attempt_retention_days: 7,
});

/** The longest retention a workspace may set, in days. */
export const MAX_RETENTION_DAYS = 365;

/** How long {@link WorkspaceSettings} keeps a workspace's settings for runs, in ms. */
export const SETTINGS_CACHE_MS = 5000;

/** Workspaces whose settings are kept at once (the oldest read is dropped first). */
const KEPT = 1000;

/** Options of {@link WorkspaceSettings}. */
export interface WorkspaceSettingsOptions {
  store: { readonly settings: SettingsStore };
  now: () => number;
  /** How long a read is kept for runs; changes through this object drop it at once. @default 5000 */
  cacheMs?: number | undefined;
}

/** Reads and changes workspace settings; keeps reads a few seconds for the runs. */
export class WorkspaceSettings {
  readonly #o: WorkspaceSettingsOptions;
  readonly #cache = new Map<string, { values: Promise<WorkspaceSettingsView>; until: number }>();

  constructor(options: WorkspaceSettingsOptions) {
    this.#o = options;
  }

  /** The settings of `workspaceId` (the defaults when it changed none), read now. */
  async get(workspaceId: string): Promise<WorkspaceSettingsView> {
    return viewOf(workspaceId, await this.#o.store.settings.get(workspaceId));
  }

  /**
   * Changes the settings of `workspaceId` (the fields of `change` only), recorded as changed by `by`.
   *
   * @throws {EngineError} `SLUICE_API_BAD_REQUEST` naming the field when a value is not accepted.
   */
  async update(
    workspaceId: string,
    change: Record<string, unknown>,
    by: string,
  ): Promise<WorkspaceSettingsView> {
    checkChange(change);
    const current = await this.get(workspaceId);
    const row: WorkspaceSettingsRow = {
      workspace_id: workspaceId,
      attempt_retention_days:
        (change.attempt_retention_days as number | undefined) ?? current.attempt_retention_days,
      updated_at: new Date(this.#o.now()).toISOString(),
      updated_by: by,
    };
    await this.#o.store.settings.put(row);
    this.#cache.delete(workspaceId);
    return viewOf(workspaceId, row);
  }

  /**
   * Whether runs of `workspaceId` record their attempts' exchanges (retention above 0). Kept for
   * `cacheMs`, so a run costs no read: a change made through another process applies within that time.
   */
  async keepsExchanges(workspaceId: string): Promise<boolean> {
    const ttl = this.#o.cacheMs ?? SETTINGS_CACHE_MS;
    const now = this.#o.now();
    const cached = this.#cache.get(workspaceId);
    if (cached !== undefined && now < cached.until) return (await cached.values).attempt_retention_days > 0;
    const values = this.get(workspaceId);
    if (ttl > 0) {
      if (this.#cache.size >= KEPT) this.#cache.delete(this.#cache.keys().next().value as string);
      const entry = { values, until: now + ttl };
      this.#cache.set(workspaceId, entry);
      // A failed read is not kept: the next run reads again.
      values.catch(() => {
        if (this.#cache.get(workspaceId) === entry) this.#cache.delete(workspaceId);
      });
    }
    return (await values).attempt_retention_days > 0;
  }
}

function viewOf(workspaceId: string, row: WorkspaceSettingsRow | undefined): WorkspaceSettingsView {
  return {
    workspace_id: workspaceId,
    attempt_retention_days: row?.attempt_retention_days ?? WORKSPACE_SETTINGS_DEFAULTS.attempt_retention_days,
    updated_at: row?.updated_at ?? null,
    updated_by: row?.updated_by ?? null,
  };
}

/** Refuses a change naming the field: an unknown field, or a value out of range. */
function checkChange(change: Record<string, unknown>): void {
  for (const key of Object.keys(change)) {
    if (key !== 'attempt_retention_days') {
      throw badSetting(key, 'is not a workspace setting', 'the settings are: attempt_retention_days');
    }
  }
  const days = change.attempt_retention_days;
  if (
    days !== undefined &&
    (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_RETENTION_DAYS)
  ) {
    throw badSetting(
      'attempt_retention_days',
      `must be a whole number of days from 0 to ${MAX_RETENTION_DAYS} (got ${JSON.stringify(days) ?? String(days)})`,
      '0 records no request and response; the default is 7',
    );
  }
}

function badSetting(field: string, problem: string, hint: string): EngineError {
  const err = new EngineError('SLUICE_API_BAD_REQUEST', `${field} ${problem}`, { hint });
  return Object.assign(err, { details: { problems: [{ path: `body.${field}`, message: problem }], hint } });
}
