/**
 * The cases of the urllib3 differential: a request, the urllib3 `Retry(**retry)` keyword arguments (the
 * same names and values as Sluice's retry options and a Mason `retry:` block), and what the servers
 * answer. Paths are on the main server unless a script key says `other:`.
 */
import type { Step } from './scripted-server.js';

export interface RetryCase {
  method: string;
  /** A path on the main server, or `closed:/path` for a port nobody listens on. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** urllib3 `Retry` keyword arguments, which are also Sluice retry options. */
  retry: Record<string, unknown>;
  scripts: Record<string, Step[]>;
  /** Connect and read timeout in seconds. @default 10 */
  timeout?: number;
}

/** The clock both sides read (epoch seconds), for Retry-After dates. */
export const NOW = 1_714_564_800; // 2024-05-01T12:00:00Z
const httpDate = (secondsFromNow: number) => new Date((NOW + secondsFromNow) * 1000).toUTCString();

const AUTH = {
  Authorization: 'Bearer t0ken',
  Cookie: 'session=s3cret',
  'Proxy-Authorization': 'Basic cHJveHk6cHc=',
  'X-Token': 'x-t0ken',
};
const JSON_POST = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' };
const ok = (body = 'ok'): Step => ({ status: 200, body });
const s = (status: number, headers?: Record<string, string>): Step =>
  headers === undefined ? { status } : { status, headers };

