/**
 * What the row of a new run keeps of its document and input (used by `admit-run.ts`, which builds every
 * run row): both redacted as the run's steps are. A service run (started through the API, a webhook
 * delivery, a schedule, a poll) is redacted with the secret key names, the values under those names in
 * the input and the connection secrets of the run's workspace, so a connection's value sent in the input
 * under an innocent key is never stored or shown in clear; a `sluice run` run with its own redactor
 * (which also knows `USER`, `SYSTEM_APIS` and `sluice.yaml`'s secrets). The unredacted input is sealed
 * beside it when redaction changed it: the run reads that copy back each time it executes, after a crash
 * too. An input that holds no secret (`Redactor.holdsNoSecret`: most inputs, and a large one costs one
 * walk that copies nothing) is kept as it is and adds no secret values.
 *
 * @internal
 * @module
 */

import type { Workflow } from '../model/workflow.js';
import { createRedactor, type Redactor, secretValuesIn } from '../secrets/redactor.js';
import { type RunValueSealer, sealIfRedacted } from '../secrets/run-values.js';
import { DEFAULT_SECRET_NAMES } from '../secrets/secret-names.js';
import { freezeDocument, isFrozenDocument } from '../store/frozen-documents.js';
import type { NewRun } from '../store/store.js';

/** Frozen, so the redactor prepares its set of names once (`redactedNames`), not for every run. */
const SECRET_NAMES: readonly string[] = Object.freeze(DEFAULT_SECRET_NAMES.map((n) => n.toLowerCase()));

/** Options of {@link storedRunValues}: the workspace's secrets, or the run's own redactor. */
export type StoredRunValuesOptions = (
  | {
      /** The connection secrets of the run's workspace (`ConnectionService.secretsOf`). */
      secrets: readonly string[];
      redactor?: never;
      inputHoldsNoSecret?: never;
    }
  | {
      /** The run's redactor, used as it is (`sluice run`: the execution context's). */
      redactor: Redactor;
      /** `redactor.holdsNoSecret(input)` was true: the input is kept as it is. @default false */
      inputHoldsNoSecret?: boolean | undefined;
      secrets?: never;
    }
) & {
  /** Seals the unredacted input when redaction changed it. @default none: only the redacted one is kept */
  seal?: RunValueSealer | undefined;
};

/** A published document redacted with each list of secret values seen (a few per workspace), kept. */
const REDACTED = new WeakMap<Workflow, Map<string, Workflow>>();

/** Redacted lists kept per document (the oldest dropped first). */
const REDACTED_KEPT = 16;

/**
 * `workflow` redacted with `redact` (names `SECRET_NAMES`, values `values`). A published version's frozen
 * document is redacted once per list of values and the result kept, so its runs share one copy (and its
 * JSON text, `store/frozen-documents.ts`) instead of walking it for every run.
 */
function redactedDocument(workflow: Workflow, values: readonly string[], redact: Redactor): Workflow {
  if (!isFrozenDocument(workflow)) return redact.value(workflow);
  let byValues = REDACTED.get(workflow);
  if (byValues === undefined) {
    byValues = new Map();
    REDACTED.set(workflow, byValues);
  }
  const key = values.join('\u0000');
  let redacted = byValues.get(key);
  if (redacted === undefined) {
    const copy = redact.value(workflow);
    redacted = copy === workflow ? workflow : freezeDocument(copy);
    if (byValues.size >= REDACTED_KEPT) byValues.delete(byValues.keys().next().value as string);
    byValues.set(key, redacted);
  }
  return redacted;
}

/** The `workflow`, `input` and `sealed_input` columns of run `runId`'s new row. */
export function storedRunValues(
  runId: string,
  workflow: Workflow,
  input: unknown,
  options: StoredRunValuesOptions,
): Pick<NewRun, 'workflow' | 'input' | 'sealed_input'> {
  let redact = options.redactor;
  let storedWorkflow: Workflow;
  let storedInput: unknown;
  if (redact === undefined) {
    const secrets = options.secrets ?? [];
    // An input that holds no secret (no value under a secret key, none of the workspace's secrets) adds
    // no values to redact and is kept as it is: one walk instead of collecting, then copying.
    const known = createRedactor({ names: SECRET_NAMES, values: secrets });
    const clean = known.holdsNoSecret({ input });
    const values = clean ? [...secrets] : [...secretValuesIn({ input }, SECRET_NAMES), ...secrets];
    redact = clean ? known : known.with(values);
    storedWorkflow = redactedDocument(workflow, values, redact);
    storedInput = clean ? input : redact.value(input);
  } else {
    storedWorkflow = redact.value(workflow);
    storedInput = options.inputHoldsNoSecret === true ? input : redact.value(input);
  }
  return {
    workflow: storedWorkflow,
    input: storedInput,
    sealed_input: sealIfRedacted(options.seal, input, storedInput, { runId, column: 'runs.sealed_input' }),
  };
}
