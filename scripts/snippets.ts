/**
 * README snippets come from marked regions of example files, so the README shows code that is tested.
 * A snippet in a Markdown file is `<!-- snippet: path/to/file.ts#name -->` ... `<!-- /snippet -->`; the
 * region in the source is `// #region name` ... `// #endregion name` (`# #region name` in YAML). `fillSnippets` rewrites the
 * Markdown; `npm run docs:snippets` writes README.md, and `test/readme-snippets.test.ts` fails when
 * README.md is stale.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';

const SNIPPET = /<!-- snippet: ([^#\s]+)#([\w-]+) -->\n[\s\S]*?<!-- \/snippet -->/g;

/** The lines between `// #region name` and `// #endregion name` (`#` in YAML) in `file`, without markers. */
export function readRegion(root: string, file: string, name: string): string {
  const lines = readFileSync(resolve(root, file), 'utf8').split('\n');
  const comment = /\.ya?ml$/.test(file) ? '#' : '//';
  const start = lines.findIndex((line) => line.trim() === `${comment} #region ${name}`);
  const end = lines.findIndex((line, i) => i > start && line.trim() === `${comment} #endregion ${name}`);
  if (start === -1 || end === -1) {
    throw new Error(
      `${file}: no region "${name}" (${comment} #region ${name} ... ${comment} #endregion ${name})`,
    );
  }
  return lines
    .slice(start + 1, end)
    .filter((line) => !/^\s*(\/\/|#) #(end)?region /.test(line))
    .join('\n');
}

/** `markdown` with every snippet block filled from its region, as a fenced code block. */
export function fillSnippets(root: string, markdown: string): string {
  return markdown.replace(SNIPPET, (_block, file: string, name: string) => {
    const ext = extname(file).slice(1);
    const lang = ext === 'yml' ? 'yaml' : ext || 'text';
    const code = readRegion(root, file, name);
    return `<!-- snippet: ${file}#${name} -->\n\`\`\`${lang}\n${code}\n\`\`\`\n<!-- /snippet -->`;
  });
}
