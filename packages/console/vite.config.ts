/**
 * Builds the web console (a Preact single-page app) into `packages/console/dist`, which the engine's API
 * serves at `/` when `sluice serve` hands it that folder (`packages/cli/src/console-folder.ts`). Every
 * asset is also written gzipped and brotli-compressed so Fastify can send the smaller file as it is, with
 * no compression at request time.
 *
 * `npm run console:dev` serves it with hot reload and sends the API's paths to a `sluice serve` on
 * :8080 (`SLUICE_API` to change).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('dist', import.meta.url));
const api = process.env.SLUICE_API ?? 'http://127.0.0.1:8080';

/** Writes `<file>.gz` and `<file>.br` next to each built text asset. */
function precompress(): Plugin {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  return {
    name: 'sluice-precompress',
    apply: 'build',
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body));
      }
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  // Preact's automatic JSX runtime (the tsconfig says the same for the type-checker).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  plugins: [precompress()],
  server: {
    proxy: Object.fromEntries(['/v1', '/health', '/openapi.json', '/docs'].map((path) => [path, api])),
  },
});
