/**
 * `sluice run <workflow file>`: validates a workflow and runs it locally, recorded in memory (a
 * `MemoryRunStore`, gone at exit) unless `--db` names a SQLite file, with `SYSTEM_APIS` and `USER` from `sluice.yaml` in the
 * working directory and the `--system-apis` / `--user` flags (flags win, key by key).
 *
 * Exit codes: 0 the run succeeded, 1 it failed (or the command line, a file or the store failed), 2 the
 * document is invalid (every problem is printed; no run starts).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord, StepFailedError, TemplateRenderer, Workflow } from '@sluice/engine';
import { silentLogger } from '@sluice/sdk';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { type DebugOptions, debugOption } from '../options/debug.js';
import { createProgress } from '../progress.js';
import { createStderrLogger } from '../stderr-logger.js';
import { workflowProblemsText } from '../workflow-problems-text.js';
import { INVALID_EXIT_CODE } from './validate.js';

/** The engine's entry point, loaded on use. */
type EngineModule = typeof import('@sluice/engine');

/** The options of `sluice run`, as commander hands them over. */
export interface RunOptions extends DebugOptions {
  /** `INPUT`: inline JSON, or a JSON or YAML file. */
  input?: string;
  /** Print the run record as JSON on stdout (and nothing else there). */
  json?: boolean;
  /** Keep the run in this SQLite file instead of a throwaway database. */
  db?: string;
  /** `SYSTEM_APIS` keys: inline JSON, or a JSON or YAML file. */
  systemApis?: string;
  /** `USER` keys: inline JSON, or a JSON or YAML file. */
  user?: string;
  /** Log each step item and retry on stderr, secrets redacted. */
  verbose?: boolean;
}

/** The settings file looked for in the working directory. */
export const LOCAL_CONFIG_FILE = 'sluice.yaml';

const RUN_HELP = `
Runs a workflow locally and records it: in memory (gone at exit), or in the SQLite file --db names.
SYSTEM_APIS and USER come from sluice.yaml in the working directory (keys system_apis, user,
secret_names), overridden key by key by --system-apis and --user. Steps show as they progress (a
spinner on a terminal, one line per step otherwise); --json prints only the run record on stdout.

Exit codes: 0 the run succeeded, 1 it failed (the error names the step, its last status and the
start of the body), 2 the workflow is invalid (every problem is printed; nothing runs).

Examples:
  $ sluice run examples/workflows/list-and-notify.yaml --input '{"limit": 10}'
  $ sluice run flow.yaml --input input.json --json > run.json
  $ sluice run flow.yaml --db runs.db --system-apis '{"my_app": "http://127.0.0.1:4010"}'
  $ sluice run flow.yaml --user user.yaml --verbose`;

/** Registers `sluice run` on `program`. */
export function registerRun(program: Command, io: CommandIo): void {
  program
    .command('run')
    .description('run a workflow locally, show its steps, and record every attempt')
    .argument('<workflow>', 'the workflow file (.yaml, .yml or .json)')
    .option('--input <json|file>', 'INPUT of the run: inline JSON, or a JSON or YAML file')
    .option('--json', 'print the run record as JSON on stdout (succeeded or failed), and nothing else')
    .option('--db <file>', 'record the run in this SQLite file (default: in memory, gone at exit)')
    .option('--system-apis <json|file>', 'SYSTEM_APIS keys (override sluice.yaml system_apis)')
    .option('--user <json|file>', 'USER keys (override sluice.yaml user)')
    .option('--verbose', 'log each step item and retry on stderr, secrets redacted')
    .addOption(debugOption())
    .addHelpText('after', RUN_HELP)
    .action(async (workflow: string, options: RunOptions) => {
      io.setExitCode?.(await runCommand(workflow, options, io));
    });
}

/**
 * Runs the workflow in `file` and returns the exit code (0, 1 or 2, see the module comment).
 *
 * @throws {SluiceError} for a failed run (`SLUICE_STEP_FAILED`, after the record is printed), unreadable
 * files or flags (`SLUICE_CLI_FILE_*`, `SLUICE_RUN_CONFIG`) and store errors; the caller prints it.
 */
export async function runCommand(file: string, options: RunOptions, io: CommandIo): Promise<number> {
  // Loaded on use, as every command's dependencies are: `sluice --help` does not pay for the engine.
  const [engine, { InlineJobs }] = await Promise.all([
    import('@sluice/engine'),
    import('@sluice/engine/internal'),
  ]);
  // Templates render in this thread: the user's own file in their own process, so no worker thread
  // starts. Fuel and the output cap still apply; the deadline and the memory cap of the template
  // workers do not (docs/cli.md, "sluice run").
  const templates = new engine.TemplateRenderer({}, (settings) => new InlineJobs(settings));
  try {
    return await runWith(engine, templates, file, options, io);
  } finally {
    await templates.close();
  }
}

