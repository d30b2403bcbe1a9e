/**
 * The connections domain: a connector's connection values per workspace and name, sealed by the vault
 * before they reach the store, so nothing here holds a secret in clear. `connection-queries.ts`
 * implements it.
 *
 * @module
 */

/** A stored connection: a connector's connection values for one workspace, encrypted at rest. */
export interface ConnectionRow {
  workspace_id: string;
  /** Unique within the workspace; steps and poll triggers name it (`connection: <name>`). */
  name: string;
  /** The connector's name, as the service registered it. */
  connector: string;
  /** The values as the vault sealed them (AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>`, base64url). */
  sealed_values: string;
  /** The email of who stored it last. */
  user_id: string;
  created_at: string;
  updated_at: string;
}

/** The `connections` table. */
export interface ConnectionStore {
  /** Inserts or replaces the connection (`created_at` kept on replace); resolves whether it was new. */
  save(row: ConnectionRow): Promise<boolean>;
  get(workspaceId: string, name: string): Promise<ConnectionRow | undefined>;
  /** By name. */
  list(workspaceId: string): Promise<ConnectionRow[]>;
  /** Resolves whether it existed. */
  delete(workspaceId: string, name: string): Promise<boolean>;
}
