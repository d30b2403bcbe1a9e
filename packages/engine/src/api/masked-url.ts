/**
 * A request URL as a log line or an error answer may show it: without a webhook secret, whatever the
 * method, the path's shape and its spelling (a `GET` or a trailing `/` that matches no route, `HOOKS`,
 * percent-escaped letters, a secret in a query string or under another path).
 *
 * @internal
 * @module
 */
import { REDACTED } from '../secrets/redactor.js';
import { hookSecret } from '../triggers/hook-secret.js';

/** The segment webhook paths hang under, as spelled right or nearly (`hooks`, `HOOK`, `webhooks`). */
const HOOK_SEGMENT = /^(?:web)?hooks?$/i;
/** A piece of a URL that can be a workflow uid (`UID_PATTERN`). */
const UID = /^[A-Za-z0-9_.-]{1,128}$/;
/** The length of a hook secret (`hookSecret`: base64url of 32 bytes). */
const HOOK_SECRET_LENGTH = 43;
/** Pieces looked at for a uid and its secret; a longer URL is cut after this many. */
const MAX_PIECES = 64;

/**
 * `url` with the webhook secrets masked:
 * - under a path segment that reads `hooks` (any case, any escaping), everything after the workflow
 *   uid is masked, and the uid too unless the hook route matched it (`matchedUid`);
 * - anywhere, a piece (between `/ ? & = # ;`) that holds the hook secret of another piece (the uid it
 *   belongs to) is masked.
 */
export function maskedUrl(url: string, hookKey: Buffer, matchedUid?: string): string {
  return maskSecretPieces(maskHookPath(url, matchedUid), hookKey);
}

function maskHookPath(url: string, matchedUid: string | undefined): string {
  const end = url.search(/[?#]/);
  const segments = (end === -1 ? url : url.slice(0, end)).split('/');
  const hook = segments.findIndex((segment) => HOOK_SEGMENT.test(decodeLoosely(segment)));
  if (hook === -1) return url;
  const next = segments[hook + 1];
  const keep = matchedUid !== undefined && next !== undefined && decodeLoosely(next) === matchedUid ? 2 : 1;
  const kept = segments.slice(0, hook + keep).join('/');
  return kept.length === url.length ? url : `${kept}/${REDACTED}`;
}

function maskSecretPieces(url: string, hookKey: Buffer): string {
  const pieces = url.split(/([/?&=#;])/);
  if (pieces.length > 2 * MAX_PIECES) {
    // More pieces than are worth checking: only the start is kept.
    return `${maskSecretPieces(pieces.slice(0, 2 * MAX_PIECES).join(''), hookKey)}${REDACTED}`;
  }
  const decoded = pieces.map(decodeLoosely);
  // A hook secret is 43 characters: a URL with no piece that long holds none (and costs no HMAC).
  if (!decoded.some((piece) => piece.length >= HOOK_SECRET_LENGTH)) return url;
  const secrets = decoded.filter((piece) => UID.test(piece)).map((uid) => hookSecret(hookKey, uid));
  if (secrets.length === 0) return url;
  return pieces
    .map((piece, i) => (secrets.some((secret) => decoded[i]?.includes(secret)) ? REDACTED : piece))
    .join('');
}

/**
 * `text` with its percent escapes decoded, byte by byte and again while that changes anything (a
 * double escape too); a malformed escape stays as it is. Enough for ASCII: uids, hook secrets, `hooks`.
 */
function decodeLoosely(text: string): string {
  let current = text;
  for (let round = 0; round < 4 && current.includes('%'); round++) {
    const next = current.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === current) break;
    current = next;
  }
  return current;
}
