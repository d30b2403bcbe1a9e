/**
 * `sluice workflows list|show|publish|delete|versions`: the workflows of a running `sluice serve`,
 * through its API (`GET|POST /v1/workflows`, `GET|PUT|DELETE /v1/workflows/{uid}`,
 * `GET /v1/workflows/{uid}/versions`). A table, or the API's JSON with `--json`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { VersionView, WorkflowListView, WorkflowView } from '@sluice/engine/api-types';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import type { ServiceClient } from '../service-client.js';
import {
  clientOf,
  findWorkflow,
  listWorkflows,
  onWorkflow,
  printJson,
  type ServiceOptions,
  serviceAction,
  serviceGroup,
  withServiceOptions,
} from '../service-command.js';
import { formatTable, formatTime } from '../table.js';

const WORKFLOWS_HELP = `A workflow is named by its uid or its name.

Examples:
  $ sluice workflows publish examples/workflows/hello.yaml
  $ sluice workflows list
  $ sluice workflows show hello --json
  $ sluice workflows versions hello
  $ sluice workflows delete hello`;

/** Registers `sluice workflows ...` on `program`. */
export function registerWorkflows(program: Command, io: CommandIo): void {
  const group = serviceGroup(
    program,
    'workflows',
    'list, show, publish and delete the workflows of a running sluice serve',
    WORKFLOWS_HELP,
  );
  withServiceOptions(
    group
      .command('list')
      .description("list your workspace's and the global workflows, with your last run of each"),
  ).action(serviceAction((options: ServiceOptions) => workflowsListCommand(options, io)));
  withServiceOptions(
    group
      .command('show')
      .description('show a workflow: its fields, trigger and steps')
      .argument('<workflow>', 'its uid or name'),
  ).action(serviceAction((ref: string, options: ServiceOptions) => workflowsShowCommand(ref, options, io)));
  withServiceOptions(
    group
      .command('publish')
      .description(
        'publish a workflow file (YAML or JSON): a new workflow, or a new version of the one with its uid or name',
      )
      .argument('<file>', 'the workflow document'),
  ).action(
    serviceAction((file: string, options: ServiceOptions) => workflowsPublishCommand(file, options, io)),
  );
  withServiceOptions(
    group
      .command('delete')
      .description('delete a workflow (its runs are kept; new runs are refused)')
      .argument('<workflow>', 'its uid or name'),
  ).action(serviceAction((ref: string, options: ServiceOptions) => workflowsDeleteCommand(ref, options, io)));
  withServiceOptions(
    group
      .command('versions')
      .description('list the versions of a workflow, newest first')
      .argument('<workflow>', 'its uid or name'),
  ).action(
    serviceAction((ref: string, options: ServiceOptions) => workflowsVersionsCommand(ref, options, io)),
  );
}

/** The trigger kind of a document (`schedule`, `webhook`, `poll`), or `-`. */
function triggerKind(workflow: WorkflowView): string {
  const trigger = workflow.trigger as Record<string, unknown> | undefined | null;
  return trigger === undefined || trigger === null ? '-' : (Object.keys(trigger)[0] ?? '-');
}

/** Prints every workflow the caller sees: a table, or `{ workflows, next_cursor: null }` as the API answers. */
export async function workflowsListCommand(options: ServiceOptions, io: CommandIo): Promise<void> {
  const workflows = await listWorkflows(clientOf(options));
  if (options.json === true) {
    printJson(io, { workflows, next_cursor: null });
    return;
  }
  io.stdout(
    formatTable(
      ['NAME', 'UID', 'VERSION', 'SCOPE', 'TRIGGER', 'STEPS', 'UPDATED', 'LAST RUN'],
      workflows.map((w: WorkflowListView) => [
        w.name,
        w.uid,
        String(w.version),
        w.scope,
        triggerKind(w),
        String(w.steps.length),
        formatTime(w.updated),
        w.last_run === null ? '-' : `${w.last_run.status} ${formatTime(w.last_run.created_at)}`,
      ]),
    ),
  );
  if (workflows.length === 0) io.stderr('no workflows: publish one with "sluice workflows publish <file>"\n');
}

/** Prints a workflow: its fields and steps, or the API's JSON. */
export async function workflowsShowCommand(
  ref: string,
  options: ServiceOptions,
  io: CommandIo,
): Promise<void> {
  const workflow = await findWorkflow(clientOf(options), ref);
  if (options.json === true) {
    printJson(io, workflow);
    return;
  }
  const lines = [
    `name:       ${workflow.name}`,
    `uid:        ${workflow.uid}`,
    `version:    ${workflow.version}`,
    `scope:      ${workflow.scope}`,
    `workspace:  ${workflow.workspace_id}`,
    `published:  ${formatTime(workflow.updated)} by ${workflow.user_id}`,
    `created:    ${formatTime(workflow.created)}`,
    `trigger:    ${triggerKind(workflow)}`,
    '',
  ];
  io.stdout(`${lines.join('\n')}\n`);
  io.stdout(
    formatTable(
      ['STEP', 'KIND', 'WHAT'],
      workflow.steps.map((step) => {
        const record = step as unknown as Record<string, unknown>;
        const kind =
          KINDS.find((k) => k in record) ?? Object.keys(record).find((k) => !STEP_BASE.has(k)) ?? '-';
        return [step.name, kind, stepWhat(record, kind)];
      }),
    ),
  );
}

/** The built-in step kinds, by the key of their body. */
const KINDS = ['apispec', 'action', 'wait', 'workflow'];

