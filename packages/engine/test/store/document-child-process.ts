/** Starts `document-checkpoint-child.ts` in a process of its own, as the crash tests do. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./document-checkpoint-child.ts', import.meta.url));

/** A child process and the lines it printed so far. */
export interface DocumentChild {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: string[];
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
}

/** Starts the child in `mode` on `file`. */
export function startChild(mode: 'close' | 'leave' | 'runs' | 'trigger', file: string): DocumentChild {
  const proc = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', CHILD, mode, file]);
  const lines: string[] = [];
  let rest = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  proc.stderr.pipe(process.stderr);
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
  return { proc, lines, exited };
}

/** Waits until `check` holds, looking again every 20 ms, or fails if the child exits first. */
export async function until(child: DocumentChild, check: () => boolean): Promise<void> {
  let gone = false;
  void child.exited.then(() => {
    gone = true;
  });
  while (!check()) {
    if (gone) throw new Error(`the child exited first; it printed: ${child.lines.join(' | ')}`);
    await new Promise((wait) => setTimeout(wait, 20));
  }
}

/** Kills the child (`kill -9`) and waits for its end. */
export async function killChild(child: DocumentChild): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}
