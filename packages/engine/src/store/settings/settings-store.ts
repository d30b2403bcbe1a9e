/**
 * The settings domain (`workspace_settings`, migration 0007, issue 15): what a workspace changed of the
 * defaults, one row per workspace that changed any. `settings-queries.ts` implements it; the defaults
 * and the checks of a change are the engine's (`run/workspace-settings.ts`).
 *
 * @module
 */

/** A workspace's settings row. */
export interface WorkspaceSettingsRow {
  workspace_id: string;
  /** Days the attempts' HTTP exchanges are kept; 0: they are not recorded. */
  attempt_retention_days: number;
  /** When they were changed last (ISO). */
  updated_at: string;
  /** The email of who changed them last. */
  updated_by: string;
}

/** The `workspace_settings` table. */
export interface SettingsStore {
  /** Workspace `workspaceId`'s row; `undefined` when it changed nothing (it has the defaults). */
  get(workspaceId: string): Promise<WorkspaceSettingsRow | undefined>;
  /** Inserts the row, or replaces the row of its workspace. */
  put(row: WorkspaceSettingsRow): Promise<void>;
  /** Every row, by workspace. */
  list(): Promise<WorkspaceSettingsRow[]>;
}
