/**
 * The API keys domain: keys stored hashed (only the SHA-256 of a key is kept), and who a key makes the
 * caller. `api-key-queries.ts` implements it.
 *
 * @module
 */

/** A user's role in a workspace: admins may also write global workflows. */
export type ApiRole = 'admin' | 'member';

/** Who calls the API (from the API key) or started a run: `USER` of the run, without a token. */
export interface ApiCaller {
  /** The user id: the email. */
  id: string;
  email: string;
  workspace_id: string;
  role: ApiRole;
  /** The id of the API key used (not the key). */
  key_id?: string;
}

/** A stored API key: only the SHA-256 of the key is kept. */
export interface ApiKeyRow {
  id: string;
  /** Hex SHA-256 of the whole key (`sk_...`). */
  key_hash: string;
  workspace_id: string;
  email: string;
  role: ApiRole;
  created_at: string;
  revoked_at: string | null;
}

/** The `api_keys` table. */
export interface ApiKeyStore {
  create(key: ApiKeyRow): Promise<void>;
  /** The key with this hash, unless revoked. */
  find(keyHash: string): Promise<ApiKeyRow | undefined>;
  /** A workspace's keys (or every key), revoked ones too, oldest first. */
  list(workspaceId?: string): Promise<ApiKeyRow[]>;
  /** Revokes key `id`; resolves whether it existed and was live. */
  revoke(id: string, at: string): Promise<boolean>;
}
