/**
 * `Redactor.holdsNoSecret` decides that a value needs no redaction without copying it (issue 14): when it
 * says so, the value is stored as it is and its secret values are not collected. These tests compare that
 * fast path with the two walks it replaces, on random values built from hostile keys and strings: the
 * result must be the same, never less redacted.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../src/model/workflow.js';
import { runRedaction } from '../../src/run/create-context.js';
import { storedRunValues } from '../../src/run/stored-run-values.js';
import {
  ALWAYS_SECRET_KEYS,
  createRedactor,
  REDACTED,
  type Redactor,
  secretValuesIn,
} from '../../src/secrets/redactor.js';
import type { RunValueSealer } from '../../src/secrets/run-values.js';
import { DEFAULT_SECRET_NAMES } from '../../src/secrets/secret-names.js';
import { seededRandom } from '../helpers/seeded-random.js';

const RUN_TOKEN = `rt_${'a'.repeat(12)}.${'b'.repeat(43)}`;
const API_KEY = `sk_${'c'.repeat(43)}`;

/** Keys: secret names in other cases and spellings, near misses, escapes, index-like and special keys. */
const KEYS = [
  'token',
  'TOKEN',
  'Token',
  'tOkEn',
  'api_key',
  'API_\u212Aey', // KELVIN SIGN: lower-cases to `k`
  'Authorization',
  'proxy-authorization',
  'SET-COOKIE',
  'Cookie',
  'client_secret',
  'Password',
  'password ',
  ' password',
  'pass\nword',
  'toke',
  'tokens',
  'x-api-key',
  'İd', // lower-cases to two characters
  'ΣECRET',
  'a"b',
  'a\\b',
  '\ud800',
  '0',
  '1',
  '',
  '__proto__',
  'constructor',
  'toJSON',
  'input',
  'user',
  'id',
  'note',
  'records',
];

/** Strings: secrets whole, inside longer text and spelled otherwise, credentials, near misses. */
const STRINGS = [
  '',
  'x',
  's3cr3t-value',
  'see s3cr3t-value here',
  's3cr3t%2Dvalue',
  's3cr3t\\u002dvalue',
  's3cr3t\\u002Dvalue',
  's3cr3t-valu',
  'acme',
  'acmecorp',
  'at acme.',
  '\nacme',
  'a b&c',
  'a+b%26c',
  'a%20b%26c',
  RUN_TOKEN,
  API_KEY,
  `Bearer ${API_KEY}`,
  `x${API_KEY}`,
  `https://h/x?t=${RUN_TOKEN}&y=1`,
  'sk_',
  'rt_abc',
  REDACTED,
  `${REDACTED}123456`,
  '"token":"x"',
  'tok\u0000en',
  '\ud800\udc00',
  '\udc00',
  'caf\u00e9 \u212A',
  `${'x'.repeat(80)}s3cr3t-value`,
  `${'y'.repeat(70)}`,
  'hunter2',
];

/** The configurations compared: secret values and extra names (some index-like, some odd). */
const CONFIGS: { values: string[]; names: string[] }[] = [
  { values: [], names: [] },
  { values: ['s3cr3t-value'], names: [] },
  { values: ['acme', 'a b&c', 'hunter2'], names: ['x-api-key', 'pass\nword'] },
  { values: [REDACTED], names: ['a"b', 'ſecret'] },
  { values: ['s3cr3t-value', '\udc00'], names: ['0', 'input', 'note'] },
  { values: [], names: ['id', 'İd', 'σecret'] },
];

/** Seeded: a failure is the same on every machine. */
const random = seededRandom;

/** A random value: JSON-like mostly, with what a walk and `JSON.stringify` see differently. */
function hostileValue(next: () => number, depth: number, shared: object[]): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const roll = next();
  if (depth <= 0 || roll < 0.35) {
    return pick<unknown>([
      pick(STRINGS),
      pick(STRINGS),
      pick(STRINGS),
      0,
      1.5,
      true,
      null,
      undefined,
      () => 'fn',
      Symbol('s'),
      10n,
      new Date(0),
    ]);
  }
  if (roll < 0.45 && shared.length > 0) return pick(shared);
  let made: object;
  if (roll < 0.65) {
    const list: unknown[] = Array.from({ length: Math.floor(next() * 4) }, () =>
      hostileValue(next, depth - 1, shared),
    );
    if (next() < 0.1) put(list, pick(KEYS), hostileValue(next, 0, shared));
    made = list;
  } else {
    const kind = next();
    const record: Record<string, unknown> =
      kind < 0.05
        ? Object.create(null)
        : kind < 0.08
          ? (Object.assign(new String('sk'), {}) as unknown as Record<string, unknown>)
          : {};
    for (let i = Math.floor(next() * 4); i > 0; i--)
      put(record, pick(KEYS), hostileValue(next, depth - 1, shared));
    if (kind > 0.95) record.toJSON = () => ({ hidden: true });
    made = record;
  }
  shared.push(made);
  // A cycle now and then: an object holding one of the objects made before it, or itself.
  if (next() < 0.05) {
    const target = pick(shared);
    if (Array.isArray(made)) made.push(target);
    else put(made, pick(KEYS), target);
  }
  return made;
}

