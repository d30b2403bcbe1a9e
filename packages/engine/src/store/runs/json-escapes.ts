/**
 * Whether `JSON.stringify` escapes anything in a string: a `"`, a `\`, a control character (below U+0020)
 * or a lone surrogate (issue 14). `document-json.ts` splices a large string that needs no escape into its
 * document as it is, so this answers for megabytes at a time.
 *
 * Thirty-four `includes` scans cost about 6.5 ms for 5 MB. A large string is written one byte per code unit
 * instead (`latin1`, 0.4 ms) and its bytes are tested sixteen at a time by a small WebAssembly SIMD function
 * (`escape-scan.wat`), about 0.5 ms for 5 MB; where WebAssembly SIMD is missing, and for a string too large to
 * keep memory for, four at a time as 32-bit words in JavaScript, with the word-at-a-time tests for "a byte
 * below 0x20" and "a byte equal to 0x22 or 0x5C" (S. E. Anderson, "Bit Twiddling Hacks": `hasless`,
 * `haszero`), 2 to 5 ms. A code unit above U+00FF keeps only its low byte, so it may be taken for one to escape
 * (U+0122's low byte is `"`): then `JSON.stringify` decides, a slower path but never a wrong text. Every
 * character JSON escapes is below U+0100 and keeps its byte; lone surrogates are found by `isWellFormed`.
 *
 * @internal
 * @module
 */
import { ESCAPE_SCAN_WASM } from './escape-scan-module.js';
import { IdleRelease, KEPT_MEMORY_IDLE_MS } from './idle-release.js';
import { MAX_KEPT_BYTES, ScratchBuffer } from './scratch-buffer.js';

/** Strings at least this long are scanned as bytes; shorter ones by `includes`. */
export const BYTE_SCAN_FROM = 4096;

/** Words read between two looks at what was found: a string with an escape near its start stops early. */
const WORDS_PER_LOOK = 4096;

/** The characters below U+0020, which JSON escapes. */
const CONTROL = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code));

const WASM_PAGE = 65_536;

const scratch = new ScratchBuffer();

/** Whether `JSON.stringify(text)` is anything but `text` between quotes. */
export function jsonEscapes(text: string): boolean {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) return true;
  if (text.length < BYTE_SCAN_FROM) {
    return text.includes('"') || text.includes('\\') || CONTROL.some((char) => text.includes(char));
  }
  // Longer than the memory kept for it: the JavaScript scan, with a buffer of its own.
  const found = text.length <= MAX_KEPT_BYTES ? simdScanner.escapes(text) : undefined;
  if (found !== undefined) return found;
  return wordsEscape(text);
}

/** The JavaScript scan of {@link jsonEscapes}: four bytes at a time. Exported for the tests. */
export function wordsEscape(text: string): boolean {
  const bytes = scratch.room(text.length);
  const length = bytes.write(text, 0, 'latin1');
  return bytesToEscape(bytes, length);
}

/** What `escape-scan.wat` exports. */
interface EscapeScanExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  escapes(length: number): number;
}

/** A compiled module, opaque here. */
type WasmModule = object & { readonly __kind?: 'WebAssembly.Module' };

/** The global `WebAssembly`, typed with what the scan uses (Node 20's type definitions do not declare it). */
const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => WasmModule;
      Instance: new (module: WasmModule) => { exports: unknown };
    };
  }
).WebAssembly;

/**
 * The WebAssembly scan of {@link jsonEscapes}: an instance of `escape-scan.wat` whose memory grows to the
 * largest text since its last use and is dropped with the instance after {@link KEPT_MEMORY_IDLE_MS} without
 * one.
 */
class SimdScanner {
  /** `null`: this runtime cannot compile the module (no WebAssembly SIMD); the JavaScript scan answers. */
  #module: WasmModule | null | undefined;
  #instance: EscapeScanExports | undefined;
  readonly #idle = new IdleRelease(KEPT_MEMORY_IDLE_MS, () => {
    this.#instance = undefined;
  });

  /** Whether `text` (at most {@link MAX_KEPT_BYTES} code units) holds a byte to escape; `undefined` without SIMD. */
  escapes(text: string): boolean | undefined {
    const scan = this.#scan();
    if (scan === undefined) return undefined;
    const { memory } = scan;
    const missing = text.length - memory.buffer.byteLength;
    if (missing > 0) {
      try {
        memory.grow(Math.ceil(missing / WASM_PAGE));
      } catch {
        // No memory to grow into: the JavaScript scan answers, with a buffer of its own.
        return undefined;
      }
    }
    const length = Buffer.from(memory.buffer, 0, text.length).write(text, 0, 'latin1');
    return scan.escapes(length) === 1;
  }

  #scan(): EscapeScanExports | undefined {
    if (this.#module === undefined) {
      try {
        this.#module = new Wasm.Module(Buffer.from(ESCAPE_SCAN_WASM, 'base64'));
      } catch {
        this.#module = null;
      }
    }
    if (this.#module === null) return undefined;
    this.#instance ??= new Wasm.Instance(this.#module).exports as EscapeScanExports;
    this.#idle.touch();
    return this.#instance;
  }
}

const simdScanner = new SimdScanner();

/**
 * Whether one of the first `length` bytes of `bytes` (whose `byteOffset` is a multiple of 4) is below 0x20,
 * 0x22 or 0x5C.
 */
function bytesToEscape(bytes: Buffer, length: number): boolean {
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, length >>> 2);
  let found = 0;
  for (let from = 0; from < words.length; from += WORDS_PER_LOOK) {
    const to = Math.min(from + WORDS_PER_LOOK, words.length);
    for (let i = from; i < to; i++) {
      const word = words[i] as number;
      const quote = word ^ 0x22222222;
      const backslash = word ^ 0x5c5c5c5c;
      // The high bit of a byte is set where the byte is below 0x20 (the first term) or zero after the xor.
      found |=
        ((word - 0x20202020) & ~word) |
        ((quote - 0x01010101) & ~quote) |
        ((backslash - 0x01010101) & ~backslash);
    }
    if ((found & 0x80808080) !== 0) return true;
  }
  for (let i = words.length * 4; i < length; i++) {
    const byte = bytes[i] as number;
    if (byte < 0x20 || byte === 0x22 || byte === 0x5c) return true;
  }
  return false;
}
