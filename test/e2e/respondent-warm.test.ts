// A warm visit online (issue 12, decision 023): the service worker starts the link's GET and this
// device's response GET at the navigation, network first, and the page's own GETs take those answers
// — so what the page shows is the server's answer of that moment, never a stored one while the
// network can tell: a wave closed meanwhile shows as closed, a new questionnaire version is shown to
// a respondent who has not answered yet, and one who has keeps the version they started on. Real
// Chromium at 360 × 740, the real questionnaire, the real server over a real SQLite file, with every
// request the server receives logged.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import express from 'express';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../server/app';
import type { Store } from '../../server/db/store';
import { loadOfficialSurvey } from '../../server/surveys/bootstrap';
import { OFFICIAL_SURVEY_ID, readSurveyFolder, registerSurveyVersion } from '../../server/surveys/service';
import { closeWave, openWave } from '../../server/waves/service';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT, storedResponses } from '../helpers/app';
import { createTestStore } from '../helpers/store';
import { choose, openBrowser, question, type Browser } from './browser';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
const SCREENSHOTS = process.env.KELISIM_SCREENSHOTS;

const EN = {
  adult: 'Are you 18 years of age or older?',
  resident: 'Do you live permanently in the Republic of Kazakhstan?',
  yes: 'Yes',
  closed: 'This survey is closed',
};

interface Logged {
  method: string;
  path: string;
}

interface LoggedApp {
  baseUrl: string;
  /** The store the app runs on (SQLite or PostgreSQL, test/helpers/store.ts). */
  store: Store;
  requests: Logged[];
  close: () => Promise<void>;
}

/** The real app behind a logger of every request it receives. */
async function startLoggedApp(): Promise<LoggedApp> {
  const testStore = await createTestStore();
  await loadOfficialSurvey(testStore.store, OFFICIAL_SURVEYS_DIR);
  const requests: Logged[] = [];
  const app = express();
  app.use((req, _res, next) => {
    requests.push({ method: req.method, path: req.path });
    next();
  });
  app.use(createApp({ db: testStore.db, store: testStore.store, config: { bodyLimitBytes: 64 * 1024, staticDir: CLIENT_DIR }, logError: (m, err) => console.error(m, err) }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    store: testStore.store,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await testStore.cleanup();
    },
  };
}


/** Opens the link online, until the worker controls the page and holds the link's questionnaire. */
async function openOnce(page: Browser['page'], url: string): Promise<void> {
  await page.goto(url);
  await page.getByText(EN.adult, { exact: true }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
  const linkPath = `/api/links/${new URL(url).pathname.split('/')[2]}`;
  await expect
    .poll(() => page.evaluate(async (p) => (await caches.match(p)) !== undefined, linkPath), { timeout: 10_000 })
    .toBe(true);
}

/** Records, from the first script on, whether a question (the light first page's or survey-core's) was ever drawn. */
async function watchForQuestions(page: Browser['page']): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { kelisimQuestionSeen: boolean };
    w.kelisimQuestionSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('.preview__question, .sd-question')) w.kelisimQuestionSeen = true;
    }).observe(document, { childList: true, subtree: true });
  });
}

/** The page's own request for `pathname` (Resource Timing): when it started, ms since the epoch. */
const pageRequestStart = (page: Browser['page'], pathname: string) =>
  page.evaluate((p) => {
    const entry = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === p);
    return entry ? performance.timeOrigin + entry.startTime : null;
  }, pathname);

/** The link's questionnaire as registered, with the first question's wording changed in every language. */
function changedQuestionnaire(): { json: Record<string, unknown>; scoring: Record<string, unknown> } {
  const { json, scoring } = readSurveyFolder(path.join(OFFICIAL_SURVEYS_DIR, 'official'));
  const copy = structuredClone(json) as { pages: { elements: { name: string; title: Record<string, string> }[] }[] };
  const adult = copy.pages[0]!.elements.find((e) => e.name === 'adult')!;
  adult.title = Object.fromEntries(Object.entries(adult.title).map(([k, v]) => [k, `${v} (v2)`]));
  return { json: copy as unknown as Record<string, unknown>, scoring };
}