/**
 * `value` as an own entry of `record`, as `JSON.parse` makes one (`__proto__` too); left out where the
 * record refuses it (a boxed string's indexes).
 */
function put(record: object, key: string, value: unknown): void {
  try {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  } catch {
    // Read-only: skipped.
  }
}

/** A value nested `levels` deep under `key`, so the path passes the walk's shallow part. */
function deep(levels: number, key: string, leaf: unknown): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = i % 3 === 0 ? [value] : { [key]: value };
  return value;
}

/**
 * `secretValuesIn` as it was before its first look (the reference): every object once (a set of those
 * seen), the strings under wanted keys in document order, an array's indexes only unless a name is one.
 */
function referenceSecretValues(value: unknown, names: readonly string[]): string[] {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const indexNamed = [...wanted].some((name) => String(Number(name)) === name);
  const out: string[] = [];
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const v = pending.pop();
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v) && !indexNamed) {
      for (let i = v.length - 1; i >= 0; i--) pending.push(v[i]);
      continue;
    }
    const nested: unknown[] = [];
    for (const key of Object.keys(v)) {
      const inner = (v as Record<string, unknown>)[key];
      if (typeof inner === 'string') {
        if (inner !== '' && wanted.has(key.toLowerCase())) out.push(inner);
      } else if (typeof inner === 'object' && inner !== null) {
        nested.push(inner);
      }
    }
    for (let i = nested.length - 1; i >= 0; i--) pending.push(nested[i]);
  }
  return out;
}

/** Redactors the way they were built before the fast path: collect first, then one redactor. */
function referenceRunRedactor(
  input: unknown,
  user: Record<string, unknown>,
  systemApis: Record<string, unknown>,
  config: { values: string[]; names: string[] },
): Redactor {
  const names = [...DEFAULT_SECRET_NAMES, ...config.names].map((n) => n.toLowerCase());
  return createRedactor({
    names,
    values: [
      ...(typeof user.token === 'string' ? [user.token] : []),
      ...referenceSecretValues({ user, systemApis, input }, names),
      ...config.values,
    ],
  });
}

const document = {
  name: 'w',
  scope: 'workspace',
  steps: [{ name: 'a', apispec: { method: 'GET', url: 'https://h/s3cr3t-value?acme' } }],
} as unknown as Workflow;

/** A sealer that records what it sealed (the fast path must seal exactly what the walks sealed). */
const sealer: RunValueSealer = {
  seal: (value) => `sealed:${typeof value}:${safeText(value)}`,
  open: () => undefined,
};

