// The respondent page offline (issue 12, decision 023), in a real Chromium at 360 × 740 against the
// real server, the real questionnaire and a real SQLite file: a link opened once is stored by the
// service worker (scope /s/ only); with the network off (`context.setOffline(true)`) a reload shows
// the skeleton and then the questionnaire, answers are kept on the device, and when the network
// returns the existing save queue sends them: one response row, with exactly those answers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT, startTestApp, storedResponses, type TestApp } from '../helpers/app';
import { choose, openBrowser, question, type Browser } from './browser';
import { journeyLanguages } from './engine-pass';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
const SCREENSHOTS = process.env.KELISIM_SCREENSHOTS; // a folder, to look at the pages by eye

const LANGUAGES = {
  kk: {
    browser: 'kk-KZ',
    loading: 'Сауалнама жүктелуде…',
    adult: 'Сіз 18 жасқа толдыңыз ба?',
    resident: 'Сіз Қазақстан Республикасында тұрақты тұрасыз ба?',
    consent: 'Жоғарыда көрсетілген шарттармен сауалнамаға қатысуға келісесіз бе?',
    yes: 'Иә',
    agree: 'Иә, келісемін',
    next: 'Келесі',
    sex: 'Жынысыңыз',
    female: 'Әйел',
  },
  ru: {
    browser: 'ru-RU',
    loading: 'Загрузка опроса…',
    adult: 'Вам исполнилось 18 лет?',
    resident: 'Вы постоянно проживаете в Республике Казахстан?',
    consent: 'Согласны ли вы принять участие в опросе на изложенных выше условиях?',
    yes: 'Да',
    agree: 'Да, согласен(-на)',
    next: 'Далее',
    sex: 'Ваш пол',
    female: 'Женский',
  },
  en: {
    browser: 'en-GB',
    loading: 'Loading the survey…',
    adult: 'Are you 18 years of age or older?',
    resident: 'Do you live permanently in the Republic of Kazakhstan?',
    consent: 'Do you agree to take part in the survey on the terms described above?',
    yes: 'Yes',
    agree: 'Yes, I agree',
    next: 'Next',
    sex: 'Your sex',
    female: 'Female',
  },
} as const;
type Lang = keyof typeof LANGUAGES;

let app: TestApp;

beforeAll(async () => {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'sw.js'))) {
    throw new Error(`The client is not built with its service worker (${CLIENT_DIR}/sw.js missing): run \`npx vite build\` (npm test does).`);
  }
  app = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR, staticDir: CLIENT_DIR });
});

afterAll(async () => {
  await app?.close();
});


/** Names of the Cache Storage caches and the paths each holds. */
const cachedPaths = (page: Browser['page']) =>
  page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    return out;
  });

