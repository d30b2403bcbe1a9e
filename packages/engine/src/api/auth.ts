/**
 * API keys: `sk_<base64url of 32 random bytes>`, shown once; only their SHA-256 is stored. A request
 * authenticates with `Authorization: Bearer <key>`; the key's workspace, email and role become the
 * caller. Keys never reach logs.
 *
 * @module
 */

import { hash, randomBytes } from 'node:crypto';
import { EngineError } from '../errors.js';
import { RUN_TOKEN_PREFIX, type RunCaller, type RunTokens } from '../secrets/run-token.js';
import type { ApiCaller, ApiKeyRow, ApiRole, ServiceStore } from '../store/service-store.js';
import { isFinished } from '../store/store.js';
import type { ApiKeyCache } from './api-key-cache.js';

/** What a new key is for. */
export interface NewApiKey {
  workspace: string;
  email: string;
  /** @default 'member' */
  role?: ApiRole;
  /** The clock. @default Date.now */
  now?: () => number;
}

/** The hex SHA-256 of a key, as stored. */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/**
 * The stored row of API key `key`, or `undefined` when no live key has that value (unknown or revoked).
 *
 * @example
 * if ((await findApiKey(store, saved)) === undefined) ({ key: saved } = await createApiKey(store, ...));
 */
export async function findApiKey(store: ServiceStore, key: string): Promise<ApiKeyRow | undefined> {
  return store.apiKeys.find(hashApiKey(key));
}

/**
 * Creates an API key in `store` and returns it with its stored row. The key itself is not stored:
 * show it once.
 *
 * @example
 * const { key } = await createApiKey(store, { workspace: 'acme', email: 'ann@acme.test', role: 'admin' });
 * @throws {EngineError} `SLUICE_API_BAD_REQUEST` for an empty workspace or an email without `@`.
 */
export async function createApiKey(
  store: ServiceStore,
  init: NewApiKey,
): Promise<{ key: string; row: ApiKeyRow }> {
  if (init.workspace.trim() === '') {
    throw new EngineError('SLUICE_API_BAD_REQUEST', 'the workspace of a key must not be empty');
  }
  if (!/^[^@\s]+@[^@\s]+$/.test(init.email)) {
    throw new EngineError('SLUICE_API_BAD_REQUEST', `${JSON.stringify(init.email)} is not an email address`);
  }
  const role = init.role ?? 'member';
  if (role !== 'admin' && role !== 'member') {
    throw new EngineError(
      'SLUICE_API_BAD_REQUEST',
      `role must be admin or member, not ${JSON.stringify(role)}`,
    );
  }
  const key = `sk_${randomBytes(32).toString('base64url')}`;
  const row: ApiKeyRow = {
    id: `key_${randomBytes(8).toString('hex')}`,
    key_hash: hashApiKey(key),
    workspace_id: init.workspace,
    email: init.email,
    role,
    created_at: new Date((init.now ?? Date.now)()).toISOString(),
    revoked_at: null,
  };
  await store.apiKeys.create(row);
  return { key, row };
}

/**
 * The caller of a request from its `Authorization` header value: an API key's owner, or (with
 * `runTokens`) the caller of the run a run token (`rt_...`, `USER.token`) was issued to, with its `run_id`.
 * A run token opens the API only while its run is unfinished (`pending` or `running`), checked with one
 * read of the run by id.
 *
 * @throws {EngineError} `SLUICE_API_UNAUTHORIZED` when the header is missing, malformed, names no key,
 * or holds a run token that is invalid or expired, or whose run has ended or is not in the store.
 */
export async function authenticate(
  store: ServiceStore,
  header: string | undefined,
  options: { runTokens?: Pick<RunTokens, 'verify'>; keys?: ApiKeyCache } = {},
): Promise<ApiCaller | RunCaller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (match === null) {
    throw new EngineError('SLUICE_API_UNAUTHORIZED', 'missing or malformed Authorization header', {
      hint: 'send Authorization: Bearer <key>; "sluice keys create" makes a key',
    });
  }
  const credential = match[1] as string;
  if (credential.startsWith(RUN_TOKEN_PREFIX) && options.runTokens !== undefined) {
    const caller = options.runTokens.verify(credential);
    await assertRunUnfinished(store, caller);
    return caller;
  }
  const hash = hashApiKey(credential);
  let row = options.keys?.get(hash);
  if (row === undefined) {
    row = await store.apiKeys.find(hash);
    if (row !== undefined) options.keys?.set(hash, row);
  }
  if (row === undefined) {
    throw new EngineError('SLUICE_API_UNAUTHORIZED', 'the API key is not valid', {
      hint: 'check the key, or create one with "sluice keys create"',
    });
  }
  return { id: row.email, email: row.email, workspace_id: row.workspace_id, role: row.role, key_id: row.id };
}

/** A copied token must stop working once its run is over, not only when it expires. */
async function assertRunUnfinished(store: ServiceStore, caller: RunCaller): Promise<void> {
  const run = await store.runs.getRun(caller.run_id);
  if (run === undefined || run.workspace_id !== caller.workspace_id) {
    throw new EngineError('SLUICE_API_UNAUTHORIZED', 'the run of this token is not in the store', {
      hint: 'a run token (USER.token) works only while its run is pending or running',
    });
  }
  if (isFinished(run.status)) {
    throw new EngineError('SLUICE_API_UNAUTHORIZED', 'the run of this token has ended', {
      hint: `run ${run.id} is ${run.status}; a run token (USER.token) works only while its run is pending or running`,
    });
  }
}
