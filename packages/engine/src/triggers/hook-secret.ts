/**
 * Webhook secrets: the secret in a workflow's hook URL (`/v1/hooks/{uid}/{secret}`) is derived from the
 * engine's secret key and the workflow uid, so nothing is stored and it changes only with the key.
 * Comparisons run in constant time.
 *
 * @internal
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

// A separate purpose label, so the hook secret says nothing about other uses of the same key.
const PURPOSE = 'sluice/webhook-secret/v1:';

/** The hook secret of workflow `uid`: base64url HMAC-SHA256 of the uid, keyed with `secretKey` (43 characters). */
export function hookSecret(secretKey: Buffer, uid: string): string {
  return createHmac('sha256', secretKey)
    .update(PURPOSE + uid)
    .digest('base64url');
}

/** Whether `given` is the hook secret of `uid`, compared in constant time. */
export function isHookSecret(secretKey: Buffer, uid: string, given: string): boolean {
  return sameText(hookSecret(secretKey, uid), given);
}

/**
 * Whether `header` holds the hex HMAC-SHA256 of `body` keyed with `secret` (`sha256=` prefix allowed,
 * hex in either case), compared in constant time.
 */
export function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const given = header
    .trim()
    .replace(/^sha256=/i, '')
    .toLowerCase();
  const expected = createHmac('sha256', secret).update(body).digest('hex');
  return sameText(expected, given);
}

/** Constant-time equality of two strings, whatever their lengths (hashes first, so lengths do not leak). */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHmac('sha256', PURPOSE).update(text).digest();
  return timingSafeEqual(digest(a), digest(b)) && a === b;
}
