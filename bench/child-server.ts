/**
 * Starts a benchmark's server in a child process, so its work does not share the measuring process's
 * event loop. The script prints one JSON line `{"url": ...}` once it listens and stops on SIGTERM.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** A server running in a child process. */
export interface ChildServer {
  url: string;
  /** The child's process id (for its CPU time and memory in `/proc`). */
  pid: number;
  stop(): Promise<void>;
}

/** Runs `script` (resolved against the caller's `import.meta.url`) with `args`, with the same Node flags. */
export async function startChildServer(script: URL, args: readonly string[]): Promise<ChildServer> {
  const child = spawn(process.execPath, [...process.execArgv, script.pathname, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffered = '';
  for await (const chunk of child.stdout) {
    buffered += String(chunk);
    if (buffered.includes('\n')) break;
  }
  const line = buffered.split('\n')[0] ?? '';
  if (line === '') throw new Error(`${script.pathname} exited before it printed its URL`);
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