let app: LoggedApp;

beforeAll(async () => {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'sw.js'))) {
    throw new Error(`The client is not built with its service worker (${CLIENT_DIR}/sw.js missing): run \`npx vite build\` (npm test does).`);
  }
  app = await startLoggedApp();
});

afterAll(async () => {
  await app?.close();
});

describe('respondent page, a warm visit online (service worker)', () => {
  test('the link and this device\'s response are asked for at the navigation, once each, and the page shows their answers', async () => {
    const slug = (await app.store.write((tx) => openWave(tx, OFFICIAL_SURVEY_ID))).openSlug;
    const url = `${app.baseUrl}/s/${slug}`;
    const b = await openBrowser({ locale: 'en-GB', width: 360, height: 740 });
    try {
      const { page } = b;
      await openOnce(page, url);
      await choose(page, EN.adult, EN.yes);
      await expect.poll(async () => (await storedResponses(app.store.sql, slug)).map((r) => r.data), { timeout: 15_000 }).toEqual([{ adult: true }]);
      const id = String((await storedResponses(app.store.sql, slug))[0]!.id);
      const linkPath = `/api/links/${slug}`;
      const responsePath = `${linkPath}/responses/${id}`;
      await page.waitForTimeout(500); // the worker has been told which response is this device's

      // The worker's own requests, as the browser saw them (its clock, like the page's timeOrigin).
      const fromWorker: Request[] = [];
      b.context.on('request', (r) => { if (r.serviceWorker()) fromWorker.push(r); });
      const from = app.requests.length;
      await page.reload();
      await question(page, EN.adult).waitFor();
      expect(await question(page, EN.adult).getByRole('radio', { name: EN.yes, exact: true }).isChecked()).toBe(true);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'warm-en-360.png') });
      const gets = app.requests.slice(from).filter((r) => r.method === 'GET' && r.path.startsWith(linkPath));
      // One GET each reached the server (the page's own GETs took the worker's answers)…
      expect(gets.filter((r) => r.path === linkPath)).toHaveLength(1);
      expect(gets.filter((r) => r.path === responsePath)).toHaveLength(1);
      // …and they left before the page asked: the worker started them at the navigation.
      const pageAskedLink = await pageRequestStart(page, linkPath);
      const pageAskedResponse = await pageRequestStart(page, responsePath);
      expect(pageAskedLink).not.toBeNull();
      expect(pageAskedResponse).not.toBeNull();
      // (Compared on the browser's clock: the server's arrival time is taken in this busy test
      // process, which may see a request a few ms after the page has already asked.)
      const workerStarted = async (pathname: string) => {
        const r = fromWorker.find((q) => q.method() === 'GET' && new URL(q.url()).pathname === pathname);
        expect(r, `the worker's GET of ${pathname}`).toBeDefined();
        await r!.response();
        return r!.timing().startTime;
      };
      for (const [pathname, pageAsked] of [[linkPath, pageAskedLink!], [responsePath, pageAskedResponse!]] as const) {
        const started = await workerStarted(pathname);
        expect(started).toBeLessThan(pageAsked);
        // A real time of this reload (not a missing one: 0 or -1), within seconds of the page's request.
        expect(started).toBeGreaterThan(pageAsked - 10_000);
      }

      // Still one response, answered on: the next answer reaches the server once.
      await choose(page, EN.resident, EN.yes);
      await expect.poll(async () => (await storedResponses(app.store.sql, slug)).map((r) => r.data), { timeout: 15_000 }).toEqual([{ adult: true, resident: true }]);
    } finally {
      await b.close();
    }
  }, 90_000);

  test('a wave closed meanwhile: the reload online says so, and the stored questionnaire is never shown', async () => {
    const wave = await app.store.write((tx) => openWave(tx, OFFICIAL_SURVEY_ID));
    const url = `${app.baseUrl}/s/${wave.openSlug}`;
    const b = await openBrowser({ locale: 'en-GB', width: 360, height: 740 });
    try {
      const { page } = b;
      await openOnce(page, url);
      await closeWave(app.store, wave.id);
      await watchForQuestions(page);
      await page.reload();
      await page.getByRole('heading', { name: EN.closed }).first().waitFor();
      expect(await page.evaluate(() => (window as unknown as { kelisimQuestionSeen: boolean }).kelisimQuestionSeen)).toBe(false);
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'warm-closed-en-360.png') });
    } finally {
      await b.close();
    }
  }, 60_000);

  test('offline, the stored link still opens (the early GETs fall back to the stored answers)', async () => {
    const slug = (await app.store.write((tx) => openWave(tx, OFFICIAL_SURVEY_ID))).openSlug;
    const b = await openBrowser({ locale: 'en-GB', width: 360, height: 740 });
    try {
      const { page, context } = b;
      await openOnce(page, `${app.baseUrl}/s/${slug}`);
      await context.setOffline(true);
      await page.reload();
      await page.getByText(EN.adult, { exact: true }).waitFor();
      await question(page, EN.adult).waitFor(); // survey-core running
    } finally {
      await b.close();
    }
  }, 60_000);

  // Last: the new version applies to every wave of this app's survey.
  test('a new questionnaire version: shown to a respondent who has not answered; one who has keeps theirs', async () => {
    const fresh = (await app.store.write((tx) => openWave(tx, OFFICIAL_SURVEY_ID))).openSlug;
    const started = (await app.store.write((tx) => openWave(tx, OFFICIAL_SURVEY_ID))).openSlug;
    const b = await openBrowser({ locale: 'en-GB', width: 360, height: 740 });
    try {
      const { page } = b;
      // One link opened and left unanswered, another answered (saved on the current version).
      await openOnce(page, `${app.baseUrl}/s/${fresh}`);
      // Read for a while, not answered: past the save queue's 1.5-s debounce, so a page that saved
      // its untouched state would have bound a response to the current version.
      await page.waitForTimeout(2500);
      expect(await storedResponses(app.store.sql, fresh)).toEqual([]);
      await openOnce(page, `${app.baseUrl}/s/${started}`);
      await choose(page, EN.adult, EN.yes);
      await expect.poll(async () => (await storedResponses(app.store.sql, started)).length, { timeout: 15_000 }).toBe(1);
      const oldVersion = Number((await storedResponses(app.store.sql, started))[0]!.surveyVersionId);

      const { json, scoring } = changedQuestionnaire();
      const next = await registerSurveyVersion(app.store, OFFICIAL_SURVEY_ID, json, scoring);
      expect(next.created).toBe(true);

      // Nothing answered: the reload online shows the new version, never the stored one.
      await watchForQuestions(page);
      await page.goto(`${app.baseUrl}/s/${fresh}`);
      await page.getByText(`${EN.adult} (v2)`, { exact: true }).first().waitFor();
      expect(await page.getByText(EN.adult, { exact: true }).count()).toBe(0);
      await question(page, `${EN.adult} (v2)`).waitFor(); // survey-core running, on the new version
      await choose(page, `${EN.adult} (v2)`, EN.yes);
      await expect.poll(async () => (await storedResponses(app.store.sql, fresh)).map((r) => Number(r.surveyVersionId)), { timeout: 15_000 }).toEqual([next.version.id]);

      // Answered before: the respondent goes on with the version they started on, and saves are taken.
      await page.goto(`${app.baseUrl}/s/${started}`);
      await question(page, EN.adult).waitFor();
      expect(await question(page, EN.adult).getByRole('radio', { name: EN.yes, exact: true }).isChecked()).toBe(true);
      await choose(page, EN.resident, EN.yes);
      await expect
        .poll(async () => (await storedResponses(app.store.sql, started)).map((r) => [Number(r.surveyVersionId), r.data]), { timeout: 15_000 })
        .toEqual([[oldVersion, { adult: true, resident: true }]]);
    } finally {
      await b.close();
    }
  }, 120_000);
});
