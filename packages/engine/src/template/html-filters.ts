/**
 * Jinja2's HTML filters that minijinja-js lacks: `forceescape`, `xmlattr` and `urlize`, computing
 * what Jinja2 3.1 (`jinja2.filters`, `jinja2.utils.urlize`, markupsafe `escape`) computes.
 *
 * @internal
 * @module
 */
import { pyRepr, pyStr } from './py-str.js';

/** markupsafe's `escape`: `& < > " '` as `&amp; &lt; &gt; &#34; &#39;`. */
export function escapeHtml(value: unknown): string {
  return pyStr(value)
    .replaceAll('&', '&amp;')
    .replaceAll('>', '&gt;')
    .replaceAll('<', '&lt;')
    .replaceAll("'", '&#39;')
    .replaceAll('"', '&#34;');
}

/** Jinja2's `xmlattr`: `key="value"` pairs (values escaped, `None` left out), with a leading space. */
export function xmlattr(dict: Record<string, unknown>, autospace = true): string {
  const items: string[] = [];
  for (const [key, value] of Object.entries(dict)) {
    if (value === null || value === undefined) continue;
    if (/[\t\n\v\f\r />=]/.test(key)) {
      throw new TypeError(`Invalid character in attribute name: ${pyRepr(key)}`);
    }
    items.push(`${escapeHtml(key)}="${escapeHtml(value)}"`);
  }
  const out = items.join(' ');
  return autospace && out !== '' ? ` ${out}` : out;
}

/** Options of `urlize`, named as in Jinja2. */
export interface UrlizeOptions {
  trim_url_limit: number | null;
  nofollow: boolean;
  target: string | null;
  rel: string | null;
  extra_schemes: readonly string[] | null;
}

const HTTP = new RegExp(
  '^(' +
    '(https?://|www\\.)(([\\p{L}\\p{N}_%-]+\\.)+)?([a-z]{2,63}|xn--[\\p{L}\\p{N}_%]{2,59})' +
    '|([\\p{L}\\p{N}_%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)' +
    '|(https?://)((([\\d]{1,3})(\\.[\\d]{1,3}){3})|(\\[([\\da-f]{0,4}:){2}([\\da-f]{0,4}:?){1,6}\\]))' +
    ')(?::[\\d]{1,5})?(?:[/?#]\\S*)?$',
  'iu',
);
const EMAIL = /^\S+@[\p{L}\p{N}_][\p{L}\p{N}_.-]*\.[\p{L}\p{N}_]+$/u;
const SCHEME = /^[\p{L}\p{N}_.+-]{2,}:\/{0,2}$/u;

/** Jinja2's `urlize` with the default policies (`rel="noopener"`, no target, no extra schemes). */
export function urlize(value: unknown, o: UrlizeOptions): string {
  const relParts = new Set((o.rel ?? '').split(/\s+/).filter(Boolean));
  if (o.nofollow) relParts.add('nofollow');
  relParts.add('noopener');
  const rel = [...relParts].sort().join(' ');
  for (const scheme of o.extra_schemes ?? []) {
    if (!SCHEME.test(scheme)) throw new TypeError(`${pyRepr(scheme)} is not a valid URI scheme prefix.`);
  }
  const limit = o.trim_url_limit;
  const trim = (x: string): string => (limit !== null && x.length > limit ? `${x.slice(0, limit)}...` : x);
  const relAttr = rel ? ` rel="${escapeHtml(rel)}"` : '';
  const targetAttr = o.target ? ` target="${escapeHtml(o.target)}"` : '';
  const words = escapeHtml(value).split(/(\s+)/u);
  return words
    .map((word) => {
      let head = '';
      let middle = word;
      let tail = '';
      const lead = /^(?:[(<]|&lt;)+/.exec(middle);
      if (lead !== null) {
        head = lead[0];
        middle = middle.slice(head.length);
      }
      if (/(?:[)>.,\n]|&gt;)$/.test(middle)) {
        const trail = /(?:[)>.,\n]|&gt;)+$/.exec(middle);
        if (trail !== null) {
          tail = trail[0];
          middle = middle.slice(0, trail.index);
        }
      }
      for (const [start, end] of [
        ['(', ')'],
        ['<', '>'],
        ['&lt;', '&gt;'],
      ] as const) {
        const starts = middle.split(start).length - 1;
        if (starts <= middle.split(end).length - 1) continue;
        const moves = Math.min(starts, tail.split(end).length - 1);
        for (let i = 0; i < moves; i++) {
          const endIndex = tail.indexOf(end) + end.length;
          middle += tail.slice(0, endIndex);
          tail = tail.slice(endIndex);
        }
      }
      if (HTTP.test(middle)) {
        const href =
          middle.startsWith('https://') || middle.startsWith('http://') ? middle : `https://${middle}`;
        middle = `<a href="${href}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
      } else if (middle.startsWith('mailto:') && EMAIL.test(middle.slice(7))) {
        middle = `<a href="${middle}">${middle.slice(7)}</a>`;
      } else if (
        middle.includes('@') &&
        !middle.startsWith('www.') &&
        !middle.startsWith('@') &&
        !middle.includes(':') &&
        EMAIL.test(middle)
      ) {
        middle = `<a href="mailto:${middle}">${middle}</a>`;
      } else {
        for (const scheme of o.extra_schemes ?? []) {
          if (middle !== scheme && middle.startsWith(scheme)) {
            middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
          }
        }
      }
      return head + middle + tail;
    })
    .join('');
}
