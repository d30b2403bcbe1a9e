/**
 * `sluice run <workflow file>`: validates a workflow and runs it locally, recorded in memory (a
 * `MemoryRunStore`, gone at exit) unless `--db` names a SQLite file, with `SYSTEM_APIS` and `USER` from `sluice.yaml` in the
 * working directory and the `--system-apis` / `--user` flags (flags win, key by key).
 *
 * Exit codes: 0 the run succeeded, 1 it failed (or the command line, a file or the store failed), 2 the
 * document is invalid (every problem is printed; no run starts).
 *
 * `--step <name>` tests that one step instead (`testStep`, as `POST /v1/workflows/{uid}/steps/{name}/test`
 * does in the service): against the state of `--state` (`INPUT` and the earlier `STEPS`; `--input`, when
 * given, replaces its `INPUT`), recording nothing; exit 0 when the step succeeded or was skipped.
 *
 * @module
 */
import { isAbsolute, relative } from 'node:path';
import type {
  RunRecord,
  StepErrorRecord,
  StepFailedError,
  StepTestProblem,
  StepTestResult,
  TemplateRenderer,
  TestStepOptions,
  Workflow,
} from '@sluice/engine';
import { silentLogger } from '@sluice/sdk';
import type { Command } from 'commander';
import type { CommandIo } from '../command-io.js';
import { CliError } from '../errors.js';
import { type DebugOptions, debugOption } from '../options/debug.js';
import { createProgress, type Progress } from '../progress.js';
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
  /** Test this one step instead of running the workflow (nothing is recorded). */
  step?: string;
  /** The state `--step` runs against: `{ INPUT, STEPS }`, inline JSON or a JSON or YAML file. */
  state?: string;
}

const RUN_HELP = `
Runs a workflow locally and records it: in memory (gone at exit), or in the SQLite file --db names.
SYSTEM_APIS and USER come from sluice.yaml (keys system_apis, user, secret_names): the first one
beside the workflow file or in a folder above it, else the one in the working directory (the file
used is printed on stderr), overridden key by key by --system-apis and --user. A template that names
a SYSTEM_APIS key none of them defines makes the workflow invalid. Steps show as they progress (a
spinner on a terminal, one line per step otherwise); --json prints only the run record on stdout.

Exit codes: 0 the run succeeded, 1 it failed (the error names the step, its last status and the
start of the body), 2 the workflow is invalid (every problem is printed; nothing runs).

--step NAME tests one step instead, recording nothing: against --state, a file of
{"INPUT": ..., "STEPS": {"<earlier step>": {"output": ...}}} (--input, when given, replaces its INPUT).
It prints the step's line and output (--json: status, output, error and every item's attempts); exit
0 when the step succeeded or was skipped, 1 otherwise. A wait step answers at once with when it
would end.

Examples:
  $ sluice run examples/workflows/list-and-notify.yaml --input '{"limit": 10}'
  $ sluice run flow.yaml --input input.json --json > run.json
  $ sluice run flow.yaml --db runs.db --system-apis '{"my_app": "http://127.0.0.1:4010"}'
  $ sluice run flow.yaml --user user.yaml --verbose
  $ sluice run flow.yaml --step notify --state state.json --json`;

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
    .option('--step <name>', 'test this one step instead of running the workflow (nothing is recorded)')
    .option('--state <json|file>', 'with --step: {"INPUT": ..., "STEPS": {"<step>": {"output": ...}}}')
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

