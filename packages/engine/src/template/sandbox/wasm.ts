/**
 * The global `WebAssembly` object, typed with what the template workers use: Node's type definitions
 * for Node 20 do not declare it.
 *
 * @internal
 * @module
 */

/** A compiled WebAssembly module: opaque here, compiled once and handed to each worker. */
export type WasmModule = object & { readonly __kind?: 'WebAssembly.Module' };

export const Wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => WasmModule;
      RuntimeError: new (message?: string) => Error;
    };
  }
).WebAssembly;
