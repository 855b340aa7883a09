// A tiny router over the History API: three routes do not justify a dependency.
import { useSyncExternalStore, type MouseEvent } from 'react';

const NAVIGATE_EVENT = 'kelisim:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

/** The current location's path, re-rendering on back/forward and on navigate(). */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(to: string): void {
  if (to === window.location.pathname) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

/** onClick for an in-app <a href>: navigates without a reload unless the user asked for a new tab. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.pathname);
}

export type Route = { name: 'home' } | { name: 'respond'; link: string } | { name: 'notFound' };

/** Maps a path to a route. Example: matchRoute('/s/abc') → { name: 'respond', link: 'abc' }. */
export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { name: 'home' };
  const respond = /^\/s\/([^/]+)\/?$/.exec(path);
  if (respond) {
    try {
      return { name: 'respond', link: decodeURIComponent(respond[1]) };
    } catch {
      return { name: 'notFound' }; // a malformed %-escape is not a link we could have issued
    }
  }
  return { name: 'notFound' };
}
