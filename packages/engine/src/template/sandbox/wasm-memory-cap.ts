/**
 * Caps the linear memory of a WebAssembly module by rewriting the maximum of its memory section. A
 * module built by wasm-bindgen declares its own memory with no maximum, so it may grow to 4 GiB; with
 * a maximum, an allocation past the cap fails inside the module (a trap) instead of taking the host's
 * memory. The binary format is the WebAssembly core specification's (§5.5 sections, §5.3.4 limits).
 *
 * @internal
 * @module
 */

/** The size of one WebAssembly memory page. */
export const WASM_PAGE_BYTES = 65_536;

const MEMORY_SECTION = 5;
const HEADER_BYTES = 8;

/**
 * A copy of `binary` whose memory may grow to at most `maxPages` pages (at least its initial size).
 *
 * @throws {Error} when the binary is not a WebAssembly module with exactly one 32-bit, unshared memory
 *   declared in its memory section.
 */
export function capWasmMemory(binary: Uint8Array, maxPages: number): Uint8Array {
  if (binary.length < HEADER_BYTES || readU32(binary, 0) !== 0x6d736100) {
    throw new Error('not a WebAssembly module');
  }
  let offset = HEADER_BYTES;
  while (offset < binary.length) {
    const id = binary[offset] as number;
    const size = readLeb(binary, offset + 1);
    const contentStart = offset + 1 + size.bytes;
    const contentEnd = contentStart + size.value;
    if (id === MEMORY_SECTION) {
      const section = cappedMemorySection(binary.subarray(contentStart, contentEnd), maxPages);
      const header = [MEMORY_SECTION, ...writeLeb(section.length)];
      const out = new Uint8Array(offset + header.length + section.length + (binary.length - contentEnd));
      out.set(binary.subarray(0, offset), 0);
      out.set(header, offset);
      out.set(section, offset + header.length);
      out.set(binary.subarray(contentEnd), offset + header.length + section.length);
      return out;
    }
    offset = contentEnd;
  }
  throw new Error('the WebAssembly module declares no memory of its own');
}

function cappedMemorySection(content: Uint8Array, maxPages: number): number[] {
  const count = readLeb(content, 0);
  if (count.value !== 1) throw new Error(`expected one memory, found ${count.value}`);
  let at = count.bytes;
  const flags = content[at++] as number;
  if (flags > 1) throw new Error(`unsupported memory limits (flags ${flags}): shared or 64-bit`);
  const min = readLeb(content, at);
  at += min.bytes;
  if (flags === 1) at += readLeb(content, at).bytes;
  if (at !== content.length) throw new Error('unexpected bytes after the memory limits');
  const max = Math.max(min.value, maxPages);
  return [...writeLeb(1), 1, ...writeLeb(min.value), ...writeLeb(max)];
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16)) +
    (bytes[at + 3] as number) * 0x1000000
  );
}

function readLeb(bytes: Uint8Array, at: number): { value: number; bytes: number } {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) break;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, bytes: i + 1 };
  }
  throw new Error(`malformed LEB128 number at byte ${at}`);
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}
