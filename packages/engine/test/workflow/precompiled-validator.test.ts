/**
 * The precompiled workflow validator (Ajv standalone code the build writes into `dist/workflow/`) against the
 * one Ajv compiles at run time: the same errors (verbose `schema`, `parentSchema`, `data`, and the
 * `schemaPath`s the problem wording walks), so the same problems, for ONE table of valid and invalid
 * documents; and a missing, broken or stale file is never used. To add a case, add a row.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STEP_KINDS, StepKinds } from '../../src/steps/step-kinds.js';
import { TRIGGER_KINDS } from '../../src/triggers/trigger-kinds.js';
import {
  compileWorkflowValidator,
  loadPrecompiledValidator,
  PRECOMPILED_VALIDATOR_FILE,
  type WorkflowValidator,
  workflowSchemaHash,
  writePrecompiledValidator,
} from '../../src/workflow/precompiled-validator.js';
import { schemaProblems, validatorProblems } from '../../src/workflow/schema-problems.js';
import { workflowSchemaSource } from '../../src/workflow/workflow-schema.js';

type PrecompiledModule = typeof import('../../src/workflow/precompiled-validator.js');

/** Where `schemaProblems` looks for the precompiled file in this test (instead of `src/workflow/`). */
const where = vi.hoisted(() => ({ file: '' }));
/** What each load from that default place gave. */
const loads = vi.hoisted(() => [] as unknown[]);

vi.mock('../../src/workflow/precompiled-validator.js', async (importOriginal) => {
  const original = await importOriginal<PrecompiledModule>();
  const load: PrecompiledModule['loadPrecompiledValidator'] = (schema, file) => {
    const loaded = original.loadPrecompiledValidator(schema, file ?? where.file);
    if (file === undefined) loads.push(loaded);
    return loaded;
  };
  return { ...original, loadPrecompiledValidator: load };
});

/** Inside the repository, so the generated code's `require('ajv/...')` resolves as it does from `dist`. */
const OUT = join(
  fileURLToPath(new URL('../../../../', import.meta.url)),
  'test-output',
  `precompiled-validator-${randomBytes(4).toString('hex')}`,
);

const ok = { name: 'a', apispec: { url: 'https://api.test/v1' } };
const action = { name: 'b', action: 'my_app.get_customer' };
const doc = (extra: Record<string, unknown>) => ({ name: 'w', steps: [ok], ...extra });
const steps = (...list: unknown[]) => ({ name: 'w', steps: list });
const times = <T>(n: number, item: (i: number) => T) => Array.from({ length: n }, (_, i) => item(i));

