// A small router over the History API (decision 014: kept hand-written, with the query string as
// the place for a view's shareable state).
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

/** The current query string ("?a=1" or ""), re-rendering on back/forward, navigate() and setQuery(). */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search);
}

const here = () => window.location.pathname + window.location.search;

/** Goes to `to` (a path with an optional query string) as a new history entry. */
export function navigate(to: string): void {
  if (to === here()) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

/**
 * Replaces the query string of the current entry (a view's state: a changed filter is not a new
 * page for the back button, but the address stays shareable). Keeps the path and the hash.
 */
export function setQuery(params: URLSearchParams): void {
  const search = params.toString();
  const to = window.location.pathname + (search ? `?${search}` : '') + window.location.hash;
  if (to === here() + window.location.hash) return;
  window.history.replaceState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** onClick for an in-app <a href>: navigates without a reload unless the user asked for a new tab. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.pathname + event.currentTarget.search);
}

export type Route = { name: 'home' } | { name: 'respond'; link: string } | { name: 'admin'; rest: string } | { name: 'notFound' };

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
  // The researchers' console (client/admin) routes the rest itself: '/admin/runs/3' → rest 'runs/3'.
  const admin = /^\/admin(?:\/(.*))?$/.exec(path);
  if (admin) return { name: 'admin', rest: (admin[1] ?? '').replace(/\/+$/, '') };
  return { name: 'notFound' };
}