async function runWith(
  engine: EngineModule,
  templates: TemplateRenderer,
  file: string,
  options: RunOptions,
  io: CommandIo,
): Promise<number> {
  const {
    EngineError,
    getRunRecord,
    loadWorkflowFile,
    MemoryRunStore,
    openStore,
    runWorkflow,
    WorkflowParseError,
  } = engine;
  const { createUndiciTransport } = await import('@sluice/sdk/internal');
  const { loadDataFile, loadDataOption } = await import('../load-data-file.js');
  const { parseLocalRunConfig, withRunFlags } = await import('../local-run-config.js');
  let workflow: Awaited<ReturnType<typeof loadWorkflowFile>>;
  try {
    workflow = await loadWorkflowFile(file, { renderer: templates });
  } catch (err) {
    if (!(err instanceof WorkflowParseError)) throw err;
    io.stderr(workflowProblemsText(err, file, 'is not a valid workflow; nothing was run'));
    return INVALID_EXIT_CODE;
  }
  refuseActionSteps(engine, workflow, file);
  const input = options.input === undefined ? null : loadDataOption(options.input, '--input');
  const configFile = join(process.cwd(), LOCAL_CONFIG_FILE);
  const fromFile = parseLocalRunConfig(
    existsSync(configFile) ? loadDataFile(configFile, LOCAL_CONFIG_FILE) : undefined,
    LOCAL_CONFIG_FILE,
  );
  const config = withRunFlags(fromFile, {
    systemApis:
      options.systemApis === undefined ? undefined : loadDataOption(options.systemApis, '--system-apis'),
    user: options.user === undefined ? undefined : loadDataOption(options.user, '--user'),
  });
  const token = config.user.token;
  io.addSecrets?.(() => (typeof token === 'string' && token !== '' ? [token] : []));

  const tty = io.isTty ?? process.stdout.isTTY === true;
  const progress = options.json ? undefined : createProgress({ write: (text) => io.stdout(text), tty });
  const logger = options.verbose
    ? createStderrLogger({ write: (line) => io.stderr(line), secrets: () => [] })
    : silentLogger;
  const controller = new AbortController();
  const onSignal = () =>
    controller.abort(
      new EngineError(
        'SLUICE_RUN_CANCELLED',
        `run of ${file} interrupted (SIGINT); it is recorded as cancelled`,
        {
          hint:
            options.db === undefined
              ? 'give --db to keep the record of a run'
              : `its record is in ${options.db}`,
        },
      ),
    );
  process.once('SIGINT', onSignal);
  // Without --db the run is thrown away at exit: a memory store, so no SQL driver loads or migrates.
  const store = options.db === undefined ? new MemoryRunStore() : await openStore({ file: options.db });
  const runs = 'runs' in store ? store.runs : store;
  const transport = createUndiciTransport();
  let record: RunRecord;
  try {
    const outcome = await runWorkflow(workflow, {
      store: runs,
      renderer: templates,
      input,
      systemApis: config.systemApis,
      user: config.user,
      secretNames: config.secretNames,
      logger,
      transport,
      signal: controller.signal,
      ...(progress === undefined ? {} : { onEvent: (event) => progress.onEvent(event) }),
    });
    record = await getRunRecord(runs, outcome.id);
  } finally {
    progress?.stop();
    process.removeListener('SIGINT', onSignal);
    await transport.close?.();
    await store.close();
  }
  if (options.json) io.stdout(`${JSON.stringify(record, null, 2)}\n`);
  if (record.status === 'succeeded') return 0;
  throw failure(engine, record);
}

/**
 * `sluice run` has no connectors or stored connections, so a workflow with an action step is refused
 * before anything runs, rather than failing half-way.
 */
function refuseActionSteps(engine: EngineModule, workflow: Workflow, file: string): void {
  const { EngineError, isActionStep } = engine;
  const index = workflow.steps.findIndex(isActionStep);
  if (index === -1) return;
  const step = workflow.steps[index];
  const action = step !== undefined && isActionStep(step) ? step.action : '';
  throw new EngineError(
    'SLUICE_CONNECTOR_UNKNOWN',
    `${file}: steps[${index}].action: sluice run does not run connector action steps (${action}); nothing was run`,
    { hint: 'publish the workflow to sluice serve --connectors <dir> and start the run there' },
  );
}

/** The error printed for a failed run: the failed step, its error class, last status and body start. */
function failure(engine: EngineModule, record: RunRecord): StepFailedError {
  const { StepFailedError } = engine;
  const step = record.steps.find((s) => s.status === 'failed');
  const error = step?.error ?? record.error;
  const body = error?.body === undefined || error.body === '' ? '' : `; body: ${error.body}`;
  const name = step?.name ?? '?';
  // StepFailedError prefixes `steps.<name>: `; a template error's message starts with `steps.<name>.<field>`.
  const message = (error?.message ?? 'the run failed').replace(
    new RegExp(`^steps\\.${escapeRegExp(name)}(: |\\.)`),
    '',
  );
  return new StepFailedError({
    step: name,
    errorClass: error?.type ?? 'other',
    message: `${message}${body}`,
    status: error?.status,
    attempts: step?.attempts ?? 0,
    body: error?.body,
    hint: 'run again with --json to see every attempt of every step',
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
