/**
 * The engine's folders import only downwards (scripts/check-layers.ts, docs/architecture.md "Layers").
 */
import { describe, expect, it } from 'vitest';
import { crossingImports, type Edge, ENGINE_LAYERS, layerViolations } from '../scripts/check-layers.js';

const edge = (from: string, to: string): Edge => ({ from, to, file: `${from}.ts`, line: 1 });

describe('the engine layers', () => {
  it('hold in the code: no import points up or sideways, and every folder has a layer', () => {
    const { upward, unknown } = layerViolations();
    expect(unknown).toEqual([]);
    expect(upward.map((e) => `${e.from} -> ${e.to} (${e.file}:${e.line})`)).toEqual([]);
  });

  it('see the imports that cross folders, type-only ones included', () => {
    const edges = crossingImports();
    const pairs = new Set(edges.map((e) => `${e.from}->${e.to}`));
    // A value import and a type-only one, both known to exist.
    expect(pairs.has('executor->steps')).toBe(true);
    expect(pairs.has('store->model')).toBe(true);
    expect(ENGINE_LAYERS.flat()).toContain('steps');
  });

  it('refuse an upward import, a sideways one and an unknown folder', () => {
    const layers = [['low'], ['mid', 'side'], ['high']];
    const found = layerViolations(
      [edge('high', 'low'), edge('low', 'high'), edge('mid', 'side'), edge('mid', 'nowhere')],
      layers,
    );
    expect(found.upward.map((e) => `${e.from}->${e.to}`)).toEqual(['low->high', 'mid->side']);
    expect(found.unknown).toEqual(['nowhere']);
  });
});
