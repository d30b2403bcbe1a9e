/**
 * The differences between urllib3 and Sluice's retry loop that the differential knows about, per urllib3
 * major version and case: both sides' values of each field that differs, and why (docs/retries.md,
 * docs/fidelity.md). The test fails when a listed difference changes or goes away, and when another appears.
 */
import type { Seen } from './scripted-server.js';

/** What one side did for a case. */
export interface Observed {
  /** The final response, or the urllib3 exception class (with a MaxRetryError's reason). */
  outcome: { status: number; body: string } | { error: string; reason?: string; message?: string };
  /** What the servers saw, in order. */
  seen: Seen[];
  /** The waits before retries, in milliseconds (waits of 0 are not sleeps). */
  sleeps: number[];
  /** HTTP attempts made, refused connections included. */
  attempts: number;
}

type Difference = { why: string } & Partial<Record<keyof Observed, { urllib3: unknown; sluice: unknown }>>;

/** `n` requests as the main server logs them. */
const requests = (n: number, method: string, path: string, extra: Partial<Seen> = {}): Seen[] =>
  Array.from({ length: n }, () => ({ server: 'main', method, path, headers: {}, body: '', ...extra }));

const POST_JSON = { headers: { 'content-type': 'application/json' }, body: '{"a":1}' };

/** Differences on purpose, the same for urllib3 1.26 and 2.x. */
const ON_PURPOSE: Record<string, Difference> = {
  'retry-after: an invalid value': {
    why: 'an invalid Retry-After counts as absent in Sluice (the 503 is returned); urllib3 raises InvalidHeader from its sleep',
    outcome: { urllib3: { error: 'InvalidHeader' }, sluice: { status: 503, body: '' } },
  },
  'status: allowed_methods in lower case': {
    why: 'Sluice compares allowed_methods case-insensitively; urllib3 compares the upper-cased method with the names as given, so `post` never matches',
    attempts: { urllib3: 1, sluice: 2 },
    outcome: { urllib3: { status: 503, body: '' }, sluice: { status: 200, body: 'ok' } },
    seen: {
      urllib3: requests(1, 'POST', '/s', POST_JSON),
      sluice: requests(2, 'POST', '/s', POST_JSON),
    },
  },
};

export const KNOWN: Record<string, Record<string, Difference>> = {
  '1': {
    ...ON_PURPOSE,
    'backoff: backoff_max as an option': {
      why: 'urllib3 1.26 `Retry` takes no `backoff_max` (only the class attribute `DEFAULT_BACKOFF_MAX`); 2.x does',
      attempts: { urllib3: 0, sluice: 5 },
      outcome: {
        urllib3: {
          error: 'TypeError',
          message: "Retry.__init__() got an unexpected keyword argument 'backoff_max'",
        },
        sluice: { status: 200, body: 'ok' },
      },
      seen: { urllib3: [], sluice: requests(5, 'GET', '/b') },
      sleeps: { urllib3: [], sluice: [2000, 3000, 3000] },
    },
    'retry-after: a huge value is cut to retry_after_max': {
      why: 'urllib3 1.26 sleeps any Retry-After in full; 2.x (and Sluice) cut it to `retry_after_max` (6 hours)',
      sleeps: { urllib3: [100_000_000], sluice: [21_600_000] },
    },
  },
  '2': { ...ON_PURPOSE },
};