function safeText(value: unknown): string {
  try {
    return String(JSON.stringify(value));
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
}

/** Every string in `value` (keys too), for probing what two redactors hide. */
function stringsIn(value: unknown, out: string[] = [], seen = new Set<object>()): string[] {
  if (typeof value === 'string') out.push(value);
  if (typeof value !== 'object' || value === null || seen.has(value)) return out;
  seen.add(value);
  for (const key of Object.keys(value)) {
    out.push(key);
    stringsIn((value as Record<string, unknown>)[key], out, seen);
  }
  return out;
}

function expectSameRedaction(a: Redactor, b: Redactor, probes: readonly string[], input: unknown): void {
  for (const probe of probes) expect(a.text(probe)).toBe(b.text(probe));
  expect(isDeepStrictEqual(a.value(input), b.value(input))).toBe(true);
}

describe('Redactor.holdsNoSecret against the walks it spares', () => {
  it('says so only when value() keeps the value and secretValuesIn finds nothing (random hostile values)', () => {
    const next = random(14);
    let clean = 0;
    for (let round = 0; round < 3000; round++) {
      const config = CONFIGS[round % CONFIGS.length] as (typeof CONFIGS)[number];
      const names = [...DEFAULT_SECRET_NAMES, ...config.names];
      const redact = createRedactor({ values: config.values, names });
      const value = hostileValue(next, 5, []);
      const verdict = redact.holdsNoSecret(value);
      const copied = redact.value(value);
      const collected = referenceSecretValues(value, [...names, ...ALWAYS_SECRET_KEYS]);
      if (verdict) {
        clean++;
        expect(Object.is(copied, value)).toBe(true);
        expect(collected).toEqual([]);
      }
    }
    // The generator makes both kinds: the comparison is not vacuous.
    expect(clean).toBeGreaterThan(300);
    expect(clean).toBeLessThan(2700);
  });

  it('finds each hostile key and string at depth 1 and past the shallow path (40 levels)', () => {
    for (const config of CONFIGS) {
      const names = [...DEFAULT_SECRET_NAMES, ...config.names];
      const redact = createRedactor({ values: config.values, names });
      const lower = new Set([...names, ...ALWAYS_SECRET_KEYS].map((n) => n.toLowerCase()));
      for (const levels of [0, 1, 40]) {
        for (const key of KEYS) {
          const value = deep(levels, 'id', { [key]: 'plain' });
          const secretKey = lower.has(key.toLowerCase());
          if (secretKey) expect(redact.holdsNoSecret(value)).toBe(false);
          if (redact.holdsNoSecret(value)) expect(redact.value(value)).toBe(value);
        }
        for (const text of STRINGS) {
          const value = deep(levels, 'note', { note: text });
          const changed = redact.text(text) !== text;
          if (changed) expect(redact.holdsNoSecret(value)).toBe(false);
          if (redact.holdsNoSecret(value)) expect(redact.value(value)).toBe(value);
        }
      }
    }
  });

  it('refuses a cycle, near the root and past the shallow path, as value() replaces it', () => {
    const redact = createRedactor({});
    const near: Record<string, unknown> = { a: 1 };
    near.self = near;
    expect(redact.holdsNoSecret(near)).toBe(false);
    const far: Record<string, unknown> = { id: 1 };
    const value = deep(40, 'id', far) as object;
    far.back = value;
    expect(redact.holdsNoSecret(value)).toBe(false);
    expect(redact.value(value)).not.toBe(value);
    // The same object twice, not on its own path, is no cycle.
    const shared = { id: 2 };
    const twice = { a: shared, b: [shared, shared] };
    expect(redact.holdsNoSecret(twice)).toBe(true);
  });

  it('keeps a null or undefined value under a secret key (value() does too), refuses anything else there', () => {
    const redact = createRedactor({ names: ['token'] });
    expect(redact.holdsNoSecret({ token: null, Authorization: undefined })).toBe(true);
    for (const held of ['', 0, false, () => 1, Symbol('s'), 1n, {}, [], REDACTED]) {
      expect(redact.holdsNoSecret({ token: held })).toBe(false);
    }
  });

  it('reads an array as an object (its other properties too) under an index-like secret name', () => {
    const list: unknown[] = ['a'];
    (list as unknown as Record<string, string>).token = 'hidden';
    expect(createRedactor({ names: ['token'] }).holdsNoSecret(list)).toBe(true);
    expect(referenceSecretValues(list, ['token'])).toEqual([]);
    expect(createRedactor({ names: ['token', '0'] }).holdsNoSecret(list)).toBe(false);
    expect(referenceSecretValues(list, ['token', '0'])).toEqual(['a', 'hidden']);
    expect(secretValuesIn(list, ['token', '0'])).toEqual(['a', 'hidden']);
  });

  it('checks a string at the root as value() does', () => {
    const redact = createRedactor({ values: ['s3cr3t-value'] });
    expect(redact.holdsNoSecret('a s3cr3t-value')).toBe(false);
    expect(redact.holdsNoSecret(`key ${API_KEY}`)).toBe(false);
    expect(redact.holdsNoSecret('plain')).toBe(true);
    expect(redact.holdsNoSecret(5)).toBe(true);
  });
});

describe('secretValuesIn with its first look', () => {
  it('collects what the walk with a set of the objects seen collected, in the same order', () => {
    const next = random(99);
    let found = 0;
    for (let round = 0; round < 3000; round++) {
      const config = CONFIGS[round % CONFIGS.length] as (typeof CONFIGS)[number];
      const names = [...DEFAULT_SECRET_NAMES, ...config.names];
      const value = hostileValue(next, 5, []);
      const reference = referenceSecretValues(value, names);
      expect(secretValuesIn(value, names)).toEqual(reference);
      if (reference.length > 0) found++;
    }
    expect(found).toBeGreaterThan(100);
  });
});

describe('the run row and the run redactor with the fast path', () => {
  it('store what the walks stored and seal what they sealed (service runs)', () => {
    const next = random(41);
    for (let round = 0; round < 1500; round++) {
      const config = CONFIGS[round % CONFIGS.length] as (typeof CONFIGS)[number];
      const input = hostileValue(next, 4, []);
      const got = storedRunValues('r1', document, input, { secrets: config.values, seal: sealer });
      // Before: the input's values under secret keys, then the workspace's secrets; one redactor.
      const names = DEFAULT_SECRET_NAMES.map((n) => n.toLowerCase());
      const reference = createRedactor({
        names,
        values: [...referenceSecretValues({ input }, names), ...config.values],
      });
      const storedInput = reference.value(input);
      expect(isDeepStrictEqual(got.input, storedInput)).toBe(true);
      expect(Object.is(got.input, input)).toBe(Object.is(storedInput, input));
      expect(got.sealed_input).toBe(
        Object.is(storedInput, input) ? null : sealer.seal(input, undefined as never),
      );
      expect(isDeepStrictEqual(got.workflow, reference.value(document))).toBe(true);
    }
  });

  it('build a redactor that hides what the walks hid (runWorkflow, sluice run)', () => {
    const next = random(7);
    let fast = 0;
    for (let round = 0; round < 800; round++) {
      const config = CONFIGS[round % CONFIGS.length] as (typeof CONFIGS)[number];
      const input = hostileValue(next, 4, []);
      const shared: object[] = [];
      const user = {
        token: next() < 0.5 ? 'hunter2' : 'user-token-1',
        profile: hostileValue(next, 2, shared),
      };
      const systemApis = { api: hostileValue(next, 2, shared) };
      // Now and then the input holds an object of USER's: a walk sees it once, under USER.
      const held = next() < 0.1 && shared.length > 0 ? { input, mine: shared[0] } : input;
      const options = { user, systemApis, secretNames: config.names, secrets: config.values };
      const { redactor, inputHoldsNoSecret } = runRedaction(held, options);
      const reference = referenceRunRedactor(held, user, systemApis, config);
      const probes = [...STRINGS, ...stringsIn({ held, user, systemApis }), ...config.values];
      expectSameRedaction(redactor, reference, probes, held);
      if (inputHoldsNoSecret) {
        fast++;
        expect(reference.value(held)).toBe(held);
      }
    }
    expect(fast).toBeGreaterThan(50);
  });

  it('keep a string input whose key `input` is a configured secret name from being stored', () => {
    const { redactor, inputHoldsNoSecret } = runRedaction('the-whole-input', { secretNames: ['input'] });
    expect(inputHoldsNoSecret).toBe(false);
    expect(redactor.text('the-whole-input')).toBe(REDACTED);
  });
});

/**
 * `Redactor.value` answers a flat value (no object in it: headers, most outputs) without its walk. What it
 * returns must be what the walk's rules give, entry by entry, and the value itself exactly when nothing
 * changed: an array by index, an object by its own keys (an inherited enumerable key is not read).
 */
describe('Redactor.value of a flat value', () => {
  const LEAVES: unknown[] = [...STRINGS, 0, 1.5, true, null, undefined, () => 'fn', Symbol('s'), 10n];

  function expected(redactor: Redactor, value: object): { entries: [string, unknown][]; same: boolean } {
    let same = true;
    const entries = (Array.isArray(value) ? [...value.keys()].map(String) : Object.keys(value)).map(
      (key): [string, unknown] => {
        const inner = (value as Record<string, unknown>)[key];
        let out = inner;
        if (!Array.isArray(value) && inner !== null && inner !== undefined && redactor.isSecretKey(key)) {
          out = REDACTED;
        } else if (typeof inner === 'string') {
          out = redactor.text(inner);
        }
        if (out !== inner) same = false;
        return [key, out];
      },
    );
    return { entries, same };
  }

  it('gives what the walk gives for random flat records and lists, the value itself when nothing changed', () => {
    const next = random(20261208);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    let kept = 0;
    for (let round = 0; round < 3000; round++) {
      const config = CONFIGS[round % CONFIGS.length] as (typeof CONFIGS)[number];
      const redactor = createRedactor({
        names: [...DEFAULT_SECRET_NAMES, ...config.names],
        values: config.values,
      });
      let value: object;
      if (next() < 0.35) {
        const list = Array.from({ length: Math.floor(next() * 5) }, () => pick(LEAVES));
        // A hole now and then, and other properties the walk does not read.
        if (list.length > 1 && next() < 0.2) delete list[1];
        if (next() < 0.2) put(list, pick(KEYS), pick(LEAVES));
        value = list;
      } else {
        // Now and then an inherited enumerable entry (a secret name too), which the walk does not read.
        const proto =
          next() < 0.1 ? { [pick(KEYS)]: pick(STRINGS) } : next() < 0.05 ? null : Object.prototype;
        const record = Object.create(proto) as Record<string, unknown>;
        for (let i = Math.floor(next() * 5); i > 0; i--) put(record, pick(KEYS), pick(LEAVES));
        value = record;
      }
      const out = redactor.value(value) as Record<string, unknown>;
      const want = expected(redactor, value);
      if (want.same) {
        kept++;
        expect(out).toBe(value);
      } else {
        expect(out).not.toBe(value);
        expect(want.entries.every(([key, v]) => Object.is(out[key], v))).toBe(true);
      }
    }
    expect(kept).toBeGreaterThan(500);
  });
});
