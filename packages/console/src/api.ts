/**
 * The console's only way to the service: `fetch` on the same origin with the signed-in key. Errors come
 * back as the API's `{ error: { code, message, details } }`, thrown as {@link ApiError}; a 401 signs
 * the user out (the key was revoked, or the session was opened with another service).
 */
import type { WorkflowProblem } from '@sluice/engine/api-types';

const KEY = 'sluice.key';

/** An answer that was not 2xx, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The problems a workflow document was refused for, each with its path and line. */
  get problems(): WorkflowProblem[] {
    const problems = (this.details as { problems?: unknown } | null)?.problems;
    return Array.isArray(problems) ? (problems as WorkflowProblem[]) : [];
  }

  /** The hint the API gave, if any. */
  get hint(): string | undefined {
    const hint = (this.details as { hint?: unknown } | null)?.hint;
    return typeof hint === 'string' ? hint : undefined;
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}

/** Called on every 401 (set by the session). */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  /** Send `body` as YAML text instead of JSON. */
  yaml?: boolean;
  /** The key to use instead of the signed-in one (sign-in checks a key before keeping it). */
  key?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Calls the API and resolves its JSON answer (`undefined` for 204). */
export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const key = options.key ?? storedKey();
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = options.yaml === true ? 'application/yaml' : 'application/json';
    payload = options.yaml === true ? String(body) : JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: payload, signal: options.signal ?? null });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'the service did not answer: is sluice serve running?');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok) return json as T;
  const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
    ?.error;
  if (response.status === 401 && options.key === undefined) onUnauthorized();
  throw new ApiError(
    response.status,
    error?.code ?? `HTTP_${response.status}`,
    error?.message ?? `${method} ${path} answered ${response.status}`,
    error?.details ?? null,
  );
}

/** The header that tells the service a run was started from the console (`runs.origin`: `console`). */
export const CONSOLE_ORIGIN: Readonly<Record<string, string>> = Object.freeze({
  'x-sluice-origin': 'console',
});

/** Starts a run of workflow `uid` with `input` (none when `undefined`), as the console; resolves the run. */
export function startRun<T>(uid: string, input: unknown): Promise<T> {
  const body = input === undefined ? {} : { input };
  return api<T>('POST', `/v1/workflows/${encodeURIComponent(uid)}/runs`, body, {
    headers: { ...CONSOLE_ORIGIN },
  });
}

/** `path?query` with the defined values of `query` only. */
export function withQuery(path: string, query: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}
