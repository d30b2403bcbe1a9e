/**
 * `jsonEscapes` (issue 14) reads a large string's bytes sixteen at a time (WebAssembly SIMD) or four at a
 * time (the JavaScript scan, where SIMD is missing) to tell whether `JSON.stringify` escapes anything in
 * it. Both scans are checked against `JSON.stringify` itself: each character JSON escapes at every position
 * a word or a vector can hold it, at the ends and across the points where the scan looks at what it found,
 * every length of the last bytes, and random strings of characters near the boundaries (0x1F/0x20,
 * 0x21/0x22/0x23, 0x5B/0x5C/0x5D, bytes above 0x7F, code units whose low byte is one to escape, surrogate
 * pairs and lone surrogates). The WebAssembly module must be what its `.wat` source assembles to.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../../../scripts/build-escape-scan.js';
import { documentJson, LARGE_STRING, textOf } from '../../src/store/runs/document-json.js';
import { ESCAPE_SCAN_WASM } from '../../src/store/runs/escape-scan-module.js';
import { BYTE_SCAN_FROM, jsonEscapes, wordsEscape } from '../../src/store/runs/json-escapes.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** What `JSON.stringify` says: anything but the text between quotes. */
const reference = (text: string) => JSON.stringify(text) !== `"${text}"`;

/** Characters JSON escapes, and their neighbours that it does not. */
const ESCAPED = ['"', '\\', ...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code))];
const CLEAN = [
  ' ',
  '!',
  '#',
  '[',
  ']',
  '~',
  '\u007f',
  '\u0080',
  '\u00a2',
  '\u00dc',
  '\u00ff',
  'é',
  'a',
  'Z',
  '0',
];
/** Code units above U+00FF whose low byte is one JSON escapes (the scan may flag them; never wrongly pass). */
const LOW_BYTE_ALIKE = ['\u0122', '\u015c', '\u0100', '\u011f', '\u2022', '\u4e0a', '\ud83d', '\ude00'];

/** Seeded: a failure is the same on every machine. */
const random = seededRandom;

/** The text `documentJson` stores for `{ s: text }`, `text` padded to a string it splices. */
function spliced(text: string): string | undefined {
  const document = documentJson({ s: text.padEnd(LARGE_STRING, 'p') });
  return document === undefined ? undefined : textOf(document);
}

describe('jsonEscapes', () => {
  it.each(['', 'plain', 'a"b', 'a\\b', '\u0000', '\u001f', ' ', '\ud83d', '\ude00', '😀', '\u2028'])(
    'agrees with JSON.stringify on the short string %j',
    (text) => {
      expect(jsonEscapes(text)).toBe(reference(text));
    },
  );

  const clean = 'abcdefghij'.repeat(Math.ceil((BYTE_SCAN_FROM * 5) / 10));
  /** Past two of the WebAssembly scan's 64 KB looks. */
  const long = 'abcdefghij'.repeat(20_000);

  describe.each([
    ['jsonEscapes (the WebAssembly scan here)', jsonEscapes],
    ['the JavaScript scan', wordsEscape],
  ])('%s', (_name, escapes) => {
    it('finds each character JSON escapes at every offset within a vector, at both ends and at every look', () => {
      expect(escapes(clean)).toBe(false);
      expect(escapes(long)).toBe(false);
      const looks = [4096 * 4, 65_536, 131_072];
      const positions = [
        ...Array.from({ length: 33 }, (_, at) => at),
        BYTE_SCAN_FROM - 1,
        BYTE_SCAN_FROM,
        ...looks.flatMap((look) => [look - 17, look - 16, look - 1, look, look + 1, look + 16]),
      ];
      for (const char of ESCAPED) {
        for (const at of [...positions, ...Array.from({ length: 17 }, (_, back) => long.length - 1 - back)]) {
          const text = `${long.slice(0, at)}${char}${long.slice(at + 1)}`;
          expect(escapes(text), `${JSON.stringify(char)} at ${at}`).toBe(true);
        }
      }
    });

    it('finds a character to escape in the last bytes of every length modulo 16', () => {
      for (let extra = 0; extra < 16; extra++) {
        for (const char of ['"', '\\', '\n', '\u0000']) {
          const text = `${clean.slice(0, BYTE_SCAN_FROM + extra)}${char}`;
          expect(escapes(text)).toBe(true);
          expect(escapes(text.slice(0, -1))).toBe(false);
        }
      }
    });

    it('reads only the text it is given, not what a longer one left behind', () => {
      expect(escapes(`${long}"`)).toBe(true);
      expect(escapes(long.slice(0, 100_000))).toBe(false);
      expect(escapes(`${clean}\\`)).toBe(true);
      expect(escapes(clean)).toBe(false);
      // Larger than any before: its memory grows.
      expect(escapes(`${long}${long}\u001f`)).toBe(true);
      expect(escapes(`${long}${long}`)).toBe(false);
    });
  });

  it("finds lone surrogates; a text with surrogate pairs still gets exactly JSON.stringify's text", () => {
    expect(jsonEscapes(`${clean}\ud800`)).toBe(true);
    expect(jsonEscapes(`\udc00${clean}`)).toBe(true);
    // A pair's low bytes may look like a character to escape (U+DE00's is 0x00): JSON.stringify decides.
    expect(spliced(`${clean}😀`)).toBe(JSON.stringify({ s: `${clean}😀`.padEnd(LARGE_STRING, 'p') }));
  });

  it('agrees with JSON.stringify on random strings, short and long, never passing one that needs escapes', () => {
    const next = random(2026_12_08);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    let both = 0;
    for (let round = 0; round < 400; round++) {
      const length = pick([1, 3, 64, BYTE_SCAN_FROM - 1, BYTE_SCAN_FROM, BYTE_SCAN_FROM + 3, 20_003]);
      const rare = next();
      let text = '';
      while (text.length < length) {
        const roll = next();
        text +=
          roll < rare * 0.002
            ? pick(ESCAPED)
            : roll < 0.004
              ? pick(['😀', '\ud800', '\udc00'])
              : roll < 0.01
                ? pick(LOW_BYTE_ALIKE)
                : pick(CLEAN);
      }
      const expected = reference(text);
      const found = jsonEscapes(text);
      // The JavaScript scan, on what reaches it: a long text without lone surrogates.
      if (text.length >= BYTE_SCAN_FROM && (text as string & { isWellFormed(): boolean }).isWellFormed()) {
        expect(wordsEscape(text), 'the JavaScript scan').toBe(found);
      }
      // Never a text that needs escapes taken as plain; a flag on plain text only for a look-alike unit.
      if (expected) expect(found).toBe(true);
      else if (found) expect(LOW_BYTE_ALIKE.some((unit) => text.includes(unit))).toBe(true);
      if (expected === found) both++;
      expect(spliced(text)).toBe(JSON.stringify({ s: text.padEnd(LARGE_STRING, 'p') }));
    }
    expect(both).toBeGreaterThan(300);
  });
});

describe('the WebAssembly module of the scan', () => {
  it('is what escape-scan.wat assembles to (npx tsx scripts/build-escape-scan.ts)', async () => {
    const source = readFileSync(new URL('../../src/store/runs/escape-scan.wat', import.meta.url), 'utf8');
    const binary = await assemble(source, 'escape-scan.wat');
    expect(Buffer.from(binary).toString('base64')).toBe(ESCAPE_SCAN_WASM);
  });
});
