// `npm run docs:snippets`: refreshes the snippets of README.md from the example files.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fillSnippets } from './snippets.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = `${root}README.md`;
const before = readFileSync(readme, 'utf8');
const after = fillSnippets(root, before);
if (after !== before) writeFileSync(readme, after);
process.stdout.write(
  after === before ? 'README.md snippets are up to date\n' : 'README.md snippets refreshed\n',
);