/** Fields every step has beside its kind's (`StepBase`). */
const STEP_BASE = new Set([
  'name',
  'when',
  'on_error',
  'input',
  'output',
  'concurrency',
  'retry',
  'rate_limit',
]);

/** A step's main fact: `GET https://...` for HTTP, the action, the wait. */
function stepWhat(step: Record<string, unknown>, kind: string): string {
  const body = step[kind] as Record<string, unknown> | string | undefined;
  if (typeof body === 'string') return body;
  if (body === undefined || body === null || typeof body !== 'object') return '';
  if (kind === 'apispec') return `${String(body.method ?? 'GET').toUpperCase()} ${String(body.url ?? '')}`;
  if (kind === 'wait')
    return body.seconds !== undefined ? `${String(body.seconds)}s` : `until ${String(body.until)}`;
  return '';
}

/** The `uid` and `name` a document gives itself, read without judging the rest. */
async function documentIds(text: string, file: string): Promise<{ uid?: string; name?: string }> {
  // Through `default`, which holds a CommonJS package's exports in Node and in the CLI bundle alike
  // (esbuild gives a CommonJS package loaded by `import()` only a default export).
  const { parse } = (await import('yaml')).default;
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new CliError(
      'SLUICE_CLI_FILE_PARSE',
      `workflow file ${file} does not parse: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'fix the YAML or JSON (sluice validate names each problem with its line)',
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError('SLUICE_CLI_FILE_PARSE', `workflow file ${file} is not a mapping (an object)`, {
      hint: 'a workflow document has name and steps at its top level (docs/workflows.md)',
    });
  }
  const { uid, name } = value as { uid?: unknown; name?: unknown };
  return {
    ...(typeof uid === 'string' ? { uid } : {}),
    ...(typeof name === 'string' ? { name } : {}),
  };
}

/** The workflow a publish replaces: the one with the document's uid, else the only one with its name. */
async function publishTarget(
  client: ServiceClient,
  ids: { uid?: string; name?: string },
): Promise<WorkflowView | undefined> {
  if (ids.uid !== undefined) {
    return client.get<WorkflowView>(`/v1/workflows/${encodeURIComponent(ids.uid)}`).catch((err: unknown) => {
      if ((err as { status?: unknown }).status === 404) return undefined;
      throw err;
    });
  }
  if (ids.name === undefined) return undefined;
  const me = await client.get<{ workspace_id: string }>('/v1/me');
  const named = (await listWorkflows(client)).filter(
    (w) => w.name === ids.name && w.workspace_id === me.workspace_id,
  );
  if (named.length > 1) {
    throw new CliError(
      'SLUICE_CLI_OPTION',
      `${named.length} workflows are named ${JSON.stringify(ids.name)}`,
      {
        hint: `add the uid of the one to replace to the document: ${named.map((w) => w.uid).join(', ')}`,
      },
    );
  }
  return named[0];
}

/**
 * Publishes `file`: `PUT /v1/workflows/{uid}` when a workflow has its uid (or, without a uid, its name
 * in the caller's workspace), else `POST /v1/workflows`. YAML is sent as YAML, so the API's problems
 * name the file's lines.
 *
 * @throws {CliError} `SLUICE_CLI_FILE_READ`, `SLUICE_CLI_FILE_PARSE`; {@link ServiceError}
 * `SLUICE_WORKFLOW_INVALID` with each problem.
 */
export async function workflowsPublishCommand(
  file: string,
  options: ServiceOptions,
  io: CommandIo,
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message;
    throw new CliError('SLUICE_CLI_FILE_READ', `cannot read workflow file ${file}: ${reason}`, {
      cause: err,
      hint: `check the path (relative paths start at ${process.cwd()})`,
    });
  }
  const client = clientOf(options);
  const existing = await publishTarget(client, await documentIds(text, file));
  const json = extname(file).toLowerCase() === '.json';
  const body = { body: text, contentType: json ? 'application/json' : 'application/yaml' };
  const answer =
    existing === undefined
      ? await client.request<WorkflowView>('POST', '/v1/workflows', body)
      : await client.request<WorkflowView>('PUT', `/v1/workflows/${encodeURIComponent(existing.uid)}`, body);
  const stored = answer.body;
  if (options.json === true) {
    printJson(io, stored);
    return;
  }
  const what = existing === undefined ? 'published new workflow' : 'published';
  io.stdout(`${what} ${stored.name} (uid ${stored.uid}) version ${stored.version}\n`);
}

/** Deletes a workflow. */
export async function workflowsDeleteCommand(
  ref: string,
  options: ServiceOptions,
  io: CommandIo,
): Promise<void> {
  const { workflow, answer } = await onWorkflow<WorkflowView>(ref, options, io, 'DELETE');
  if (answer !== undefined) io.stdout(`deleted workflow ${workflow.name} (uid ${workflow.uid})\n`);
}

/** Prints the versions of a workflow, newest first. */
export async function workflowsVersionsCommand(
  ref: string,
  options: ServiceOptions,
  io: CommandIo,
): Promise<void> {
  const { answer } = await onWorkflow<{ versions: VersionView[] }>(ref, options, io, 'GET', '/versions');
  if (answer === undefined) return;
  io.stdout(
    formatTable(
      ['VERSION', 'NAME', 'STEPS', 'PUBLISHED', 'BY'],
      answer.versions.map((v) => [
        String(v.version),
        v.name,
        String(v.steps),
        formatTime(v.updated),
        v.user_id,
      ]),
    ),
  );
}
