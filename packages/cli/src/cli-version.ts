/**
 * The CLI's own version (`sluice --version`), read from its `package.json`, one folder above both `src/`
 * and `dist/`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** The `version` of the `sluice` package. */
export function cliVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
