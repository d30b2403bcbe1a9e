/**
 * The client the service commands (`sluice workflows|runs|connections|triggers|login`) talk to a running
 * `sluice serve` with: which service and key ({@link resolveTarget}: flags, then `SLUICE_SERVER` /
 * `SLUICE_KEY`, then the profile of `sluice login`), and one JSON request at a time
 * ({@link ServiceClient}) with the API's error answers (`{"error": {"code", "message", "details"}}`)
 * turned into {@link ServiceError}s that keep the API's code and hint. Node's `fetch`, no dependency.
 *
 * @module
 */
import { SluiceError, type SluiceErrorOptions } from '@sluice/sdk';
import { CliError } from './errors.js';
import { type ProfileEnv, profileFile, readProfile } from './profile.js';

/** Where `sluice serve` listens unless told otherwise. */
export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/**
 * How long one request may take before the command gives up: longer than the 30 s a run start with
 * `?wait=true` may wait on the service.
 */
export const REQUEST_TIMEOUT_MS = 60_000;

/** The exit code of a service command that could not do what it was asked (usage, connection, refusal). */
export const EXIT_ERROR = 2;

/** Where a setting came from, for messages. */
export type SettingSource = '--server' | '--key' | 'SLUICE_SERVER' | 'SLUICE_KEY' | 'profile' | 'default';

/** The service a command talks to, and with which key. */
export interface ServiceTarget {
  /** The base URL, without a trailing `/`. */
  server: string;
  serverFrom: SettingSource;
  key: string;
  /** `--key`, `SLUICE_KEY`, `profile`, or (for `sluice login`) `stdin` or `the prompt`. */
  keyFrom: string;
  /** The profile file read (whether or not it existed). */
  profile: string;
}

/** The flags every service command takes. */
export interface TargetFlags {
  server?: string;
  key?: string;
}

/** The environment variables {@link resolveTarget} reads. */
export interface TargetEnv extends ProfileEnv {
  SLUICE_SERVER?: string | undefined;
  SLUICE_KEY?: string | undefined;
}

/**
 * The base URL `text` names, checked and without a trailing `/`.
 *
 * @throws {CliError} `SLUICE_CLI_SERVER` when it is not an `http(s)://` URL.
 */
export function serverUrl(text: string, from: SettingSource): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('SLUICE_CLI_SERVER', `${from} ${JSON.stringify(text)} is not an http(s) URL`, {
      hint: `give the URL sluice serve prints, e.g. ${DEFAULT_SERVER}`,
    });
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * The service and key of a command: each from its flag, else its variable (`SLUICE_SERVER`,
 * `SLUICE_KEY`), else the profile; the server defaults to {@link DEFAULT_SERVER}. The profile's key is
 * used only with the profile's server, so a key is never sent to a service it was not given for.
 *
 * @throws {CliError} `SLUICE_CLI_LOGIN` when there is no key or the profile is malformed,
 * `SLUICE_CLI_SERVER` for a URL that is not `http(s)`.
 */
export function resolveTarget(flags: TargetFlags, env: TargetEnv): ServiceTarget {
  const profile = profileFile(env);
  const given = (value: string | undefined): value is string => value !== undefined && value !== '';
  const flagServer = given(flags.server) ? ([flags.server, '--server'] as const) : undefined;
  const envServer = given(env.SLUICE_SERVER) ? ([env.SLUICE_SERVER, 'SLUICE_SERVER'] as const) : undefined;
  const flagKey = given(flags.key) ? ([flags.key, '--key'] as const) : undefined;
  const envKey = given(env.SLUICE_KEY) ? ([env.SLUICE_KEY, 'SLUICE_KEY'] as const) : undefined;
  // Read only when a setting is missing: a broken profile does not stop a command given both.
  const saved =
    (flagServer ?? envServer) !== undefined && (flagKey ?? envKey) !== undefined
      ? undefined
      : readProfile(profile);
  const [serverText, serverFrom]: readonly [string, SettingSource] =
    flagServer ??
    envServer ??
    (saved === undefined ? [DEFAULT_SERVER, 'default'] : [saved.server, 'profile']);
  const server = serverUrl(serverText, serverFrom);
  const sameService = saved !== undefined && serverUrl(saved.server, 'profile') === server;
  const [key, keyFrom] = flagKey ?? envKey ?? (sameService ? [saved.key, 'profile'] : [undefined, 'profile']);
  if (key === undefined) {
    const other = saved === undefined ? '' : ` (the profile ${profile} is for ${saved.server})`;
    throw new CliError('SLUICE_CLI_LOGIN', `no API key for ${server}${other}`, {
      hint: `run "sluice login --server ${server}", or give --key or SLUICE_KEY ("sluice keys create" makes a key)`,
    });
  }
  return { server, serverFrom, key, keyFrom, profile };
}

/** The error body the API answers with. */
interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** One problem of an answer's `details.problems` (an invalid workflow, a bad field). */
export interface ServiceProblem {
  path: string;
  message: string;
  line?: number;
}

/** An error answer of the API: its code (`SLUICE_API_NOT_FOUND`, ...), message, hint and HTTP status. */
export class ServiceError extends SluiceError {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** `details.problems` of the answer, if any. */
  readonly problems: readonly ServiceProblem[];
  /** The exit code of the command that got it. */
  readonly exitCode: number = EXIT_ERROR;

