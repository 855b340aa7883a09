// The respondent page's service worker (decision 023), registered from /s/ pages only, with scope
// /s/: the dashboard (/) and the console (/admin) are never controlled by it, and their requests
// never pass through it. The worker itself is generated at build time by vite-plugin-pwa (Workbox)
// from vite.config.ts; this module only registers it, stores the open link's questionnaire, and
// picks up a new deployment.
import { Workbox } from 'workbox-window';

/** The path prefix of respondent links, and the worker's scope. */
export const RESPONDENT_SCOPE = '/s/';

/** GET /api/links/:link for the page's link, spelt as client/respond/api.ts requests it. */
function linkApiUrl(pathname: string): string | null {
  const m = /^\/s\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  try {
    return `/api/links/${encodeURIComponent(decodeURIComponent(m[1]))}`;
  } catch {
    return null;
  }
}

/** A questionnaire is on screen (survey-core's root), so a reload would interrupt the respondent. */
const surveyOnScreen = () => document.querySelector('.sd-root-modern') !== null;

/**
 * A new deployment's worker has taken over: reload into the new version when no one loses anything.
 * With no questionnaire on screen (still loading, a message, the thanks page): at once. With one: when
 * the page is next hidden (the respondent switched apps or tabs) — first the focused field is blurred,
 * which makes survey-core take a half-typed value into the answers, and so into this device's copy
 * (client/respond/use-save-queue.ts writes it on every change); the reloaded page resumes from that
 * copy on the same page. Until then the page in use keeps working: all its code is loaded.
 */
function reloadWhenSafe(): void {
  if (!surveyOnScreen()) {
    window.location.reload();
    return;
  }
  const onHidden = () => {
    if (document.visibilityState !== 'hidden') return;
    document.removeEventListener('visibilitychange', onHidden);
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
    // After the blur's value change and the save queue's own 'hidden' handler have run.
    setTimeout(() => window.location.reload(), 0);
  };
  document.addEventListener('visibilitychange', onHidden);
}

/**
 * Registers the worker for a respondent page, once the survey code is loaded (so that precaching it
 * is served from the HTTP cache instead of downloading it a second time on a slow link), asks the
 * worker to store this link's questionnaire (the first visit's GET happened before the worker
 * existed), and tells it which response (`responseId`; null: it finished; undefined: not known) is
 * this device's in progress on the link.
 */
export async function registerRespondentWorker(surveyCodeLoaded: Promise<unknown>, responseId: Promise<string | null | undefined> = Promise.resolve(undefined)): Promise<void> {
  if (!('serviceWorker' in navigator) || !window.location.pathname.startsWith(RESPONDENT_SCOPE)) return;
  // A page the worker already controls had its link GETs go through it (and stored).
  const controlled = navigator.serviceWorker.controller !== null;
  // A change of controller is a new deployment's worker taking over, except the first worker claiming
  // a page that had none (the first visit). Followed here rather than through workbox-window's
  // `isUpdate`, which is false for an update found later in a page that started uncontrolled.
  let controller = navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    const replaced = controller !== null;
    controller = navigator.serviceWorker.controller;
    if (replaced) reloadWhenSafe();
  });
  await surveyCodeLoaded.catch(() => undefined);
  const wb = new Workbox('/sw.js', { scope: RESPONDENT_SCOPE });
  try {
    await wb.register();
  } catch (error) {
    // No worker (private mode, an old browser, a proxy that blocks /sw.js): the page works online.
    console.warn('Kelisim: the offline copy of the survey could not be set up.', error);
    return;
  }
  const url = linkApiUrl(window.location.pathname);
  if (url && !controlled) wb.messageSW({ type: 'CACHE_URLS', payload: { urlsToCache: [url] } }).catch(() => undefined);
  // Which response is this device's (client/sw/sw.ts): the next visit's navigation starts its GET
  // alongside the link's, instead of the page asking for it once its code has run.
  const id = await responseId;
  if (url && id !== undefined) wb.messageSW({ type: 'RESPONSE_OF_LINK', payload: { link: url, response: id === null ? null : `${url}/responses/${encodeURIComponent(id)}` } }).catch(() => undefined);
}