/** `path` relative to the working directory when it is below it, else absolute. */
function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
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
  const { describeConfigSources, findLocalRunConfig, parseLocalRunConfig, withRunFlags } = await import(
    '../local-run-config.js'
  );
  const configFile = findLocalRunConfig(file, process.cwd());
  const configName = configFile === undefined ? 'sluice.yaml' : shownPath(configFile);
  const fromFile = parseLocalRunConfig(
    configFile === undefined ? undefined : loadDataFile(configFile, configName),
    configName,
  );
  const config = withRunFlags(fromFile, {
    systemApis:
      options.systemApis === undefined ? undefined : loadDataOption(options.systemApis, '--system-apis'),
    user: options.user === undefined ? undefined : loadDataOption(options.user, '--user'),
  });
  let workflow: Awaited<ReturnType<typeof loadWorkflowFile>>;
  try {
    // The SYSTEM_APIS keys are known: a template naming another one is a problem before anything runs.
    workflow = await loadWorkflowFile(file, { renderer: templates, systemApis: config.systemApis });
  } catch (err) {
    if (!(err instanceof WorkflowParseError)) throw err;
    const text = workflowProblemsText(err, file, 'is not a valid workflow; nothing was run');
    const namesApis = err.problems.some((problem) => problem.message.includes('SYSTEM_APIS key'));
    io.stderr(namesApis ? `${text}hint: ${describeConfigSources(file, configName, configFile)}\n` : text);
    return INVALID_EXIT_CODE;
  }
  const stepIndex = stepToTest(engine, workflow, file, options);
  refuseActionSteps(engine, workflow, file, stepIndex);
  const input = options.input === undefined ? null : loadDataOption(options.input, '--input');
  const token = config.user.token;
  io.addSecrets?.(() => (typeof token === 'string' && token !== '' ? [token] : []));

  const tty = io.isTty ?? process.stdout.isTTY === true;
  const progress = options.json
    ? undefined
    : createProgress({
        write: (text) => io.stdout(text),
        tty,
        ...(configFile === undefined ? {} : { settings: configName }),
      });
  const logger = options.verbose
    ? createStderrLogger({ write: (line) => io.stderr(line), secrets: () => [] })
    : silentLogger;
  if (options.step !== undefined) {
    // The state's own INPUT unless --input gives one.
    const given = options.state === undefined ? {} : loadDataOption(options.state, '--state');
    const checked = engine.checkStepTestState(workflow, given);
    if (!checked.ok) throw stateError(engine, options.state ?? '{}', checked.problems);
    const state = options.input === undefined ? checked.state : { ...checked.state, INPUT: input };
    const runOptions = { renderer: templates, systemApis: config.systemApis, user: config.user, logger };
    const test = { ...runOptions, secretNames: config.secretNames, state, progress };
    return testOneStep(engine, workflow, options.step, test, options, io);
  }
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
 * The index of the `--step` to test (`undefined` without `--step`), after checking the flags that go
 * with it.
 *
 * @throws {CliError} `SLUICE_CLI_OPTION` for an unknown step (with a did-you-mean), `--state` without
 * `--step`, or `--db` with it.
 */
function stepToTest(
  engine: EngineModule,
  workflow: Workflow,
  file: string,
  options: RunOptions,
): number | undefined {
  if (options.step === undefined) {
    if (options.state === undefined) return undefined;
    throw new CliError(
      'SLUICE_CLI_OPTION',
      '--state goes with --step: it is the state one step is tested against',
      {
        hint: 'add --step <name>, or give the run its INPUT with --input',
      },
    );
  }
  if (options.db !== undefined) {
    throw new CliError('SLUICE_CLI_OPTION', '--db does not go with --step: a step test records nothing', {
      hint: 'leave --db out, or run the whole workflow to record it',
    });
  }
  const found = engine.findStep(workflow, options.step);
  if ('index' in found) return found.index;
  throw new CliError('SLUICE_CLI_OPTION', `--step ${options.step}: ${file}: ${found.message}`, {
    hint: 'give the name of one of the steps of the workflow',
  });
}