/** Documents from the workflow and hostile-document tests: valid ones first, then one or more problems each. */
const DOCUMENTS: readonly [string, unknown][] = [
  ['one HTTP step', doc({})],
  ['an action step with a connection and input', steps({ ...action, connection: 'prod', input: { id: 1 } })],
  [
    'every root field',
    doc({
      $schema: './workflow.schema.json',
      uid: 'wf_1',
      scope: 'global',
      default_retry: { total: 3, backoff_factor: 0.5, status_forcelist: [429, 503] },
      default_rate_limit: { requests: 10, per_seconds: 1 },
      trigger: { schedule: { cron: '0 9 * * MON-FRI', timezone: 'Europe/Paris', input: { since: '1d' } } },
      workspace_id: 'ws_1',
      user_id: 'ada@example.com',
      created: '2024-05-01T12:00:00Z',
      updated: '2024-05-02T12:00:00+02:00',
      deleted: false,
      version: 2,
    }),
  ],
  ['a webhook trigger', doc({ trigger: { webhook: { hmac_header: 'X-Hub-Signature-256' } } })],
  ['a poll trigger', doc({ trigger: { poll: { connector: 'my-app', trigger: 'new', interval: 1 } } })],
  [
    'a step with every field',
    steps({
      name: 'a',
      apispec: {
        url: 'https://api.test/{{ INPUT.id }}',
        method: 'PATCH',
        params: { q: 1 },
        headers: { 'X-Api-Key': '{{ USER.key }}', 'X-N': 2 },
        json_body: { a: [1] },
        timeout: 2.5,
      },
      input: '{{ INPUT.items }}',
      output: { id: '{{ CURRENT_STEP.response.body.id }}' },
      concurrency: 4,
      retry: { total: 5, allowed_methods: ['GET'], raise_on_status: false },
      rate_limit: { requests: 2, per_seconds: 0.5 },
    }),
  ],
  ['null', null],
  ['a string', 'text'],
  ['a number', 42],
  ['a list', []],
  ['an empty object', {}],
  ['unknown root keys, one a retry block', doc({ stepz: 1, flow: [], retry: { total: 1 } })],
  [
    'unknown step and apispec keys',
    steps({ name: 'a', apispec: { url: 'https://x.test', methd: 'get' }, apispek: 1 }),
  ],
  ['250 unknown keys in a step', steps({ ...ok, ...Object.fromEntries(times(250, (i) => [`k${i}`, i])) })],
  ['no steps', steps()],
  ['steps not a list', { name: 'w', steps: 'x' }],
  ['a step with no kind', steps({ name: 'a' })],
  ['a step of both kinds', steps({ ...ok, action: 'my_app.get' })],
  ['steps that are not objects', steps(5, null, 'x', [], ok)],
  [
    'bad step names',
    steps({ ...ok, name: '2fa' }, { ...ok, name: '__proto__' }, { ...ok, name: 7 }, { ...ok }),
  ],
  [
    'bad actions',
    steps(
      { ...action, action: 'get_customer' },
      { ...action, action: 'my app.get' },
      { ...action, action: 7 },
    ),
  ],
  [
    'connection without action, and empty',
    steps({ ...ok, connection: 'prod' }, { ...action, connection: '' }),
  ],
  ['retry on an action step', steps({ ...action, retry: { total: 1 } })],
  [
    'bad retry counters',
    steps({ ...ok, retry: { total: '3', connect: -1, read: 1.5, status: false, other: true } }),
  ],
  [
    'bad retry lists, seconds and flags',
    steps({
      ...ok,
      retry: {
        allowed_methods: 'GET',
        status_forcelist: [429, 600],
        backoff_factor: -0.5,
        raise_on_status: 'yes',
        remove_headers_on_redirect: 'Cookie',
      },
    }),
  ],
  ['unknown default_retry keys', doc({ default_retry: { totl: 3, max_retries: 2, jitter: 1 } })],
  ['a retry that is not an object', doc({ default_retry: 3 })],
  ['a trigger of two kinds', doc({ trigger: { schedule: { cron: '* * * * *' }, webhook: {} } })],
  ['an empty trigger', doc({ trigger: {} })],
  ['a trigger that is a string', doc({ trigger: 'daily' })],
  ['a trigger of an unknown kind', doc({ trigger: { cron: '* * * * *' } })],
  [
    'a schedule without cron, with unknown keys',
    doc({ trigger: { schedule: { tz: 'UTC', timeZone: 'UTC' } } }),
  ],
  ['a cron that is a number', doc({ trigger: { schedule: { cron: 5, timezone: 7 } } })],
  ['a poll without connector', doc({ trigger: { poll: { trigger: 'x', interval: 0, extra: 1 } } })],
  ['a webhook with a bad hmac header', doc({ trigger: { webhook: { hmac_header: 'X Sig', other: 1 } } })],
  [
    'bad header names and values',
    steps({
      name: 'a',
      apispec: {
        url: 'https://x.test',
        headers: { 'X Trace': 1, '{{ INPUT.h }}': 2, 'X-A': { b: 1 }, 'X-Ok': 3 },
      },
    }),
  ],
  [
    'params, data and json_body of the wrong types, and both bodies',
    steps(
      { name: 'a', apispec: { url: 'https://x.test', params: 3, data: [1] } },
      { name: 'b', apispec: { url: 'https://x.test', data: { a: 1 }, json_body: { a: 1 } } },
    ),
  ],
  [
    'bad url and method, missing url',
    steps(
      { name: 'a', apispec: { url: 42, method: 'GET ME' } },
      { name: 'b', apispec: { method: 'get' } },
      { name: 'c', apispec: 'https://x.test' },
    ),
  ],
  ['an empty name', { name: '', steps: [ok] }],
  ['a name with NUL', { name: 'w\u0000', steps: [ok] }],
  ['a name that is a number', { name: 5, steps: [ok] }],
  [
    'bad stored fields',
    doc({
      scope: 'public',
      version: 0,
      deleted: 'no',
      user_id: 'nope',
      created: 'yesterday',
      updated: 5,
      uid: '',
      workspace_id: '',
    }),
  ],
  ['bad limits', steps({ ...ok, rate_limit: { requests: 0, per_seconds: 0, extra: 1 }, concurrency: 0 })],
  ['a default_rate_limit that is a number', doc({ default_rate_limit: 10 })],
  [
    'problems nested at every level at once',
    {
      name: 1,
      extra: true,
      trigger: { schedule: {}, poll: { connector: 7 } },
      default_retry: { total: -1, backoff_factor: 'x' },
      steps: [
        {
          name: 'a',
          apispec: { url: 1, headers: { 'bad name': { x: 1 } } },
          action: 'x',
          retry: { total: -1 },
        },
        {},
        5,
        { name: 'c', action: 'a.b', connection: 3, retry: 'never', input: [1, 2], concurrency: 'x' },
      ],
    },
  ],
  ['1,000 steps with no kind', steps(...times(1000, (i) => ({ name: `s${i}` })))],
  [
    '1,000 steps of both kinds with bad retries and headers',
    steps(
      ...times(1000, (i) => ({
        name: `s${i}`,
        apispec: { url: 'https://x.test', headers: { [`X ${i}`]: 1 } },
        action: 'my_app.get',
        retry: { total: -i },
      })),
    ),
  ],
];

