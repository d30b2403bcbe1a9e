/**
 * Differential test: every case of `cases.ts` is sent by real urllib3 (Debian's `python3-urllib3`,
 * through `send_urllib3.py`: `PoolManager().urlopen(..., retries=Retry(**retry))`) and by Sluice's retry
 * loop (`sendWithRetry` with `RetryPolicy.from(retry)`, as the engine's `stepRetryPolicy` builds it from a
 * Mason `retry:` block) against the same scripted loopback servers. Compared: what the servers saw
 * (method, path, selected headers, body, in order), the outcome (status and body, or the error class and
 * MaxRetryError reason), the waits (urllib3's sleeps are recorded, not slept) and the number of attempts.
 * A known difference is in `KNOWN` (per urllib3 major version, with both sides' values and the reason,
 * also in docs/retries.md and docs/fidelity.md); any other fails, and so does a known one that changed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  HttpTransportError,
  isSluiceError,
  MaxRetryError,
  RETRY_DEFAULTS,
  type RetryOptions,
  RetryPolicy,
} from '@sluice/sdk';
import { createUndiciTransport, type HttpTransport, sendWithRetry } from '@sluice/sdk/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, NOW, type RetryCase } from './cases.js';
import { type EngineObserved, startEngineRunner } from './engine-runner.js';
import { KNOWN, type Observed } from './known-differences.js';
import { type ScriptedServers, startScriptedServers } from './scripted-server.js';

const HELPER = fileURLToPath(new URL('./send_urllib3.py', import.meta.url));
const MISSING =
  'python3 with urllib3 is missing: install Debian python3-urllib3 (.ci/run does), or set SLUICE_PYTHON3';

interface Interpreter {
  python: string;
  version: string;
}

interface Report {
  version: string;
  python: string;
  defaults: Record<string, unknown>;
  results: (Record<string, unknown> & { sleeps: number[]; attempts: number })[];
}

/** Every python3 that imports urllib3 ($SLUICE_PYTHON3, Debian's, the one on PATH), one per urllib3 version. */
function findInterpreters(): Interpreter[] {
  const found = new Map<string, Interpreter>();
  for (const python of [process.env.SLUICE_PYTHON3, '/usr/bin/python3', 'python3']) {
    if (python === undefined) continue;
    const run = spawnSync(python, ['-c', 'import urllib3; print(urllib3.__version__)'], { encoding: 'utf8' });
    const version = run.status === 0 ? run.stdout.trim() : '';
    if (version !== '' && !found.has(version)) found.set(version, { python, version });
  }
  return [...found.values()];
}

/** Runs the helper without blocking: the scripted servers live in this process. */
function runUrllib3(python: string, input: unknown): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [HELPER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as Report);
      else reject(new Error(`send_urllib3.py failed (${code}): ${stderr}`));
    });
    child.stdin.end(JSON.stringify(input));
  });
}

const interpreters = findInterpreters();

let servers: ScriptedServers;
const transport = createUndiciTransport();
beforeAll(async () => {
  servers = await startScriptedServers();
});
afterAll(async () => {
  await transport.close?.();
  await servers?.close();
});

const urlOf = (prefix: string, path: string) =>
  path.startsWith('closed:')
    ? `${servers.origins.closed}${prefix}${path.slice('closed:'.length)}`
    : `${servers.origins.main}${prefix}${path}`;

/** Sends one case through Sluice's retry loop, recording its waits instead of sleeping. */
async function sendSluice(prefix: string, c: RetryCase): Promise<Observed & { lastStatus?: number }> {
  const sleeps: number[] = [];
  let attempts = 0;
  const counting: HttpTransport = {
    send: (request, options) => {
      attempts += 1;
      return transport.send(request, options);
    },
  };
  const request = {
    method: c.method,
    url: urlOf(prefix, c.path),
    headers: { ...c.headers },
    ...(c.body === undefined ? {} : { body: c.body }),
  };
  const timeoutMs = (c.timeout ?? 10) * 1000;
  let outcome: Observed['outcome'];
  let lastStatus: number | undefined;
  try {
    const result = await sendWithRetry(request, RetryPolicy.from(c.retry as RetryOptions, 'retry'), {
      transport: counting,
      now: () => NOW * 1000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      connectTimeoutMs: timeoutMs,
      readTimeoutMs: timeoutMs,
    });
    outcome = { status: result.response.status, body: Buffer.from(result.response.body).toString() };
  } catch (error) {
    outcome = asUrllib3Error(error);
    if (error instanceof MaxRetryError) lastStatus = error.lastStatus;
  }
  return {
    outcome,
    sleeps,
    attempts,
    seen: servers.seen(prefix),
    ...(lastStatus === undefined ? {} : { lastStatus }),
  };
}

