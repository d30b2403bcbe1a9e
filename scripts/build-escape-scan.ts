/**
 * Assembles `packages/engine/src/store/runs/escape-scan.wat` (with wabt, a devDependency) into
 * `escape-scan-module.ts` beside it: the module's bytes as base64, which the engine compiles at run time.
 * Run it after changing the `.wat`; `packages/engine/test/store/json-escapes.test.ts` fails while the two
 * differ. Not part of `npm run build`: the engine and its users never need wabt.
 *
 * Usage: `npx tsx scripts/build-escape-scan.ts`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const folder = fileURLToPath(new URL('../packages/engine/src/store/runs/', import.meta.url));

/** The binary of the WebAssembly text `source` (SIMD on), named `name` in errors. */
export async function assemble(source: string, name: string): Promise<Uint8Array> {
  const toolkit = await wabt();
  const module = toolkit.parseWat(name, source, { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/** The text of `escape-scan-module.ts` for `binary`. */
function moduleText(binary: Uint8Array): string {
  const base64 = Buffer.from(binary).toString('base64');
  return `/**
 * The WebAssembly module of \`escape-scan.wat\`, assembled by \`npx tsx scripts/build-escape-scan.ts\`: do not
 * edit (\`json-escapes.test.ts\` assembles the \`.wat\` again and compares).
 *
 * @internal
 * @module
 */

/** The module's bytes, base64. */
export const ESCAPE_SCAN_WASM =
  '${base64}';
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const binary = await assemble(readFileSync(`${folder}escape-scan.wat`, 'utf8'), 'escape-scan.wat');
  writeFileSync(`${folder}escape-scan-module.ts`, moduleText(binary));
}
