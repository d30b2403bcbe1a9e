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

/** What the editor reads of the workflow JSON Schema (`src/editor/schema-walk.ts`); the rest is dropped. */
const SCHEMA_KEYS = new Set([
  'description',
  'type',
  'properties',
  'patternProperties',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'examples',
  'required',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
  'definitions',
  '$defs',
]);
/** Keys whose value is a map of names to schemas (every name kept). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);

function pruneSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(pruneSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!SCHEMA_KEYS.has(key)) continue;
    out[key] = SCHEMA_MAPS.has(key)
      ? Object.fromEntries(Object.entries(value as object).map(([name, child]) => [name, pruneSchema(child)]))
      : ['enum', 'const', 'examples', 'required'].includes(key)
        ? value
        : pruneSchema(value);
  }
  return out;
}

/**
 * The workflow JSON Schema as the editor's chunk holds it: only what completion and hover read (no
 * `errorMessage`, patterns or limits), about half the size.
 */
function slimWorkflowSchema(): Plugin {
  return {
    name: 'sluice-slim-workflow-schema',
    enforce: 'pre',
    // Before Vite's JSON plugin, which then turns the slimmer JSON into a module.
    transform(code, id) {
      if (!id.endsWith('/workflow.schema.json')) return null;
      return { code: JSON.stringify(pruneSchema(JSON.parse(code) as unknown)), map: null };
    },
  };
}

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
    // CodeMirror and its YAML language are one chunk that only the editor and the version diff load
    // (about 450 kB raw, 150 kB gzipped); the first page stays small (bench/console prints both).
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'codemirror',
              test: /[\\/]node_modules[\\/](@codemirror|codemirror|@lezer|style-mod|w3c-keyname|crelt|@marijn)[\\/]/,
            },
          ],
        },
      },
    },
  },
  plugins: [slimWorkflowSchema(), precompress()],
  server: {
    proxy: Object.fromEntries(['/v1', '/health', '/openapi.json', '/docs'].map((path) => [path, api])),
  },
});
