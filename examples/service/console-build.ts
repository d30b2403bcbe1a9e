/**
 * The web console for `npm start`: built with Vite when its `dist/` is missing or older than its
 * sources, so a fresh clone serves a working console, and a second start pays only for a look at the
 * files' times.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What the console's build reads: a change to any of them makes the `dist/` stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json', 'public'];

/** Whether `consoleDir/dist` is missing or older than a source of the console. */
export function consoleIsStale(consoleDir: string): boolean {
  const built = join(consoleDir, 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  return SOURCES.some((name) => newestChange(join(consoleDir, name)) > builtAt);
}

/**
 * Builds the console in `consoleDir` when {@link consoleIsStale}; resolves what was done and how long
 * it took.
 *
 * @throws {Error} when the build exits with an error (its output is on this process's stderr).
 */
export async function ensureConsoleBuilt(
  consoleDir: string,
): Promise<{ built: false } | { built: true; ms: number }> {
  if (!consoleIsStale(consoleDir)) return { built: false };
  const started = performance.now();
  // The vite the console's package resolves (npm hoists it to the root), run with this Node.
  const manifest = createRequire(join(consoleDir, 'package.json')).resolve('vite/package.json');
  const bin = join(dirname(manifest), 'bin', 'vite.js');
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'build', '--logLevel', 'warn'], {
      cwd: consoleDir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`building the console failed (vite build exited with ${code})`);
  return { built: true, ms: performance.now() - started };
}

/** The latest modification time of `path` and everything below it (0 when it does not exist). */
function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}
