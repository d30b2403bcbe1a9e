import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../src/model/workflow.js';
import { admitRun } from '../../src/run/admit-run.js';
import { createRedactor } from '../../src/secrets/redactor.js';
import type { RunValueSealer } from '../../src/secrets/run-values.js';
import { freezeDocument, frozenDocumentJson } from '../../src/store/frozen-documents.js';
import { newRunToRow } from '../../src/store/runs/run-codec.js';
import type { ApiCaller, StoredWorkflow } from '../../src/store/service-store.js';

const document: Workflow = {
  name: 'sync',
  scope: 'workspace',
  steps: [{ name: 'a', apispec: { method: 'GET', url: 'https://example.test/x' } }],
} as unknown as Workflow;

const stored: StoredWorkflow = {
  uid: 'wf-1',
  version: 3,
  workspace_id: 'ws-owner',
  scope: 'workspace',
  user_id: 'publisher@example.test',
  name: 'sync',
  document,
  created: '2026-01-01T00:00:00.000Z',
  updated: '2026-01-02T00:00:00.000Z',
  deleted: false,
};

const caller: ApiCaller = {
  id: 'u@example.test',
  email: 'u@example.test',
  workspace_id: 'ws-caller',
  role: 'admin',
};

/** Seals by tagging: enough to see what was sealed, and where. */
const seal: RunValueSealer = {
  seal: (value, where) => `sealed:${where.runId}:${JSON.stringify(value)}`,
  open: () => undefined,
};

const at = '2026-03-04T05:06:07.000Z';

describe('admitRun', () => {
  it('builds the pending row of an API run, in the caller workspace, with its caller', () => {
    const { run, caller: startedBy } = admitRun({
      from: 'api',
      caller,
      stored,
      input: { q: 1 },
      createdAt: at,
      secrets: [],
      seal,
    });
    expect(startedBy).toBe(caller);
    expect(run).toEqual({
      id: expect.any(String),
      workflow_name: 'sync',
      workflow: { ...document, uid: 'wf-1', version: 3, workspace_id: 'ws-owner' },
      input: { q: 1 },
      sealed_input: null,
      created_at: at,
      workflow_uid: 'wf-1',
      workflow_version: 3,
      workspace_id: 'ws-caller',
      status: 'pending',
      origin: 'api',
    });
  });

  it('acts for the publisher, as a member, for every trigger kind', () => {
    // Every trigger kind admits its runs the same way: `from: 'trigger'`.
    const { run, caller: startedBy } = admitRun({
      from: 'trigger',
      stored,
      input: {},
      createdAt: at,
      secrets: [],
    });
    expect(startedBy).toEqual({
      id: 'publisher@example.test',
      email: 'publisher@example.test',
      workspace_id: 'ws-owner',
      role: 'member',
    });
    expect(run.workspace_id).toBe('ws-owner');
    // What started it: the key of the document's trigger kind.
    const scheduled = {
      ...stored,
      document: { ...stored.document, trigger: { schedule: { cron: '* * * * *' } } },
    };
    expect(
      admitRun({ from: 'trigger', stored: scheduled, input: {}, createdAt: at, secrets: [] }).run.origin,
    ).toBe('schedule');
  });

  it('redacts the workspace secrets and secret keys, and seals the unredacted input under the run id', () => {
    const input = { note: 'uses s3cr3t-value', api_key: 'k-123' };
    const { run } = admitRun({
      from: 'trigger',
      id: 'run-1',
      stored,
      input,
      createdAt: at,
      secrets: ['s3cr3t-value'],
      seal,
    });
    expect(run.id).toBe('run-1');
    expect(run.input).toEqual({ note: 'uses [redacted]', api_key: '[redacted]' });
    expect(run.sealed_input).toBe(`sealed:run-1:${JSON.stringify(input)}`);
  });

  it('gives a fresh id to each run', () => {
    const a = admitRun({ from: 'trigger', stored, input: {}, createdAt: at, secrets: [] });
    const b = admitRun({ from: 'trigger', stored, input: {}, createdAt: at, secrets: [] });
    expect(a.run.id).not.toBe(b.run.id);
  });

  it('builds a sluice run row with the run redactor, no caller, and the document own uid and workspace', () => {
    const workflow = { ...document, uid: 'local-uid' };
    const { run, caller: startedBy } = admitRun({
      from: 'local',
      id: 'run-2',
      workflow,
      input: { token: 'abc', text: 'with yaml-secret' },
      createdAt: at,
      redactor: createRedactor({ names: ['token'], values: ['yaml-secret'] }),
    });
    expect(startedBy).toBeUndefined();
    expect(run).toEqual({
      id: 'run-2',
      workflow_name: 'sync',
      workflow,
      input: { token: '[redacted]', text: 'with [redacted]' },
      sealed_input: null,
      created_at: at,
      workflow_uid: 'local-uid',
      workflow_version: null,
      workspace_id: null,
      status: 'pending',
      origin: 'local',
    });
  });

  describe('runs of a published version (its document frozen, as the store keeps it)', () => {
    const published = (doc: object): StoredWorkflow => ({
      ...stored,
      document: freezeDocument(structuredClone(doc)) as Workflow,
    });
    const admit = (of: StoredWorkflow, input: unknown, secrets: string[] = []) =>
      admitRun({ from: 'api', caller, stored: of, input, createdAt: at, secrets, seal }).run;

    it('share one copy of what they execute and its JSON text, equal to a fresh one', () => {
      const version = published(document);
      const first = admit(version, { q: 1 });
      const second = admit(version, { q: 2 });
      expect(second.workflow).toBe(first.workflow);
      expect(first.workflow).toEqual({ ...document, uid: 'wf-1', version: 3, workspace_id: 'ws-owner' });
      expect(frozenDocumentJson(first.workflow)).toBe(JSON.stringify(first.workflow));
      expect(newRunToRow(second).workflow).toBe(JSON.stringify(first.workflow));
    });

    it('redact a secret of the input or of a connection found in the document, each run as its own values say', () => {
      const token = 'tok_live_abcdefghijklmnop';
      const version = published({
        ...document,
        steps: [{ name: 'a', apispec: { method: 'GET', url: `https://example.test/x?key=${token}` } }],
      });
      const plain = admit(version, { q: 1 });
      expect(JSON.stringify(plain.workflow)).toContain(token);
      const withInputSecret = admit(version, { api_key: token });
      expect(JSON.stringify(withInputSecret.workflow)).not.toContain(token);
      expect(newRunToRow(withInputSecret).workflow).not.toContain(token);
      const withConnectionSecret = admit(version, { q: 2 }, [token]);
      expect(newRunToRow(withConnectionSecret).workflow).not.toContain(token);
      // The plain run's copy is not touched by the others.
      expect(JSON.stringify(admit(version, { q: 3 }).workflow)).toContain(token);
    });
  });
});
