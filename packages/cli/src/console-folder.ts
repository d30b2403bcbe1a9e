/**
 * Where the web console is built: the `dist` folder of the `@sluice/console` workspace package, which
 * `sluice serve` hands to the engine's API (`createApi({ console })`).
 *
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the built console. It may hold no build (`npm run build` makes it); the API then answers
 * `/` with a 503 page saying how to build it. `@sluice/console` is private to the repository, so it is not
 * a declared dependency: when it does not resolve, this is where the workspace would put it
 * (`packages/cli/src` and `packages/cli/dist` are both two folders below `packages`).
 */
export function consoleFolder(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve('@sluice/console/package.json');
    return join(dirname(manifest), 'dist');
  } catch {
    return fileURLToPath(new URL('../../console/dist', import.meta.url));
  }
}
