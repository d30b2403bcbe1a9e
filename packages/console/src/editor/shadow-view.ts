/**
 * A shadow root for a CodeMirror view. CodeMirror puts its styles in `<style>` elements on a document,
 * which the console's Content-Security-Policy (`style-src 'self'`, no inline styles) refuses; in a
 * shadow root it uses constructed style sheets instead, which the policy does not cover. The root also
 * gets `editor.css` (the console's look of the editor), as a constructed sheet too.
 */
import css from './editor.css?inline';

let sheet: CSSStyleSheet | undefined;

/** A fresh shadow root inside `host` (whatever `host` held before is dropped), classed `kind`. */
export function shadowView(
  host: HTMLElement,
  kind: 'editor' | 'diff',
): { root: ShadowRoot; parent: HTMLElement } {
  const holder = document.createElement('div');
  host.replaceChildren(holder);
  const root = holder.attachShadow({ mode: 'open' });
  if (sheet === undefined) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [sheet];
  const parent = document.createElement('div');
  parent.className = kind;
  root.append(parent);
  return { root, parent };
}
