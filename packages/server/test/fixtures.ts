/**
 * Test fixtures: temporary service projects inside the repository (so route files written there resolve
 * `@sluice/server`), and routers built on them that are closed in teardown.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type RouterOptions } from '@sluice/server';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A temporary project folder. */
export interface TempProject {
  readonly dir: string;
  /** Writes a file (objects as JSON), creating its folders; returns the absolute path. */
  write(path: string, content: unknown): string;
  remove(): void;
}

/** Creates a project folder under `test-output/`. */
export function tempProject(prefix = 'server'): TempProject {
  const dir = join(REPO_ROOT, 'test-output', `${prefix}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    write(path, content) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A route file that answers `{ data: { route: <label> } }` on POST /execute. */
export function echoRoute(label: string): string {
  return `import { route } from '@sluice/server';
export const execute = route({ path: '/execute' }, (request) => ({ route: ${JSON.stringify(label)}, got: request.data }));
`;
}

/** Routers made by {@link makeRouter}, closed by {@link closeRouters}. */
const open: Router[] = [];

/** A router on `dir` with no environment of its own (no process.env) and logs off, made ready. */
export async function makeRouter(dir: string, options: RouterOptions = {}): Promise<Router> {
  const router = new Router({ cwd: dir, env: {}, logger: false, ...options });
  open.push(router);
  await router.ready();
  return router;
}

/** Closes every router made so far. */
export async function closeRouters(): Promise<void> {
  await Promise.all(open.splice(0).map((router) => router.close()));
}
