/**
 * The WebAssembly module of `escape-scan.wat`, assembled by `npx tsx scripts/build-escape-scan.ts`: do not
 * edit (`json-escapes.test.ts` assembles the `.wat` again and compares).
 *
 * @internal
 * @module
 */

/** The module's bytes, base64. */
export const ESCAPE_SCAN_WASM =
  'AGFzbQEAAAABBgFgAX8BfwMCAQAFAwEAAQcUAgZtZW1vcnkCAAdlc2NhcGVzAAAK3AEB2QEDA38CewF/IABBcHEhAgJAA0AgASACTw0BIAFBgIAEaiEDIAMgAksEQCACIQMLA0AgAf0ABAAhBSAEIAX9DCAgICAgICAgICAgICAgICD9JiAF/QwiIiIiIiIiIiIiIiIiIiIi/SMgBf0MXFxcXFxcXFxcXFxcXFxcXP0j/VD9UP1QIQQgAUEQaiEBIAEgA0kNAAsgBP1TBEBBAQ8LDAALCwJAA0AgASAATw0BIAEtAAAhBiAGQSBJIAZBIkYgBkHcAEZycgRAQQEPCyABQQFqIQEMAAsLQQAL';