/** Opens the link online and waits until the service worker controls the page and holds the link's questionnaire. */
async function openOnce(page: Browser['page'], url: string, L: (typeof LANGUAGES)[Lang]): Promise<void> {
  await page.goto(url);
  await page.getByText(L.adult, { exact: true }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
  await expect
    .poll(async () => Object.values(await cachedPaths(page)).flat(), { timeout: 10_000 })
    .toContain(`/api/links/${new URL(url).pathname.split('/')[2]}`);
}

describe('respondent page offline (service worker)', () => {
  for (const lang of journeyLanguages(Object.keys(LANGUAGES) as Lang[])) {
    const L = LANGUAGES[lang];
    test(`${lang}: opened once, reloaded with the network off, answered, sent once when the network returns`, async () => {
      const slug = (await app.openWave()).openSlug;
      const url = `${app.baseUrl}/s/${slug}`;
      const b = await openBrowser({ locale: L.browser, width: 360, height: 740 });
      try {
        const { page, context } = b;
        await openOnce(page, url, L);
        // The worker stored the respondent page's files and not the dashboard's.
        const cached = Object.values(await cachedPaths(page)).flat();
        expect(cached).toContain('/index.html');
        expect(cached.some((p) => /^\/assets\/respond-page-.*\.js$/.test(p))).toBe(true);
        expect(cached.some((p) => /public-app|method-page/.test(p))).toBe(false);
        expect(await storedResponses(app.store.sql, slug)).toEqual([]); // nothing answered yet: nothing saved

        await context.setOffline(true);
        const shell = await page.reload({ waitUntil: 'commit' });
        // The stored shell, with the static skeleton drawn before any script runs.
        expect(shell?.fromServiceWorker()).toBe(true);
        expect(await shell?.text()).toContain('skeleton--boot');
        await page.getByText(L.adult, { exact: true }).waitFor();
        expect(await page.evaluate(() => navigator.onLine)).toBe(false);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `offline-${lang}-360.png`) });

        await choose(page, L.adult, L.yes);
        await choose(page, L.resident, L.yes);
        await choose(page, L.consent, L.agree);
        await page.getByRole('button', { name: L.next }).click();
        await choose(page, L.sex, L.female);
        await page.waitForTimeout(2000); // past the 1.5-s typing debounce: a save is tried and fails
        // None of the answers reached the server while offline. (The row, if any, is the empty state
        // the closing page sent as a keepalive request on reload, from Chromium's browser process,
        // which setOffline does not cover: test/e2e/network-switch.ts.)
        expect((await storedResponses(app.store.sql, slug)).map((r) => JSON.stringify(r.data))).not.toContainEqual(expect.stringMatching(/adult|sex/));

        await context.setOffline(false);
        // The save queue retries every 5 s: the answers arrive without the respondent doing anything.
        await expect
          .poll(async () => (await storedResponses(app.store.sql, slug)).map((r) => r.data), { timeout: 15_000 })
          .toEqual([{ adult: true, resident: true, consent: true, sex: 'f' }]);
        await page.waitForTimeout(1500);
        const rows = await storedResponses(app.store.sql, slug);
        expect(rows).toHaveLength(1);
        expect(rows[0].status).toBe('partial');
        expect(rows[0].currentPageNo).toBe(1);
        expect(rows[0].locale).toBe(lang);
        // And the page still shows what was answered.
        expect(await question(page, L.sex).getByRole('radio', { name: L.female, exact: true }).isChecked()).toBe(true);
      } finally {
        await b.close();
      }
    }, 90_000);
  }

  test('the worker controls respondent pages only: not the dashboard, not /admin', async () => {
    const slug = (await app.openWave()).openSlug;
    const b = await openBrowser({ locale: 'en-GB', width: 360, height: 740 });
    try {
      const { page } = b;
      await openOnce(page, `${app.baseUrl}/s/${slug}`, LANGUAGES.en);
      const scopes = await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).map((r) => new URL(r.scope).pathname));
      expect(scopes).toEqual(['/s/']);
      for (const other of ['/', '/admin', '/?page=method']) {
        await page.goto(app.baseUrl + other);
        expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
      }
    } finally {
      await b.close();
    }
  }, 60_000);

  test('the light first page before the survey code: answerable, and its answer carried into the questionnaire and saved', async () => {
    const slug = (await app.openWave()).openSlug;
    const L = LANGUAGES.ru;
    const b = await openBrowser({ locale: L.browser, width: 360, height: 740 });
    try {
      const { page } = b;
      // Hold the survey code back, as a slow link does.
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await page.route(/\/assets\/survey-entry-[^/]+\.js$/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${app.baseUrl}/s/${slug}`);
      const preview = page.locator('.preview__question').filter({ hasText: L.adult });
      await preview.waitFor();
      expect(await page.locator('.sd-question').count()).toBe(0); // survey-core is not there yet
      const box = await preview.boundingBox();
      expect(box!.y + box!.height).toBeLessThanOrEqual(740); // on the first screen
      if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `preview-${'ru'}-360.png`) });
      await preview.getByRole('radio', { name: L.yes, exact: true }).check();

      release();
      // survey-core takes over with the answer given, shows what it opens, and sends it.
      await page.getByText(L.resident, { exact: true }).waitFor();
      expect(await question(page, L.adult).getByRole('radio', { name: L.yes, exact: true }).isChecked()).toBe(true);
      await expect
        .poll(async () => (await storedResponses(app.store.sql, slug)).map((r) => r.data), { timeout: 10_000 })
        .toEqual([{ adult: true }]);
    } finally {
      await b.close();
    }
  }, 60_000);

  test('a new deployment: the new worker takes over, and the page reloads when hidden without losing a half-typed answer', async () => {
    // A copy of the build, whose sw.js is then changed as a new deployment changes it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kelisim-deploy-'));
    fs.cpSync(CLIENT_DIR, dir, { recursive: true });
    const deployed = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR, staticDir: dir });
    const L = LANGUAGES.ru;
    const b = await openBrowser({ locale: L.browser, width: 360, height: 740 });
    try {
      const { page } = b;
      const slug = deployed.wave.openSlug;
      await page.goto(`${deployed.baseUrl}/s/${slug}`);
      await page.getByText(L.adult, { exact: true }).waitFor();
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
      await choose(page, L.adult, L.yes);
      await choose(page, L.resident, L.yes);
      await choose(page, L.consent, L.agree);
      await page.getByRole('button', { name: L.next }).click();
      const age = question(page, 'Сколько вам полных лет?').getByRole('spinbutton');
      await age.fill('34'); // still focused: survey-core takes the value on blur

      fs.appendFileSync(path.join(dir, 'sw.js'), '\n// the next deployment\n');
      const before = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
      // The new worker controls the page, which is not reloaded under the respondent's fingers.
      await page.waitForFunction(
        () => new Promise<boolean>((resolve) => {
          navigator.serviceWorker.getRegistration().then((r) => resolve(r?.active !== null && r?.waiting === null && r?.installing === null));
        }),
        undefined,
        { timeout: 20_000 },
      );
      await page.waitForTimeout(500);
      expect(await age.inputValue()).toBe('34');
      expect(before).toContain('/sw.js');

      // The respondent switches apps: the page is hidden, and reloads into the new version.
      const reloaded = page.waitForEvent('load', { timeout: 20_000 });
      await page.evaluate(() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await reloaded;
      // Back on the same page with every answer, the half-typed one included, which then reaches the server.
      const ageAfter = question(page, 'Сколько вам полных лет?').getByRole('spinbutton');
      await ageAfter.waitFor();
      expect(await ageAfter.inputValue()).toBe('34');
      await expect
        .poll(async () => (await deployed.responseRows())[0]?.data, { timeout: 15_000 })
        .toEqual({ adult: true, resident: true, consent: true, age: 34 });
    } finally {
      await b.close();
      await deployed.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  test('a survey-code download lost on the way is tried again; the light first page stays meanwhile', async () => {
    const slug = (await app.openWave()).openSlug;
    const b = await openBrowser({ locale: 'en-GB', width: 360, height: 740 });
    try {
      const { page } = b;
      let failed = 0;
      await page.route(/\/assets\/survey-entry-[^/]+\.js$/, async (route) => {
        if (failed === 0) {
          failed += 1;
          return route.abort('internetdisconnected');
        }
        await route.continue();
      });
      await page.goto(`${app.baseUrl}/s/${slug}`);
      await page.locator('.preview__question').filter({ hasText: LANGUAGES.en.adult }).waitFor();
      await question(page, LANGUAGES.en.adult).waitFor({ timeout: 15_000 }); // survey-core, after the retry (2 s)
      expect(failed).toBe(1);
    } finally {
      await b.close();
    }
  }, 60_000);
});
