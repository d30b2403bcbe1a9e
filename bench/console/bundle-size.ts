/**
 * The console's bundle, read from the built files (no browser): each `.js` and `.css` under
 * `dist/assets`, its raw size and its size gzipped here (zlib level 9; the prebuilt `.gz` is not
 * read), and whether the first page loads it (referenced from `index.html`) or a later page does.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One built asset. */
export interface BundleFile {
  name: string;
  kind: 'js' | 'css';
  raw: number;
  gzip: number;
  /** Referenced from `index.html`, so the first page loads it. */
  firstPage: boolean;
}

/** The assets of the console built into `root` (`packages/console/dist`), first page first. */
export function measureBundle(root: string): BundleFile[] {
  const page = readFileSync(join(root, 'index.html'), 'utf8');
  // `<script src>`, `<link href>` (stylesheets and modulepreloads): every asset the page names itself.
  const referenced = new Set(Array.from(page.matchAll(/(?:src|href)="\/assets\/([^"?#]+)"/g), (m) => m[1]));
  const assets = join(root, 'assets');
  return readdirSync(assets)
    .filter((name) => /\.(js|css)$/.test(name))
    .map((name): BundleFile => {
      const body = readFileSync(join(assets, name));
      return {
        name,
        kind: name.endsWith('.js') ? 'js' : 'css',
        raw: body.length,
        gzip: gzipSync(body, { level: 9 }).length,
        firstPage: referenced.has(name),
      };
    })
    .sort((a, b) => Number(b.firstPage) - Number(a.firstPage) || a.name.localeCompare(b.name));
}
