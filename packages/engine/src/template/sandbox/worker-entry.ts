/**
 * Where a template worker's code is. From the built package it is `template-worker.js` beside this
 * file. From the sources (tests, `npm start`) the worker is TypeScript, which a worker thread cannot
 * load: it is bundled once with esbuild (the one tsx runs on) into a file named after its content in the
 * temp folder, so every worker of every process starts from plain JavaScript.
 *
 * @internal
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Esbuild {
  buildSync(options: Record<string, unknown>): { outputFiles: { text: string }[] };
}

let entry: URL | undefined;

/** The URL a template worker starts from. */
export function templateWorkerUrl(): URL {
  entry ??= import.meta.url.endsWith('.ts')
    ? bundleFromSource()
    : new URL('./template-worker.js', import.meta.url);
  return entry;
}

function bundleFromSource(): URL {
  const esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL('./template-worker.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const text = (outputFiles[0] as { text: string }).text;
  const file = join(
    tmpdir(),
    `sluice-template-worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`,
  );
  if (!existsSync(file)) {
    // Written aside and renamed, so a process starting a worker never reads a half-written file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}
