/**
 * Issue 15, `paginate`: an HTTP step repeated page after page until `paginate.next` renders empty, each
 * page its own call committed before the next, so a resumed run goes on at the page it was on. Real
 * calls to a loopback server; records read back from a SQLite store.
 */
import {
  getRunRecord,
  parseWorkflow,
  resumeRun,
  type Store,
  TemplateRenderer,
  type Workflow,
} from '@sluice/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { type Harness, START, useEngineHarness } from '../helpers/engine-harness.js';
import type { FlakyServer, FlakyStep } from '../helpers/flaky-server.js';

let server: FlakyServer;
let engine: Harness;
useEngineHarness((s, e) => {
  server = s;
  engine = e;
});
const renderer = new TemplateRenderer();
afterAll(() => renderer.close());

const page = (items: unknown[], next: unknown): FlakyStep => ({
  status: 200,
  body: { items, next_page: next },
});

/** Pages of `size` numbered items each; the last has no next page. */
function pages(count: number, size = 2): FlakyStep[] {
  return Array.from({ length: count }, (_, index) =>
    page(
      Array.from({ length: size }, (_, i) => index * size + i),
      index + 1 < count ? index + 2 : null,
    ),
  );
}

/** A workflow whose `customers` step pages through `path`, then a step that reports its output. */
function paged(
  path: string,
  paginate: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Workflow {
  server.script(`${path}/report`, [{ status: 200, body: {} }]);
  return {
    name: 'paged',
    scope: 'workspace',
    steps: [
      {
        name: 'customers',
        apispec: {
          url: server.url(path),
          method: 'GET',
          params: {
            page: '{{ CURRENT_STEP.page.next | default(1, true) }}',
            index: '{{ CURRENT_STEP.page.index }}',
          },
        },
        paginate: {
          next: '{{ CURRENT_STEP.response.body.next_page }}',
          items: '{{ CURRENT_STEP.response.body.items }}',
          ...paginate,
        },
        ...extra,
      } as Workflow['steps'][number],
      {
        name: 'report',
        apispec: { url: server.url(`${path}/report`), method: 'POST', json_body: '{{ STEPS.customers }}' },
      },
    ],
  };
}

const reported = (path: string) => JSON.parse(server.requests(`${path}/report`).at(-1)?.body ?? '{}');

describe('paginate', () => {
  it("calls page after page until next renders empty; the output is every page's items in order", async () => {
    server.script('/three', pages(3));
    const { outcome, record } = await engine.run(paged('/three', {}));
    expect(outcome.status).toBe('succeeded');
    const seen = server.requests('/three');
    expect(seen.map((r) => [r.query.get('page'), r.query.get('index')])).toEqual([
      ['1', '0'],
      ['2', '1'],
      ['3', '2'],
    ]);
    // Every page its own idempotency key; the first is the item's.
    const keys = seen.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    expect(keys[0]).toBe(record.steps[0]?.idempotency_key);
    expect(record.steps[0]?.output).toEqual([0, 1, 2, 3, 4, 5]);
    expect(record.steps[0]?.attempts).toBe(3);
    expect(record.steps[0]?.history.map((entry) => [entry.page, entry.status])).toEqual([
      [0, 200],
      [1, 200],
      [2, 200],
    ]);
    expect(reported('/three')).toEqual({ output: [0, 1, 2, 3, 4, 5], errors: [] });
  });

  it("takes the response body as a page's items by default, and a next URL as the next call's URL", async () => {
    server.script('/by-url', [
      { status: 200, headers: { link: server.url('/by-url?cursor=b') }, body: ['a1', 'a2'] },
      { status: 200, headers: { link: '' }, body: ['b1'] },
    ]);
    const flow: Workflow = {
      name: 'by-url',
      scope: 'workspace',
      steps: [
        {
          name: 'all',
          apispec: { url: `{{ CURRENT_STEP.page.next or '${server.url('/by-url')}' }}`, method: 'GET' },
          paginate: { next: '{{ CURRENT_STEP.response.headers.link }}' },
        } as Workflow['steps'][number],
      ],
    };
    const { record } = await engine.run(flow);
    expect(record.steps[0]?.output).toEqual(['a1', 'a2', 'b1']);
    expect(server.requests('/by-url').map((r) => r.query.get('cursor'))).toEqual([null, 'b']);
  });

  it('counts null items as none and stops on an empty list, false or an empty string', async () => {
    for (const [prefix, last] of [
      ['/stop-empty-list', []],
      ['/stop-false', false],
      ['/stop-empty-string', ''],
    ] as const) {
      server.script(prefix, [page([1], 2), { status: 200, body: { items: null, next_page: last } }]);
      const { record } = await engine.run(paged(prefix, {}));
      expect([prefix, record.steps[0]?.output, server.count(prefix)]).toEqual([prefix, [1], 2]);
    }
  });

  it('fails the step at max_pages when there is still a next page, and continues with on_error: continue', async () => {
    server.script('/capped', pages(10));
    const { outcome, record } = await engine.run(paged('/capped', { max_pages: 3 }));
    expect(outcome.status).toBe('failed');
    expect(server.count('/capped')).toBe(3);
    expect(record.steps[0]?.error?.message).toContain('max_pages (3)');
    expect(record.steps[0]?.attempts).toBe(3);

    server.script('/capped-on', pages(10));
    const going = await engine.run(paged('/capped-on', { max_pages: 2 }, { on_error: 'continue' }));
    expect(going.outcome.status).toBe('succeeded');
    expect(reported('/capped-on').output).toBeNull();
    expect(reported('/capped-on').errors[0].error.message).toContain('max_pages (2)');
  });

  it('fails with a message naming the page when items is not a list, or next repeats itself', async () => {
    server.script('/not-list', [page([1], 2), { status: 200, body: { items: { a: 1 }, next_page: null } }]);
    const notList = await engine.run(paged('/not-list', {}));
    expect(notList.record.steps[0]?.error?.message).toMatch(
      /paginate\.items must render a list; page 1 rendered/,
    );

    server.script('/same-next', [page([1], 'abc'), page([2], 'abc'), page([3], null)]);
    const repeated = await engine.run(paged('/same-next', {}));
    expect(repeated.outcome.status).toBe('failed');
    expect(repeated.record.steps[0]?.error?.message).toContain(
      'paginate.next rendered "abc" again on page 1',
    );
    expect(server.count('/same-next')).toBe(2);
  });

  it('fails the step when a page fails, keeping the attempts of the pages before it', async () => {
    server.script('/page-fails', [page([1], 2), { status: 404, body: { error: 'gone' } }]);
    const { record } = await engine.run(paged('/page-fails', {}));
    expect(record.steps[0]?.status).toBe('failed');
    expect(record.steps[0]?.error?.status).toBe(404);
    expect(record.steps[0]?.history.map((entry) => [entry.page, entry.status])).toEqual([
      [0, 200],
      [1, 404],
    ]);
  });

  it('pages each item of a fanned-out step on its own', async () => {
    server.script('/per-item', [page(['x0'], 2), page(['x1'], null), page(['y0'], null)]);
    const flow = paged('/per-item', {}, { input: ['x', 'y'] });
    const { record } = await engine.run(flow);
    expect(record.steps[0]?.output).toEqual([['x0', 'x1'], ['y0']]);
    expect(record.steps[0]?.items.map((item) => item.attempts)).toEqual([2, 1]);
  });

  it('resumes at the page it was on after a crash: committed pages are not fetched again', async () => {
    // The API answers a page again the same way: the script repeats page 2 for the call made again.
    const five = pages(5);
    server.script('/crash', [...five.slice(0, 3), ...five.slice(2)]);
    let progressWrites = 0;
    let dead = false;
    const alive = () => {
      if (dead) throw new Error('process died');
    };
    // The process dies while committing the progress after page 2 (pages 0 and 1 are committed), and
    // writes nothing more.
    const { runs } = engine.store;
    const crashing: Store = {
      getRun: (id) => runs.getRun(id),
      listSteps: (id) => runs.listSteps(id),
      listStepItems: (id) => runs.listStepItems(id),
      createRun: (run) => runs.createRun(run),
      updateRun: async (id, patch) => {
        alive();
        return runs.updateRun(id, patch);
      },
      saveStep: async (row) => {
        alive();
        return runs.saveStep(row);
      },
      saveStepItem: async (row) => {
        dead ||= ++progressWrites === 3;
        alive();
        return runs.saveStepItem(row);
      },
    };
    const flow = paged('/crash', {});
    await expect(engine.run(flow, { runId: 'run-crash', store: crashing })).rejects.toThrow('process died');
    const stored = (await engine.store.runs.listStepItems('run-crash'))[0];
    expect([stored?.status, stored?.output]).toEqual(['running', { pages: 2, next: 3, items: [0, 1, 2, 3] }]);

    const outcome = await resumeRun('run-crash', { store: engine.store.runs, renderer, now: () => START });
    expect(outcome.status).toBe('succeeded');
    const seen = server.requests('/crash');
    expect(seen.map((r) => r.query.get('page'))).toEqual(['1', '2', '3', '3', '4', '5']);
    // The page fetched again has the same key as the first time.
    expect(seen[2]?.headers['idempotency-key']).toBe(seen[3]?.headers['idempotency-key']);
    const record = await getRunRecord(engine.store.runs, 'run-crash');
    expect(record.steps[0]?.output).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(record.steps[0]?.history.map((entry) => entry.page)).toEqual([0, 1, 2, 3, 4]);
    expect(reported('/crash').output).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps its pages across a stored wait (a long Retry-After on a later page)', async () => {
    server.script('/waits', [
      page(['a'], 2),
      { status: 503, headers: { 'retry-after': '60' } },
      page(['b'], null),
    ]);
    const flow = paged('/waits', {});
    await engine.store.runs.createRun({
      id: 'run-waits',
      workflow_name: flow.name,
      workflow: flow,
      input: null,
      created_at: new Date(START).toISOString(),
    });
    let clock = START;
    const options = { store: engine.store.runs, renderer, now: () => clock, suspendLongWaits: true } as const;
    await expect(resumeRun('run-waits', options)).rejects.toMatchObject({ name: 'RunSuspended' });
    const waiting = (await engine.store.runs.listStepItems('run-waits'))[0];
    expect(waiting?.output).toEqual({ pages: 1, next: 2, items: ['a'] });
    expect(waiting?.history.map((entry) => [entry.page, entry.status])).toEqual([
      [0, 200],
      [1, 503],
    ]);
    clock += 61_000;
    const outcome = await resumeRun('run-waits', options);
    expect(outcome.status).toBe('succeeded');
    expect(server.requests('/waits').map((r) => r.query.get('page'))).toEqual(['1', '2', '2']);
    const record = await getRunRecord(engine.store.runs, 'run-waits');
    expect(record.steps[0]?.output).toEqual(['a', 'b']);
    expect(record.steps[0]?.history.map((entry) => [entry.page, entry.status])).toEqual([
      [0, 200],
      [1, 503],
      [1, 200],
    ]);
  });

  it('is refused at validate when misused, each problem at its field', async () => {
    const yaml = `
name: misused
steps:
  - name: a
    apispec: { url: "http://127.0.0.1:1/a" }
    paginate: { next: "{{ CURRENT_STEP.response.body.next }}", max_pages: 0 }
  - name: b
    apispec: { url: "http://127.0.0.1:1/b" }
    paginate: { items: "{{ CURRENT_STEP.response.body }}" }
  - name: c
    apispec: { url: "http://127.0.0.1:1/c" }
    paginate: { next: "{{ CURRENT_STEP.response.body.next }}" }
    output: "{{ CURRENT_STEP.response.body.items }}"
  - name: d
    action: some.thing
    paginate: { next: "{{ x }}" }
  - name: e
    apispec: { url: "http://127.0.0.1:1/e" }
    paginate: { next: "{{ CURRENT_STEP.response.body.next ", pages: 3 }
`;
    const problems = await parseWorkflow(yaml, { file: 'misused.yaml' }).then(
      () => [],
      (err: { problems?: { path: string; message: string }[] }) => err.problems ?? [],
    );
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['steps[0].paginate.max_pages']).toContain('must be an integer from 1 to 10000');
    expect(byPath['steps[1].paginate.next']).toBe('is required');
    expect(byPath['steps[2].output']).toContain('cannot be used with paginate');
    expect(byPath['steps[3].paginate']).toBe('is only allowed on a step with apispec');
    expect(byPath['steps[4].paginate.pages']).toContain('pages');
  });
});
