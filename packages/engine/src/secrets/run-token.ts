/**
 * Run tokens (`USER.token`): a short-lived bearer token the engine's own API accepts, scoped to the
 * workspace of the run's caller, so a step can call `{{ SYSTEM_APIS.credentials }}/<name>` as that
 * caller. `rt_<payload>.<sig>`: the payload is base64url JSON `{ workspace_id, email, role, run_id, exp }`
 * (`exp` in seconds since the epoch), the signature base64url HMAC-SHA256 of `rt_<payload>`.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EngineError } from '../errors.js';
import type { ApiCaller, ApiRole } from '../store/service-store.js';
import { assertSecretKey } from './secret-key.js';

/**
 * How long a token lives: one hour. A token is issued for each execution of the run that reads it (a
 * start, a resume after a restart, a retry or a stored wait), when it first does, so it only has to
 * outlive one execution, and a token copied out of a step stops working soon after.
 */
export const RUN_TOKEN_TTL_MS = 60 * 60 * 1000;

/** The prefix that tells a run token from an API key (`sk_`). */
export const RUN_TOKEN_PREFIX = 'rt_';

/** The caller a run token stands for: the run's caller, and the run. */
export interface RunCaller extends ApiCaller {
  run_id: string;
}

/** Options of {@link RunTokens}. */
export interface RunTokensOptions {
  /** The clock. @default Date.now */
  now?: () => number;
  /** @default {@link RUN_TOKEN_TTL_MS} */
  ttlMs?: number;
}

interface Payload {
  workspace_id: string;
  email: string;
  role: ApiRole;
  run_id: string;
  exp: number;
}

const TOKEN = /^rt_([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{43})$/;

/** Issues and verifies run tokens with one 256-bit key (a sub-key of the service's secret key). */
export class RunTokens {
  readonly #key: Buffer;
  readonly #now: () => number;
  readonly #ttlMs: number;

  /** @throws {EngineError} `SLUICE_SECRET_KEY` when `key` is not 32 bytes. */
  constructor(key: Buffer, options: RunTokensOptions = {}) {
    assertSecretKey(key, 'the run token key');
    this.#key = Buffer.from(key);
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? RUN_TOKEN_TTL_MS;
  }

  /** A token for run `runId` of `caller`, valid for the TTL from now. */
  issue(caller: ApiCaller, runId: string): string {
    const payload: Payload = {
      workspace_id: caller.workspace_id,
      email: caller.email,
      role: caller.role,
      run_id: runId,
      exp: Math.floor((this.#now() + this.#ttlMs) / 1000),
    };
    const body = `${RUN_TOKEN_PREFIX}${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${body}.${this.#sign(body).toString('base64url')}`;
  }

  /**
   * The caller a token stands for. The signature is compared in constant time.
   *
   * @throws {EngineError} `SLUICE_API_UNAUTHORIZED` when it is malformed, not signed with this key, or expired.
   */
  verify(token: string): RunCaller {
    const match = TOKEN.exec(token);
    const given = match === null ? undefined : Buffer.from(match[2] as string, 'base64url');
    const expected = match === null ? undefined : this.#sign(`${RUN_TOKEN_PREFIX}${match[1]}`);
    if (given === undefined || expected === undefined || given.length !== expected.length) throw invalid();
    if (!timingSafeEqual(given, expected)) throw invalid();
    const payload = readPayload(match?.[1] as string);
    if (payload === undefined) throw invalid();
    if (payload.exp * 1000 <= this.#now()) {
      throw new EngineError('SLUICE_API_UNAUTHORIZED', 'the run token has expired', {
        hint: 'a run token (USER.token) lives one hour from when its execution first read it',
      });
    }
    return {
      id: payload.email,
      email: payload.email,
      workspace_id: payload.workspace_id,
      role: payload.role,
      run_id: payload.run_id,
    };
  }

  #sign(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest();
  }
}

function invalid(): EngineError {
  return new EngineError('SLUICE_API_UNAUTHORIZED', 'the run token is not valid', {
    hint: 'send the USER.token of a running run, as it is',
  });
}

function readPayload(text: string): Payload | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Payload>;
    const ok =
      typeof value.workspace_id === 'string' &&
      typeof value.email === 'string' &&
      (value.role === 'admin' || value.role === 'member') &&
      typeof value.run_id === 'string' &&
      typeof value.exp === 'number';
    return ok ? (value as Payload) : undefined;
  } catch {
    return undefined;
  }
}