describe("the engine's http step", () => {
  it('sends every case as sendWithRetry does, and ends the step as docs/fidelity.md says', async () => {
    const engine = await startEngineRunner(transport);
    try {
      const mismatches: Record<string, unknown> = {};
      for (const [i, [name, c]] of Object.entries(CASES).entries()) {
        servers.script(`/en${i}`, c.scripts);
        servers.script(`/sd${i}`, c.scripts);
        const ran = await engine.run(c, urlOf(`/en${i}`, c.path), NOW);
        const engineSide = {
          seen: servers.seen(`/en${i}`),
          sleeps: ran.sleeps,
          attempts: ran.attempts,
          step: ran.step,
        };
        const sdk = await sendSluice(`/sd${i}`, c);
        const expected = {
          seen: sdk.seen,
          sleeps: sdk.sleeps,
          attempts: sdk.attempts,
          step: stepEnd(c, sdk),
        };
        if (!isDeepStrictEqual(engineSide, expected)) {
          mismatches[name] = { engine: engineSide, sdk: expected };
        }
      }
      expect(mismatches).toEqual({});
    } finally {
      await engine.close();
    }
  }, 120_000);
});

describe.skipIf(interpreters.length === 0 && !process.env.CI)('retries against real urllib3', () => {
  if (interpreters.length === 0) {
    it('sends every case as urllib3 does', () => {
      throw new Error(MISSING);
    });
  }

  for (const { python, version } of interpreters) {
    const major = version.split('.')[0] as '1' | '2';

    it(`sends every case as urllib3 ${version} does, apart from the known differences`, async () => {
      const names = Object.keys(CASES);
      const prefix = (side: string, i: number) => `/${side}${version.replace(/\./g, '_')}c${i}`;
      for (const [i, name] of names.entries()) {
        servers.script(prefix('py', i), (CASES[name] as RetryCase).scripts);
        servers.script(prefix('ts', i), (CASES[name] as RetryCase).scripts);
      }
      const report = await runUrllib3(python, {
        now: NOW,
        cases: names.map((name, i) => {
          const c = CASES[name] as RetryCase;
          return { ...c, url: urlOf(prefix('py', i), c.path), timeout: c.timeout ?? 10 };
        }),
      });
      const differences: Record<
        string,
        Partial<Record<keyof Observed, { urllib3: unknown; sluice: unknown }>>
      > = {};
      for (const [i, name] of names.entries()) {
        const answer = report.results[i] as Report['results'][number];
        const urllib3: Observed = {
          outcome: answerOutcome(answer),
          seen: servers.seen(prefix('py', i)),
          sleeps: answer.sleeps.map((seconds) => Math.round(seconds * 1000)),
          attempts: answer.attempts,
        };
        const sluice = await sendSluice(prefix('ts', i), CASES[name] as RetryCase);
        for (const field of ['outcome', 'seen', 'sleeps', 'attempts'] as const) {
          if (!isDeepStrictEqual(urllib3[field], sluice[field])) {
            differences[name] = {
              ...differences[name],
              [field]: { urllib3: urllib3[field], sluice: sluice[field] },
            };
          }
        }
      }
      const known = KNOWN[major] ?? {};
      const described = Object.fromEntries(
        Object.entries(known).map(([name, { why: _, ...fields }]) => [name, fields]),
      );
      expect(differences, `urllib3 ${report.version} on Python ${report.python}`).toEqual(described);
    }, 120_000);

    it(`has urllib3 ${version}'s defaults, apart from the known differences`, async () => {
      const report = await runUrllib3(python, { now: NOW, cases: [] });
      const sluice = {
        total: RETRY_DEFAULTS.total,
        allowed_methods: [...(RETRY_DEFAULTS.allowed_methods ?? [])].sort(),
        remove_headers_on_redirect: [...RETRY_DEFAULTS.remove_headers_on_redirect].sort(),
        backoff_max: RETRY_DEFAULTS.backoff_max,
        retry_after_max: RETRY_DEFAULTS.retry_after_max,
        status_codes_with_retry_after: [413, 429, 503],
      };
      const lowerCased = {
        ...report.defaults,
        remove_headers_on_redirect: (report.defaults.remove_headers_on_redirect as string[])
          .map((h) => h.toLowerCase())
          .sort(),
      };
      expect(lowerCased).toEqual({ ...sluice, ...KNOWN_DEFAULTS[major] });
    });
  }
});

