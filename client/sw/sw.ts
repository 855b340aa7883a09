// The respondent page's service worker (decision 023), built by vite-plugin-pwa (`injectManifest`)
// from Workbox's modules into dist/client/sw.js and registered by register.ts with scope /s/ only.
// - Precache: the respondent page's files (client/sw/precache.ts picks them from Vite's manifest).
// - A /s/ navigation gets the stored index.html at once, online or not.
// - The link's questionnaire (GET /api/links/:link) and this device's response
//   (GET /api/links/:link/responses/:id): network first, the stored answer when the network is down
//   or slower than 4 s. Network first, so a closed wave, a used invitation or a new questionnaire
//   version shows as soon as the server can tell.
// - Started early: a /s/:link navigation starts both GETs at once (the same network-first
//   handling), while the page's code is still being evaluated; the page's own GETs, ~0.6 s later on
//   a slow phone, take those answers instead of waiting for a round trip of their own (decision
//   023, "warm visit"). Which response is this device's comes from the page (a RESPONSE_OF_LINK
//   message, register.ts): its id is made on the device.
// - New deployments: skipWaiting + clientsClaim, old precaches removed (register.ts reloads the page
//   at a safe moment).
// Saves and completions (PUT/POST) are never routed here: the page's save queue retries them.
import { CacheableResponsePlugin } from 'workbox-cacheable-response';
import { clientsClaim, type RouteHandlerCallbackOptions } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { NetworkFirst } from 'workbox-strategies';

/** The parts of the worker's global scope used here (the project compiles against the DOM library). */
interface WorkerScope {
  __WB_MANIFEST: Array<PrecacheEntry | string>;
  location: Location;
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent & { waitUntil(p: Promise<unknown>): void }) => void): void;
}
declare const self: WorkerScope;

/** The cache of the link GETs' answers (its name is part of decision 023's contract with tests). */
const LINKS_CACHE = 'kelisim-respondent-links';
/** Which response URL is this device's for a link, as the page said: one tiny entry per link. */
const RESPONSE_OF_LINK_CACHE = 'kelisim-respondent-response-of-link';
/** An answer started at navigation is handed to the page's GET only this long after (ms). */
const EARLY_FOR_MS = 10_000;

void self.skipWaiting();
clientsClaim();
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

const linkGets = new NetworkFirst({
  cacheName: LINKS_CACHE,
  networkTimeoutSeconds: 4,
  plugins: [
    new CacheableResponsePlugin({ statuses: [200] }), // a refusal (409, 404) is never stored
    new ExpirationPlugin({ maxEntries: 50, maxAgeSeconds: 31 * 24 * 3600 }), // the resume window
  ],
});

const LINK_API = /^\/api\/links\/([^/]+)(?:\/responses\/[^/]+)?$/;

/** The answers started at navigation, by URL, each handed to one page GET. */
const early = new Map<string, { answer: Promise<Response>; at: number }>();

/** The key under which the page's RESPONSE_OF_LINK for `linkPath` is kept. */
const responseOfLinkKey = (linkPath: string) => new URL(`/__kelisim/response-of${linkPath}`, self.location.origin).href;

/** Starts `path`'s GET through the network-first handling, for the page to take within EARLY_FOR_MS. */
function startEarly(path: string, event: RouteHandlerCallbackOptions['event']): void {
  const request = new Request(new URL(path, self.location.origin).href, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const answer = linkGets.handle({ event, request });
  answer.catch(() => undefined); // the page's own GET reports the failure
  early.set(request.url, { answer, at: Date.now() });
  setTimeout(() => {
    if (early.get(request.url)?.answer === answer) early.delete(request.url);
  }, EARLY_FOR_MS);
}

/** A /s/:link navigation: start the link's GETs now, then answer with the stored shell. */
const shell = createHandlerBoundToURL('/index.html');
registerRoute(
  new NavigationRoute(
    async (options) => {
      const m = /^\/s\/([^/]+)\/?$/.exec(options.url.pathname);
      if (m) {
        try {
          // Spelt as client/respond/api.ts requests it.
          const linkPath = `/api/links/${encodeURIComponent(decodeURIComponent(m[1]!))}`;
          startEarly(linkPath, options.event);
          const responsePath = await (await caches.open(RESPONSE_OF_LINK_CACHE)).match(responseOfLinkKey(linkPath));
          if (responsePath) startEarly(await responsePath.text(), options.event);
        } catch {
          // A malformed link: the page says so.
        }
      }
      return shell(options);
    },
    { allowlist: [/^\/s\//] },
  ),
);

registerRoute(
  ({ url, request, sameOrigin }) => sameOrigin && request.method === 'GET' && LINK_API.test(url.pathname),
  (options) => {
    const started = early.get(options.request.url);
    early.delete(options.request.url);
    if (started && Date.now() - started.at < EARLY_FOR_MS) return started.answer;
    return linkGets.handle(options);
  },
);

// The page names this device's response in progress on a link (its id is made on the device), so
// that the next navigation can start that GET early too; null forgets it (the response finished).
self.addEventListener('message', (event) => {
  const data = event.data as { type?: string; payload?: { link?: unknown; response?: unknown } } | null;
  if (data?.type !== 'RESPONSE_OF_LINK') return;
  const { link, response } = data.payload ?? {};
  if (typeof link !== 'string' || !/^\/api\/links\/[^/]+$/.test(link)) return;
  // null: no response of this device's is in progress on the link (finished, or none): forget it.
  if (response !== null && (typeof response !== 'string' || !/^\/api\/links\/[^/]+\/responses\/[^/]+$/.test(response) || !response.startsWith(`${link}/responses/`))) return;
  event.waitUntil(
    caches
      .open(RESPONSE_OF_LINK_CACHE)
      .then(async (cache) => {
        if (response === null) await cache.delete(responseOfLinkKey(link));
        else await cache.put(responseOfLinkKey(link), new Response(response));
      })
      .then(() => event.ports[0]?.postMessage(true)), // workbox-window's messageSW waits for a reply
  );
});
