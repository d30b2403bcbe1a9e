/**
 * What HTTP lets a request header hold (RFC 9110 §5.1, §5.5), checked where a workflow is validated
 * (literal names and values) and again on the rendered request before it is sent, so that a header the
 * HTTP client would refuse fails once, with its name, instead of being retried as a network error.
 *
 * @internal
 * @module
 */
/** RFC 9110 `token`: the characters an HTTP method or header name may hold. */
export const HTTP_TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

const TOKEN = new RegExp(HTTP_TOKEN_PATTERN);

/**
 * A character a field value cannot hold: anything but HTAB, SP, visible ASCII and obs-text (U+0080 to
 * U+00FF). The same set as undici's (and Node's) check, so what passes here is sent.
 */
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/u;

/** Whether `name` is an HTTP header name (an RFC 9110 token). */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** The first character of `value` that a header value cannot hold, described; `undefined` when none. */
export function badHeaderValueChar(value: string): string | undefined {
  const char = NOT_FIELD_VALUE.exec(value)?.[0];
  if (char === undefined) return undefined;
  if (char === '\r' || char === '\n') return 'a line break (CR or LF)';
  if (char === '\0') return 'a NUL character';
  const code = `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
  if (char < ' ' || char === '\x7f') return `the control character ${code}`;
  return `the character ${char} (${code}, beyond Latin-1)`;
}
