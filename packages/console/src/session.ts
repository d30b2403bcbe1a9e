/**
 * Who is signed in: the key lives in session storage (gone when the tab closes), and `GET /v1/me`
 * says whose it is. Admin-only buttons read {@link canWrite}; the API refuses them anyway.
 */

import type { MeView, WorkflowView } from '@sluice/engine/api-types';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, api, storedKey, storeKey } from './api.js';

export const SessionContext = createContext<{ me: MeView; signOut: () => void } | null>(null);

/** The signed-in caller (pages below the shell always have one). */
export function useMe(): MeView {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useMe outside a signed-in page');
  return session.me;
}

/**
 * Checks `key` with `GET /v1/me` and keeps it. Resolves the caller; a refused key rejects with a message
 * saying so plainly.
 */
export async function signIn(key: string): Promise<MeView> {
  const trimmed = key.trim();
  if (trimmed === '') throw new ApiError(400, 'CONSOLE', 'paste an API key (sluice keys create prints one)');
  try {
    const me = await api<MeView>('GET', '/v1/me', undefined, { key: trimmed });
    storeKey(trimmed);
    rememberMe(me);
    return me;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      throw new ApiError(
        401,
        err.code,
        'This key was not accepted: it is unknown or revoked. Check it was copied whole (it starts with sk_).',
      );
    }
    throw err;
  }
}

const ME = 'sluice.me';

/**
 * Who the kept key belongs to, as `GET /v1/me` last said (not a secret). A reload renders the page at
 * once with it, instead of waiting for `/v1/me` before the page's own reads; the app checks again beside them.
 */
export function rememberedMe(): MeView | undefined {
  if (storedKey() === null) return undefined;
  try {
    const me = JSON.parse(sessionStorage.getItem(ME) ?? 'null') as MeView | null;
    return me !== null && typeof me.workspace_id === 'string' ? me : undefined;
  } catch {
    return undefined;
  }
}

export function rememberMe(me: MeView | null): void {
  if (me === null) sessionStorage.removeItem(ME);
  else sessionStorage.setItem(ME, JSON.stringify(me));
}

/** Whether `me` may publish, delete, and switch the trigger of `workflow` (the API's write rule). */
export function canWrite(me: MeView, workflow: Pick<WorkflowView, 'workspace_id' | 'scope'>): boolean {
  if (me.kind !== 'key' || workflow.workspace_id !== me.workspace_id) return false;
  return workflow.scope !== 'global' || me.role === 'admin';
}