export const CASES: Record<string, RetryCase> = {
  // status_forcelist, status budget, raise_on_status, allowed_methods
  'status: a forcelisted 503 is retried until a 200': {
    method: 'GET',
    path: '/s',
    retry: { total: 3, status_forcelist: [503] },
    scripts: { 'main:/s': [s(503), s(503), ok()] },
  },
  'status: total runs out on a forcelisted 503': {
    method: 'GET',
    path: '/s',
    retry: { total: 2, status_forcelist: [503] },
    scripts: { 'main:/s': [s(503)] },
  },
  'status: the status budget runs out before total': {
    method: 'GET',
    path: '/s',
    retry: { total: 10, status: 1, status_forcelist: [500] },
    scripts: { 'main:/s': [s(500)] },
  },
  'status: raise_on_status false returns the last response': {
    method: 'GET',
    path: '/s',
    retry: { total: 2, status_forcelist: [502], raise_on_status: false },
    scripts: { 'main:/s': [s(502, { 'X-N': '1' })] },
  },
  'status: a status outside the forcelist is returned': {
    method: 'GET',
    path: '/s',
    retry: { total: 3, status_forcelist: [503] },
    scripts: { 'main:/s': [s(500), ok()] },
  },
  'status: POST is not retried on a forcelisted status by default': {
    ...JSON_POST,
    path: '/s',
    retry: { total: 3, status_forcelist: [503] },
    scripts: { 'main:/s': [s(503), ok()] },
  },
  'status: POST is retried when allowed_methods names it': {
    ...JSON_POST,
    path: '/s',
    retry: { total: 3, status_forcelist: [503], allowed_methods: ['POST'] },
    scripts: { 'main:/s': [s(503), ok()] },
  },
  'status: allowed_methods null retries any method': {
    method: 'PATCH',
    path: '/s',
    body: 'x',
    retry: { total: 3, status_forcelist: [503], allowed_methods: null },
    scripts: { 'main:/s': [s(503), ok()] },
  },
  'status: allowed_methods in lower case': {
    ...JSON_POST,
    path: '/s',
    retry: { total: 3, status_forcelist: [503], allowed_methods: ['post'] },
    scripts: { 'main:/s': [s(503), ok()] },
  },
  'status: DELETE is in the default allowed_methods': {
    method: 'DELETE',
    path: '/s',
    retry: { total: 3, status_forcelist: [500] },
    scripts: { 'main:/s': [s(500), ok()] },
  },

  // backoff
  'backoff: a tiny factor doubles from the second consecutive failure': {
    method: 'GET',
    path: '/b',
    retry: { total: 4, status_forcelist: [500], backoff_factor: 0.001 },
    scripts: { 'main:/b': [s(500)] },
  },
  'backoff: capped at 120 seconds by default': {
    method: 'GET',
    path: '/b',
    retry: { total: 3, status_forcelist: [500], backoff_factor: 100 },
    scripts: { 'main:/b': [s(500), s(500), s(500), ok()] },
  },
  'backoff: backoff_max as an option': {
    method: 'GET',
    path: '/b',
    retry: { total: 4, status_forcelist: [500], backoff_factor: 1, backoff_max: 3 },
    scripts: { 'main:/b': [s(500), s(500), s(500), s(500), ok()] },
  },
  'backoff: a followed redirect ends a run of failures': {
    method: 'GET',
    path: '/a',
    retry: { total: 10, status_forcelist: [500], backoff_factor: 0.001 },
    scripts: {
      'main:/a': [s(500), s(500), { redirect: '/b', status: 302 }],
      'main:/b': [s(500), s(500), ok()],
    },
  },

  // Retry-After
  'retry-after: a 503 with Retry-After in seconds is retried outside the forcelist': {
    method: 'GET',
    path: '/r',
    retry: { total: 3 },
    scripts: { 'main:/r': [s(503, { 'Retry-After': '1' }), ok()] },
  },
  'retry-after: a 429 with an HTTP date waits until that date': {
    method: 'GET',
    path: '/r',
    retry: { total: 3 },
    scripts: { 'main:/r': [s(429, { 'Retry-After': httpDate(7) }), ok()] },
  },
  'retry-after: a date in the past falls back to the backoff': {
    method: 'GET',
    path: '/r',
    retry: { total: 3, backoff_factor: 0.001 },
    scripts: { 'main:/r': [s(503, { 'Retry-After': httpDate(-60) }), s(503, { 'Retry-After': '0' }), ok()] },
  },
  'retry-after: a 413 with Retry-After is retried for PUT': {
    method: 'PUT',
    path: '/r',
    body: 'big',
    retry: { total: 3 },
    scripts: { 'main:/r': [s(413, { 'Retry-After': '2' }), ok()] },
  },
  'retry-after: a 413 with Retry-After is not retried for POST': {
    ...JSON_POST,
    path: '/r',
    retry: { total: 3 },
    scripts: { 'main:/r': [s(413, { 'Retry-After': '2' }), ok()] },
  },
  'retry-after: a 500 with Retry-After outside the forcelist is returned': {
    method: 'GET',
    path: '/r',
    retry: { total: 3 },
    scripts: { 'main:/r': [s(500, { 'Retry-After': '1' }), ok()] },
  },
  'retry-after: respect_retry_after_header false returns the 503': {
    method: 'GET',
    path: '/r',
    retry: { total: 3, respect_retry_after_header: false },
    scripts: { 'main:/r': [s(503, { 'Retry-After': '1' }), ok()] },
  },
  'retry-after: respect_retry_after_header false with a forcelist uses the backoff': {
    method: 'GET',
    path: '/r',
    retry: { total: 3, respect_retry_after_header: false, status_forcelist: [503], backoff_factor: 0.001 },
    scripts: { 'main:/r': [s(503, { 'Retry-After': '5' }), s(503, { 'Retry-After': '5' }), ok()] },
  },
  'retry-after: total null does not retry on Retry-After': {
    method: 'GET',
    path: '/r',
    retry: { total: null },
    scripts: { 'main:/r': [s(429, { 'Retry-After': '1' }), ok()] },
  },
  'retry-after: the last retry of total returns the 429': {
    method: 'GET',
    path: '/r',
    retry: { total: 1 },
    scripts: { 'main:/r': [s(429, { 'Retry-After': '1' })] },
  },
  'retry-after: a huge value is cut to retry_after_max': {
    method: 'GET',
    path: '/r',
    retry: { total: 2 },
    scripts: { 'main:/r': [s(503, { 'Retry-After': '100000' }), ok()] },
  },
  'retry-after: an invalid value': {
    method: 'GET',
    path: '/r',
    retry: { total: 2 },
    scripts: { 'main:/r': [s(503, { 'Retry-After': 'soon' }), ok()] },
  },

  // redirects
  'redirect: a 301 is followed on the same host': {
    method: 'GET',
    path: '/a',
    retry: { total: 3 },
    scripts: { 'main:/a': [{ redirect: '/b', status: 301 }], 'main:/b': [ok('b')] },
  },
  'redirect: a 302 keeps POST and its body': {
    ...JSON_POST,
    path: '/a',
    retry: { total: 3 },
    scripts: { 'main:/a': [{ redirect: '/b', status: 302 }], 'main:/b': [ok('b')] },
  },
  'redirect: a 303 turns POST into a GET without body or Content-Type': {
    ...JSON_POST,
    path: '/a',
    retry: { total: 3 },
    scripts: { 'main:/a': [{ redirect: '/b', status: 303 }], 'main:/b': [ok('b')] },
  },
  'redirect: a 307 keeps POST and its body': {
    ...JSON_POST,
    path: '/a',
    retry: { total: 3 },
    scripts: { 'main:/a': [{ redirect: '/b', status: 307 }], 'main:/b': [ok('b')] },
  },
  'redirect: a 308 keeps PUT and its body': {
    method: 'PUT',
    path: '/a',
    body: 'doc',
    retry: { total: 3 },
    scripts: { 'main:/a': [{ redirect: '/b', status: 308 }], 'main:/b': [ok('b')] },
  },
  'redirect: same host keeps Authorization and Cookie': {
    method: 'GET',
    path: '/a',
    headers: AUTH,
    retry: { total: 3 },
    scripts: { 'main:/a': [{ redirect: '/b', status: 302 }], 'main:/b': [ok('b')] },
  },
  'redirect: another host loses the default remove_headers_on_redirect': {
    method: 'GET',
    path: '/a',
    headers: AUTH,
    retry: { total: 3 },
    scripts: { 'main:/a': [{ redirect: 'other:/b', status: 302 }], 'other:/b': [ok('b')] },
  },
  'redirect: remove_headers_on_redirect replaces the default list': {
    method: 'GET',
    path: '/a',
    headers: AUTH,
    retry: { total: 3, remove_headers_on_redirect: ['x-TOKEN'] },
    scripts: { 'main:/a': [{ redirect: 'other:/b', status: 307 }], 'other:/b': [ok('b')] },
  },
  'redirect: removed headers stay removed on the way back': {
    method: 'GET',
    path: '/a',
    headers: AUTH,
    retry: { total: 5 },
    scripts: {
      'main:/a': [{ redirect: 'other:/b', status: 302 }],
      'other:/b': [{ redirect: 'other:/c', status: 302 }],
      'other:/c': [{ redirect: '/d', status: 302 }],
      'main:/d': [ok('d')],
    },
  },
  'redirect: the redirect budget runs out': {
    method: 'GET',
    path: '/a',
    retry: { total: 10, redirect: 1 },
    scripts: {
      'main:/a': [{ redirect: '/b', status: 302 }],
      'main:/b': [{ redirect: '/c', status: 302 }],
      'main:/c': [ok('c')],
    },
  },
  'redirect: redirects count against total': {
    method: 'GET',
    path: '/a',
    retry: { total: 1 },
    scripts: {
      'main:/a': [{ redirect: '/b', status: 301 }],
      'main:/b': [{ redirect: '/c', status: 301 }],
      'main:/c': [ok('c')],
    },
  },
  'redirect: raise_on_redirect false returns the last 3xx': {
    method: 'GET',
    path: '/a',
    retry: { total: 10, redirect: 1, raise_on_redirect: false },
    scripts: {
      'main:/a': [{ redirect: '/b', status: 302 }],
      'main:/b': [{ redirect: '/c', status: 308 }],
      'main:/c': [ok('c')],
    },
  },
  'redirect: redirect false returns the first 3xx': {
    method: 'GET',
    path: '/a',
    retry: { total: 3, redirect: false },
    scripts: { 'main:/a': [{ redirect: '/b', status: 302 }], 'main:/b': [ok('b')] },
  },
  'redirect: total false returns the first 3xx': {
    method: 'GET',
    path: '/a',
    retry: { total: false },
    scripts: { 'main:/a': [{ redirect: '/b', status: 301 }], 'main:/b': [ok('b')] },
  },
  'redirect: a status retry comes before the redirect': {
    method: 'GET',
    path: '/a',
    retry: { total: 3, status_forcelist: [302] },
    scripts: { 'main:/a': [{ redirect: '/b', status: 302 }, ok('a')], 'main:/b': [ok('b')] },
  },
  'redirect: to a closed port on another host is retried as a connect error': {
    method: 'GET',
    path: '/a',
    retry: { total: 2 },
    scripts: { 'main:/a': [{ redirect: 'closed:/x', status: 302 }] },
  },

  // connection errors
  'errors: a reset GET is retried as a read error': {
    method: 'GET',
    path: '/e',
    retry: { total: 3 },
    scripts: { 'main:/e': [{ reset: true }, ok()] },
  },
  'errors: a reset POST is raised as it is': {
    ...JSON_POST,
    path: '/e',
    retry: { total: 3 },
    scripts: { 'main:/e': [{ reset: true }, ok()] },
  },
  'errors: a socket closed without an answer is a read error': {
    method: 'GET',
    path: '/e',
    retry: { total: 3, backoff_factor: 0.001 },
    scripts: { 'main:/e': [{ close: true }, { close: true }, ok()] },
  },
  'errors: the read budget runs out': {
    method: 'GET',
    path: '/e',
    retry: { total: 5, read: 1 },
    scripts: { 'main:/e': [{ reset: true }] },
  },
  'errors: read false raises the read error': {
    method: 'GET',
    path: '/e',
    retry: { total: 3, read: false },
    scripts: { 'main:/e': [{ reset: true }, ok()] },
  },
  'errors: total false raises the read error': {
    method: 'GET',
    path: '/e',
    retry: { total: false },
    scripts: { 'main:/e': [{ reset: true }, ok()] },
  },
  'errors: a garbled status line is a read error': {
    method: 'GET',
    path: '/e',
    retry: { total: 1 },
    scripts: { 'main:/e': [{ garbage: true }] },
  },
  'errors: a read timeout is retried against read': {
    method: 'GET',
    path: '/e',
    retry: { total: 3, read: 1 },
    timeout: 0.3,
    scripts: { 'main:/e': [{ hang: true }] },
  },
  'errors: a refused connection runs out total': {
    method: 'GET',
    path: 'closed:/x',
    retry: { total: 2 },
    scripts: {},
  },
  'errors: a refused POST is retried (connect errors for any method)': {
    ...JSON_POST,
    path: 'closed:/x',
    retry: { total: 5, connect: 1 },
    scripts: {},
  },
  'errors: connect false raises the connect error': {
    method: 'GET',
    path: 'closed:/x',
    retry: { total: 3, connect: false },
    scripts: {},
  },
};
