/**
 * `npm run layers`: the engine's folders import only downwards. Each folder of `packages/engine/src` has a
 * layer (below, lowest first; docs/architecture.md draws the same order); a relative import from a folder to a
 * folder of a higher layer (or to a root file of a higher layer) fails the check, `import type` included.
 * Folders of the same layer may not import each other either: they are independent.
 *
 * Prints every violation as `from -> to (file:line)` and exits 1 when there is one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', 'packages', 'engine', 'src');

/**
 * Lowest first. A name is a folder of `src/`, or a root file without `.ts`. An entry may only import
 * entries of earlier layers.
 */
export const ENGINE_LAYERS: readonly (readonly string[])[] = [
  ['errors', 'driver-errors', 'model'],
  ['template'],
  ['store'],
  ['secrets', 'queue', 'limits'],
  ['connections', 'nodes'],
  ['steps'],
  ['connectors', 'executor'],
  ['metrics'],
  ['run'],
  ['triggers'],
  ['workflow'],
  ['engine-options'],
  ['engine-internals'],
  ['create-engine', 'api'],
  ['index', 'internal'],
];

export interface Edge {
  from: string;
  to: string;
  file: string;
  line: number;
}

/** The layer entry a source path belongs to: its first folder, or its root file's name. */
function entryOf(path: string): string {
  const rel = relative(ROOT, path);
  const [first, ...rest] = rel.split(sep);
  return rest.length === 0 ? (first ?? '').replace(/\.(tsx?|js)$/, '') : (first ?? '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g;

/** Every relative import of the engine's sources that crosses from one layer entry to another. */
export function crossingImports(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(ROOT)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2];
      if (spec === undefined) continue;
      const target = resolve(dirname(file), spec);
      const from = entryOf(file);
      const to = entryOf(target);
      if (from === to) continue;
      const line = text.slice(0, match.index).split('\n').length + (match[0].startsWith('\n') ? 1 : 0);
      edges.push({ from, to, file: relative(process.cwd(), file), line });
    }
  }
  return edges;
}

/** The imports of `edges` that point up (or sideways) in `layers`, and the entries no layer names. */
export function layerViolations(
  edges: readonly Edge[] = crossingImports(),
  layers: readonly (readonly string[])[] = ENGINE_LAYERS,
): { upward: Edge[]; unknown: string[] } {
  const layerOf = new Map<string, number>();
  layers.forEach((names, index) => {
    for (const name of names) layerOf.set(name, index);
  });
  const upward: Edge[] = [];
  const unknown = new Set<string>();
  for (const edge of edges) {
    const from = layerOf.get(edge.from);
    const to = layerOf.get(edge.to);
    if (from === undefined) unknown.add(edge.from);
    if (to === undefined) unknown.add(edge.to);
    if (from !== undefined && to !== undefined && to >= from) upward.push(edge);
  }
  return { upward, unknown: [...unknown].sort() };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { upward, unknown } = layerViolations();
  for (const name of unknown)
    console.error(`packages/engine/src/${name}: in no layer of scripts/check-layers.ts`);
  for (const edge of upward) console.error(`${edge.from} -> ${edge.to} (${edge.file}:${edge.line})`);
  if (upward.length > 0 || unknown.length > 0) {
    console.error(
      `${upward.length} import(s) against the engine's layers (docs/architecture.md, "Layers"); ` +
        'move the shared piece down, or invert the dependency',
    );
    process.exit(1);
  }
  console.log(`engine layers: ${ENGINE_LAYERS.length} layers, no import points up`);
}