/** The error for a `--state` that is not `{ INPUT, STEPS }`: the file and every problem, on one line. */
function stateError(engine: EngineModule, state: string, problems: readonly StepTestProblem[]) {
  const where = /^\s*[[{]/.test(state) ? '--state value' : `--state file ${state}`;
  const lines = problems.map((p) => `${p.path}: ${p.message}`);
  const head = problems.length === 1 ? lines[0] : `${problems.length} problems: ${lines.join('; ')}`;
  return new engine.EngineError('SLUICE_RUN_CONFIG', `${where}: ${head}`, {
    hint: 'the state is {"INPUT": ..., "STEPS": {"<earlier step>": {"output": ...}}}; USER and SYSTEM_APIS come from sluice.yaml, --user and --system-apis',
  });
}

/** What {@link testOneStep} runs the step with. */
type StepTestRun = Omit<TestStepOptions, 'onEvent'> & { progress: Progress | undefined };

/**
 * Tests step `name` of `workflow` and prints the answer: its line and output (or, with `--json`, the
 * whole answer). Resolves 0 when the step succeeded or was skipped.
 *
 * @throws {StepFailedError} `SLUICE_STEP_FAILED` when it failed or stopped at a long retry wait.
 */
async function testOneStep(
  engine: EngineModule,
  workflow: Workflow,
  name: string,
  run: StepTestRun,
  options: RunOptions,
  io: CommandIo,
): Promise<number> {
  const { createUndiciTransport } = await import('@sluice/sdk/internal');
  const { progress, ...testOptions } = run;
  const transport = createUndiciTransport();
  const started = Date.now();
  let result: StepTestResult;
  try {
    io.stdout(options.json ? '' : `test of step ${name} of ${workflow.name} (nothing is recorded)\n`);
    result = await engine.testStep(workflow, name, {
      ...testOptions,
      transport,
      ...(progress === undefined ? {} : { onEvent: (event) => progress.onEvent(event) }),
    });
    progress?.onEvent({
      type: 'step-finished',
      runId: '',
      step: name,
      stepIndex: workflow.steps.findIndex((step) => step.name === name),
      status: result.status === 'waiting' ? 'failed' : result.status,
      attempts: result.attempts,
      durationMs: Date.now() - started,
      error: result.error,
    });
  } finally {
    progress?.stop();
    await transport.close?.();
  }
  if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else io.stdout(stepTestText(result));
  if (result.status === 'succeeded' || result.status === 'skipped') return 0;
  const last = result.items.findLast((item) => item.error !== null)?.error;
  const error: StepErrorRecord =
    result.status === 'waiting'
      ? {
          type: 'other',
          message: `stopped at a retry wait until ${result.wait_until}; a run would wait, then try again`,
        }
      : (result.error ?? last ?? { type: 'other', message: 'the step failed' });
  throw stepFailure(engine, name, error, result.attempts);
}

/** What a step test prints after the step's line: when a wait would end, and the output. */
function stepTestText(result: StepTestResult): string {
  const wait = result.wait_until === null ? '' : `would wait until ${result.wait_until} (not waited)\n`;
  if (result.status !== 'succeeded') return wait;
  const errors = result.errors.map(
    (e) => `item ${e.index} failed (on_error: continue): ${e.error.message}\n`,
  );
  return `${wait}${errors.join('')}output:\n${JSON.stringify(result.output, null, 2)}\n`;
}

/**
 * `sluice run` has no connectors or stored connections, so a workflow with an action step is refused
 * before anything runs, rather than failing half-way (with `--step`, only when that step is one).
 */
function refuseActionSteps(
  engine: EngineModule,
  workflow: Workflow,
  file: string,
  tested: number | undefined,
): void {
  const { EngineError, isActionStep } = engine;
  const index =
    tested === undefined
      ? workflow.steps.findIndex(isActionStep)
      : isActionStep(workflow.steps[tested] as Workflow['steps'][number])
        ? tested
        : -1;
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
  const step = record.steps.find((s) => s.status === 'failed');
  return stepFailure(engine, step?.name ?? '?', step?.error ?? record.error, step?.attempts ?? 0);
}

/** The error printed for a failed step: its error class, last status and body start. */
function stepFailure(
  engine: EngineModule,
  name: string,
  error: StepErrorRecord | null,
  attempts: number,
): StepFailedError {
  const { StepFailedError } = engine;
  const body = error?.body === undefined || error.body === '' ? '' : `; body: ${error.body}`;
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
    attempts,
    body: error?.body,
    hint: 'run again with --json to see every attempt of every step',
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
