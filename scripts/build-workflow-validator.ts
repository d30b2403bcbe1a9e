/**
 * `npm run build`, after `tsc -b`: precompiles the workflow schema's validator (Ajv standalone code of the
 * schema of the built-in step and trigger kinds) into `packages/engine/dist/workflow/workflow-validator.cjs`,
 * with the hash of the schema and Ajv settings it was built from. The engine loads it instead of compiling
 * the schema when the hash is the one of the schema it builds (`packages/engine/src/workflow/precompiled-validator.ts`).
 *
 * It runs the engine's built code (`dist`), the very code that checks the hash, so it needs `tsc -b` first.
 * Silent on success, like the rest of the build.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const workflowDist = fileURLToPath(new URL('../packages/engine/dist/workflow/', import.meta.url));
const moduleFile = `${workflowDist}precompiled-validator.js`;

/** What this script uses of the engine's `dist/workflow/precompiled-validator.js`. */
interface PrecompiledValidatorModule {
  writePrecompiledValidator(dir: string): Promise<{ file: string; hash: string }>;
}

if (!existsSync(moduleFile)) {
  process.stderr.write(`${relative(root, moduleFile)} is missing: build the engine first (tsc -b)\n`);
  process.exit(1);
}
const engine = (await import(pathToFileURL(moduleFile).href)) as PrecompiledValidatorModule;
await engine.writePrecompiledValidator(workflowDist);