const schema = workflowSchemaSource(STEP_KINDS, TRIGGER_KINDS);
let precompiled: WorkflowValidator;
let compiled: WorkflowValidator;
let built: { file: string; hash: string };

beforeAll(async () => {
  built = await writePrecompiledValidator(OUT);
  where.file = built.file;
  const loaded = loadPrecompiledValidator(schema, built.file);
  if (loaded === undefined) throw new Error(`${built.file} was not loaded`);
  precompiled = loaded;
  compiled = compileWorkflowValidator(schema);
}, 60_000);

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('the precompiled workflow validator', () => {
  it('is written with the hash of the built-in kinds schema', () => {
    expect(built.file).toBe(join(OUT, PRECOMPILED_VALIDATOR_FILE));
    expect(built.hash).toBe(workflowSchemaHash(schema));
    expect(readFileSync(built.file, 'utf8')).toContain(`module.exports.schemaHash = "${built.hash}";`);
  });

  it.each(DOCUMENTS)('gives the same errors and problems as the compiled one: %s', (_, value) => {
    const expected = validatorProblems(compiled, value, schema);
    const compiledErrors = compiled.errors;
    expect(validatorProblems(precompiled, value, schema)).toEqual(expected);
    // The Ajv errors themselves, verbose fields included (deep, not by identity: standalone code holds
    // its own copy of the schema).
    expect(isDeepStrictEqual(precompiled.errors, compiledErrors)).toBe(true);
    expect(schemaProblems(value, STEP_KINDS, TRIGGER_KINDS)).toEqual(expected);
  });

  it('covers valid documents and many kinds of problems', () => {
    const counts = DOCUMENTS.map(([, value]) => validatorProblems(compiled, value, schema).length);
    expect(counts.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(counts.slice(6).every((n) => n > 0)).toBe(true);
  });

  it('is what schemaProblems uses for the built-in kinds, and only for them', () => {
    expect(loads).toEqual([precompiled]);
    const httpOnly = new StepKinds(STEP_KINDS.list.slice(0, 1));
    expect(schemaProblems(steps(action), httpOnly, TRIGGER_KINDS)).not.toEqual([]);
    expect(loads).toHaveLength(1);
  });
});

describe('loadPrecompiledValidator', () => {
  const write = (name: string, text: string) => {
    const file = join(OUT, name);
    mkdirSync(OUT, { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('ignores a missing file', () => {
    expect(loadPrecompiledValidator(schema, join(OUT, 'missing.cjs'))).toBeUndefined();
  });

  it('ignores a file that does not load or holds no validator', () => {
    expect(loadPrecompiledValidator(schema, write('broken.cjs', 'module.exports = ('))).toBeUndefined();
    expect(loadPrecompiledValidator(schema, write('object.cjs', 'module.exports = {};'))).toBeUndefined();
  });

  it('ignores a file built from another schema, or with another hash', async () => {
    const other = workflowSchemaSource(new StepKinds(STEP_KINDS.list.slice(0, 1)), TRIGGER_KINDS);
    const { file } = await writePrecompiledValidator(join(OUT, 'other'), other);
    expect(loadPrecompiledValidator(schema, file)).toBeUndefined();
    expect(loadPrecompiledValidator(other, file)).toBeTypeOf('function');
    const stale = readFileSync(built.file, 'utf8').replace(built.hash, '0'.repeat(64));
    expect(loadPrecompiledValidator(schema, write('stale.cjs', stale))).toBeUndefined();
  }, 60_000);

  it('makes schemaProblems compile when the file is stale, with the same problems', async () => {
    const stale = readFileSync(built.file, 'utf8').replace(built.hash, '0'.repeat(64));
    where.file = write('stale-default.cjs', stale);
    vi.resetModules();
    // Fresh modules: a fresh validator cache and fresh registries.
    const fresh = await import('../../src/workflow/schema-problems.js');
    const kinds = await import('../../src/steps/step-kinds.js');
    const triggers = await import('../../src/triggers/trigger-kinds.js');
    const before = loads.length;
    for (const [, value] of DOCUMENTS.slice(0, 12)) {
      expect(fresh.schemaProblems(value, kinds.STEP_KINDS, triggers.TRIGGER_KINDS)).toEqual(
        validatorProblems(compiled, value, schema),
      );
    }
    expect(loads.slice(before)).toEqual([undefined]);
  }, 60_000);
});