  constructor(
    code: string,
    message: string,
    status: number,
    problems: readonly ServiceProblem[],
    options: SluiceErrorOptions = {},
  ) {
    super(code, message, options);
    this.status = status;
    this.problems = problems;
  }
}

/** The problems listed in a message: the first ten, then how many more. */
const PROBLEMS_SHOWN = 10;

/** Turns an error answer into a {@link ServiceError}, rewording a 401 for the command line. */
function answerError(status: number, body: ApiErrorBody, target: ServiceTarget): ServiceError {
  const { code, message, details } = body.error;
  const detail = (details ?? {}) as { hint?: unknown; problems?: unknown };
  const problems = Array.isArray(detail.problems) ? (detail.problems as ServiceProblem[]) : [];
  if (status === 401) {
    return new ServiceError(
      code,
      `${target.server} refused the API key from ${target.keyFrom}: ${message}`,
      status,
      problems,
      {
        hint: `the key is wrong or revoked: run "sluice login --server ${target.server}" with a valid key ("sluice keys create" makes one)`,
      },
    );
  }
  const listed = problems
    .slice(0, PROBLEMS_SHOWN)
    .map((p) => `${p.path}${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`);
  if (problems.length > PROBLEMS_SHOWN) listed.push(`and ${problems.length - PROBLEMS_SHOWN} more`);
  const text = listed.length === 0 ? message : `${message}: ${listed.join('; ')}`;
  const hint = typeof detail.hint === 'string' ? detail.hint : undefined;
  return new ServiceError(code, text, status, problems, hint === undefined ? {} : { hint });
}

/** Options of one request. */
export interface RequestOptions {
  /** A JSON value, or a text with its `contentType`. */
  body?: unknown;
  /** The body's content type when it is a text. @default application/json */
  contentType?: string;
  /** Query parameters; `undefined` ones are left out. */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** More request headers (`X-Sluice-Origin` when starting a run). */
  headers?: Readonly<Record<string, string>>;
}

/** An answer of the API. */
export interface ServiceAnswer<T> {
  status: number;
  body: T;
}

/** Talks to one service with one key. */
export class ServiceClient {
  readonly target: ServiceTarget;

  constructor(target: ServiceTarget) {
    this.target = target;
  }

  /** `GET path`; resolves the answer's JSON. @throws as {@link ServiceClient.request} */
  async get<T>(path: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.request<T>('GET', path, query === undefined ? {} : { query })).body;
  }

  /**
   * Sends one request with the key and resolves its status and JSON (`null` for an empty body).
   *
   * @throws {CliError} `SLUICE_CLI_SERVER` when the service cannot be reached or does not answer JSON.
   * @throws {ServiceError} with the API's code for an error answer (401: the key is wrong or revoked).
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ServiceAnswer<T>> {
    const url = new URL(`${this.target.server}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      ...options.headers,
      authorization: `Bearer ${this.target.key}`,
      accept: 'application/json',
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      const text = typeof options.body === 'string' && options.contentType !== undefined;
      headers['content-type'] = text ? (options.contentType as string) : 'application/json';
      body = text ? (options.body as string) : JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        ...(body === undefined ? {} : { body }),
      });
    } catch (err) {
      throw unreachable(this.target, err);
    }
    const text = await response.text().catch((err: unknown) => {
      throw unreachable(this.target, err);
    });
    let json: unknown = null;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new CliError(
          'SLUICE_CLI_SERVER',
          `${method} ${url.pathname} on ${this.target.server} answered ${response.status} with something that is not JSON`,
          { cause: err, hint: `check that ${this.target.server} is a sluice serve (${from(this.target)})` },
        );
      }
    }
    if (response.status >= 400) {
      const error = (json as Partial<ApiErrorBody> | null)?.error;
      if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
        throw new CliError(
          'SLUICE_CLI_SERVER',
          `${method} ${url.pathname} on ${this.target.server} answered ${response.status} without the API's error shape`,
          { hint: `check that ${this.target.server} is a sluice serve (${from(this.target)})` },
        );
      }
      throw answerError(response.status, json as ApiErrorBody, this.target);
    }
    return { status: response.status, body: json as T };
  }
}

/** `from --server`, `from SLUICE_SERVER`, ... */
function from(target: ServiceTarget): string {
  return target.serverFrom === 'default' ? 'the default server' : `from ${target.serverFrom}`;
}

/** Why the service was not reached, as a {@link CliError} naming its URL. */
function unreachable(target: ServiceTarget, err: unknown): CliError {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const reason =
    (err as Error).name === 'TimeoutError'
      ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ENOTFOUND'
          ? 'no such host'
          : typeof cause?.message === 'string'
            ? cause.message
            : (err as Error).message;
  return new CliError(
    'SLUICE_CLI_SERVER',
    `cannot reach the Sluice service at ${target.server} (${from(target)}): ${reason}`,
    {
      cause: err,
      hint: `start it with "sluice serve", or name the right one with --server, SLUICE_SERVER or "sluice login"`,
    },
  );
}

/** Whether `err` is an error answer of the API, optionally with `code`. */
export function isServiceError(err: unknown, code?: string): err is ServiceError {
  return err instanceof ServiceError && (code === undefined || err.code === code);
}
