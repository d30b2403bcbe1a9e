import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOC = 'docs/architecture.md';

/** A backticked span that names a file or folder of the repository, relative to its root. */
const REPO_PATH = /^(?:packages|examples|bench|docs|scripts|test|\.ci)\//;

/** A path a recipe tells you to create: it holds a `<placeholder>`. */
const RECIPE_PATH = /<[^>]+>/;

/**
 * Every `code span` of the Markdown text (fenced blocks aside) whose content looks like a repository path,
 * recipes' paths to create (`packages/engine/src/steps/<kind>.ts`) aside.
 */
function repoPaths(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const spans = [...prose.matchAll(/`([^`]+)`/g)].map((m) => (m[1] as string).replace(/\s+/g, ' ').trim());
  return [...new Set(spans.filter((span) => REPO_PATH.test(span) && !RECIPE_PATH.test(span)))];
}

describe(DOC, () => {
  const doc = readFileSync(`${root}${DOC}`, 'utf8');
  const paths = repoPaths(doc);

  it('names the files and folders of the code (the map is not empty)', () => {
    expect(paths.length).toBeGreaterThan(100);
  });

  it('names only paths that exist (move or delete a file: fix the map in the same change)', () => {
    const missing = paths.filter((path) => !existsSync(`${root}${path.replace(/\/+$/, '')}`));
    expect(missing, `${DOC} names paths that do not exist`).toEqual([]);
  });

  it('finds repository paths in code spans and nothing else', () => {
    expect(
      repoPaths('see `packages/sdk/src/index.ts`, `docs/`, `docs/<new>.md` and `src/index.ts` or `npm test`'),
    ).toEqual(['packages/sdk/src/index.ts', 'docs/']);
  });
});
