/**
 * Hash routing (`/#/runs/abc?status=failed`): the service serves one `index.html` at `/`, and every
 * console address stays clear of the API's own paths.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** The path after `#`, like `/runs/abc`. */
  path: string;
  /** The path split on `/`, decoded: `['runs', 'abc']`. */
  parts: string[];
  query: URLSearchParams;
}

function current(): Route {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path = '/', search = ''] = hash.split('?', 2);
  const parts = path
    .split('/')
    .filter((part) => part !== '')
    .map(decodeURIComponent);
  return { path, parts, query: new URLSearchParams(search) };
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** The href of a console address: `href('runs', id)` is `#/runs/<id>`. */
export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const target = to.startsWith('#') ? to : `#${to}`;
  if (options.replace === true) location.replace(target);
  else location.hash = target;
}
