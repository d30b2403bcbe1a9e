import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { createSourceMap, formatPath, type PathSegment, parsePath } from '../../src/workflow/source-map.js';

describe('formatPath and parsePath', () => {
  it.each<[PathSegment[], string]>([
    [[], ''],
    [['name'], 'name'],
    [['steps', 2, 'retry', 'total'], 'steps[2].retry.total'],
    [['steps', 0, 'apispec', 'headers', 'X-Api-Key'], 'steps[0].apispec.headers.X-Api-Key'],
    [['steps', 0, 'apispec', 'headers', 'X Y'], 'steps[0].apispec.headers["X Y"]'],
    [['steps', 0, 'apispec', 'params', 'a.b'], 'steps[0].apispec.params["a.b"]'],
    [['$schema'], '["$schema"]'],
  ])('formats %j as %s and parses it back', (segments, text) => {
    expect(formatPath(segments)).toBe(text);
    expect(parsePath(text)).toEqual(segments);
  });

  it('parses the lenient forms too', () => {
    expect(parsePath("steps.1['a b']")).toEqual(['steps', 1, 'a b']);
  });
});

describe('createSourceMap', () => {
  const text = [
    'name: w', // 1
    'steps:', // 2
    '  - name: a', // 3
    '    apispec: &spec', // 4
    '      url: https://x.test', // 5
    '  - name: b', // 6
    '    apispec:', // 7
    '      <<: *spec', // 8
    '      method: post', // 9
    '',
  ].join('\n');
  const lineCounter = new LineCounter();
  const map = createSourceMap(parseDocument(text, { lineCounter, merge: true }), lineCounter);

  it.each<[PathSegment[], number]>([
    [[], 1],
    [['steps'], 2],
    [['steps', 1], 6],
    [['steps', 1, 'apispec', 'method'], 9],
    [['steps', 1, 'apispec', 'url'], 5],
    [['steps', 0, 'apispec', 'timeout'], 4],
    [['steps', 7, 'name'], 2],
  ])('finds %j on line %i (a missing path: its deepest ancestor)', (path, line) => {
    expect(map.lineOf(path)).toBe(line);
  });
});