/** Defaults of urllib3 that differ from Sluice's, per major version (docs/retries.md). */
const KNOWN_DEFAULTS: Record<string, Record<string, unknown>> = {
  // 1.26 has no `retry_after_max`: any Retry-After is slept in full.
  '1': { retry_after_max: null },
  '2': {},
};

/**
 * How the engine ends a step whose call ended as `sdk` (docs/fidelity.md, Mason section): a response
 * below 400, or one returned because `raise_on_status: false` and its status retries ran out, succeeds; any
 * other response of 400 or more fails as `status` (on purpose, unlike urllib3); a MaxRetryError fails as
 * `status` or `redirect` with the last status, an error as `connect`, `read` or `timeout`.
 */
function stepEnd(c: RetryCase, sdk: Observed & { lastStatus?: number }): EngineObserved['step'] {
  const o = sdk.outcome;
  if ('status' in o) {
    const retriedOut = c.retry.raise_on_status === false && sdk.attempts > 1;
    return o.status < 400 || retriedOut
      ? { status: 'succeeded', httpStatus: o.status }
      : { status: 'failed', httpStatus: o.status, error: { type: 'status', status: o.status } };
  }
  if (o.reason === 'ResponseError') {
    const type = o.message === 'too many redirects' ? 'redirect' : 'status';
    return {
      status: 'failed',
      httpStatus: sdk.lastStatus as number,
      error: { type, status: sdk.lastStatus as number },
    };
  }
  const type = { NewConnectionError: 'connect', ProtocolError: 'read', ReadTimeoutError: 'timeout' }[
    o.reason ?? o.error
  ];
  return { status: 'failed', error: { type: type ?? o.error } };
}

/** The outcome part of the helper's answer (everything but sleeps and attempts). */
function answerOutcome(answer: Record<string, unknown>): Observed['outcome'] {
  const { sleeps: _, attempts: __, ...outcome } = answer;
  return outcome as Observed['outcome'];
}

/**
 * Sluice's error as the urllib3 exception it stands for: `SLUICE_HTTP_MAX_RETRIES` is MaxRetryError
 * (reason `status`/`redirect` a ResponseError with urllib3's message, `connect` a NewConnectionError,
 * `read` a ProtocolError, `timeout` a Read/ConnectTimeoutError); `SLUICE_HTTP_CONNECT` raised as it is
 * is NewConnectionError, `SLUICE_HTTP_READ` ProtocolError, `SLUICE_HTTP_TIMEOUT` ReadTimeoutError.
 */
function asUrllib3Error(error: unknown): Observed['outcome'] {
  if (error instanceof MaxRetryError) {
    if (error.reason === 'status' || error.reason === 'redirect') {
      return { error: 'MaxRetryError', reason: 'ResponseError', message: error.message.split(' after ')[0] };
    }
    return { error: 'MaxRetryError', reason: transportClass(error.cause) };
  }
  if (error instanceof HttpTransportError) return { error: transportClass(error) };
  if (isSluiceError(error)) return { error: (error as { code: string }).code };
  throw error;
}

function transportClass(error: unknown): string {
  if (!(error instanceof HttpTransportError)) return 'Other';
  if (error.timedOut) return error.kind === 'connect' ? 'ConnectTimeoutError' : 'ReadTimeoutError';
  if (error.kind === 'connect') return 'NewConnectionError';
  return error.kind === 'read' ? 'ProtocolError' : `Other(${error.code})`;
}
