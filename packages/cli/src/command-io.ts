/**
 * `CommandIo`: where the program and every command write, and how a command reports an exit code. `main.ts`
 * hands over process.stdout and process.stderr; tests hand over strings.
 *
 * @module
 */

/** Where the program and its commands write. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Registers values to mask wherever the program prints them (errors included). */
  addSecrets?(source: () => readonly string[]): void;
  /** Sets the exit code of a command that finished without throwing (e.g. 2: the workflow is invalid). */
  setExitCode?(code: number): void;
  /** Whether stdout is a terminal (`sluice run` then shows a spinner). @default process.stdout.isTTY */
  isTty?: boolean;
}
