// The quota-full screen in a real Chromium on a 360 × 740 phone (and at 1280 px), in kk, ru and en:
// a respondent answers the screener and the "about you" page of the real questionnaire; the save
// of that page finds their group (region × sex × age band) complete; the page says so politely,
// the response is stored as screened out (quota_full), and a reload shows the same message.
// Screenshots go to test-artifacts/quota-full/ to be looked at.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { en } from '../../client/i18n/messages-en';
import { kk } from '../../client/i18n/messages-kk';
import { ru } from '../../client/i18n/messages-ru';
import { screenReasonOf, setQuotas } from '../../server/quotas/service';
import { sql as q } from 'drizzle-orm';
import { responses } from '../../server/db/schema';
import { OFFICIAL_SURVEYS_DIR, REPO_ROOT, startTestApp, type TestApp } from '../helpers/app';
import { choose, horizontalOverflow, openBrowser, pick, question } from './browser';
import { journeyLanguages, SCREEN_CHECKS } from './engine-pass';

const CLIENT_DIR = process.env.KELISIM_E2E_CLIENT_DIR ?? path.join(REPO_ROOT, 'dist/client');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/quota-full');

const survey = JSON.parse(fs.readFileSync(path.join(OFFICIAL_SURVEYS_DIR, 'official/survey.json'), 'utf8')) as { pages: { elements: Record<string, unknown>[] }[] };
const elements = survey.pages.flatMap((p) => p.elements);
type Lang = 'kk' | 'ru' | 'en';
const LANGS = { kk: { browser: 'kk-KZ', messages: kk }, ru: { browser: 'ru-RU', messages: ru }, en: { browser: 'en-GB', messages: en } } as const;
/** A text of the questionnaire in `lang` (kk is its default language). */
const text = (t: unknown, lang: Lang): string => (t as Record<string, string>)[lang === 'kk' ? 'default' : lang]!;
const el = (name: string) => elements.find((e) => e.name === name)!;
const title = (name: string, lang: Lang) => text(el(name).title, lang);
const choice = (name: string, value: string, lang: Lang) => text((el(name).choices as { value: string; text: unknown }[]).find((c) => c.value === value)!.text, lang);

let app: TestApp;
beforeAll(async () => {
  if (!fs.existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    throw new Error(`The client is not built (${CLIENT_DIR}/index.html missing): run \`npx vite build\` (npm test does).`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  app = await startTestApp({ surveysDir: OFFICIAL_SURVEYS_DIR, staticDir: CLIENT_DIR });
});
afterAll(async () => { await app?.close(); });

describe('quota full on the respondent page', () => {
  for (const lang of journeyLanguages(['kk', 'ru', 'en'] as const)) {
    test(`says "this group is already complete, thank you" in ${lang} at 360 px, stores quota_full, and says it again after a reload`, async () => {
      const wave = await app.openWave();
      // Women of 30–44 in Almaty (city): no places left.
      await setQuotas(app.store, wave.id, [{ region: 'KZ-75', sex: 'f', ageBand: '30-44', target: 0 }, { region: 'KZ-75', sex: 'm', ageBand: '30-44', target: 50 }], 'test');
      const { messages } = LANGS[lang];
      const b = await openBrowser({ locale: LANGS[lang].browser, width: 360, height: 740 });
      try {
        const { page } = b;
        await page.goto(`${app.baseUrl}/s/${wave.openSlug}`);
        await page.getByText(title('adult', lang), { exact: true }).waitFor();
        const next = page.getByRole('button', { name: { kk: 'Келесі', ru: 'Далее', en: 'Next' }[lang] });
        for (const name of ['adult', 'resident', 'consent']) await choose(page, title(name, lang), text(el(name).labelTrue, lang));
        await next.click();
        await pick(page, title('region', lang), choice('region', 'KZ-75', lang));
        await choose(page, title('settlement', lang), choice('settlement', 'urban', lang));
        await choose(page, title('sex', lang), choice('sex', 'f', lang));
        await question(page, title('age', lang)).getByRole('spinbutton').fill('37');
        await page.keyboard.press('Tab');
        await pick(page, title('ethnicity', lang), choice('ethnicity', 'kazakh', lang));
        const saved = page.waitForResponse((r) => r.request().method() === 'PUT' && (r.request().postData() ?? '').includes('"age":37'));
        await next.click();
        expect(await (await saved).json()).toMatchObject({ status: 'screened_out', screenReason: 'quota_full' });

        const heading = page.getByRole('heading', { name: messages.quotaFullTitle });
        await heading.waitFor();
        expect(await page.getByText(messages.quotaFullBody, { exact: true }).isVisible()).toBe(true);
        expect(await horizontalOverflow(page)).toBe(0);
        // The message is on the first screen of the phone, not below the fold.
        expect((await heading.boundingBox())!.y).toBeLessThan(740);
        if (SCREEN_CHECKS) await page.screenshot({ path: path.join(ARTIFACTS, `quota-full-${lang}-360.png`), fullPage: true });

        const row = await app.store.sql.all<{ id: string; status: string; region: string | null }>(q`SELECT ${responses.id} AS "id", ${responses.status} AS "status", ${responses.region} AS "region"
          FROM ${responses} WHERE ${responses.waveId} = ${wave.id}`);
        expect(row).toHaveLength(1);
        expect(row[0]).toMatchObject({ status: 'screened_out', region: null });
        expect(await screenReasonOf(app.store.sql, row[0]!.id)).toBe('quota_full');

        // Back later on the same phone: the same message, not the questionnaire.
        await page.reload();
        await heading.waitFor();
        await page.setViewportSize({ width: 1280, height: 800 });
        expect(await horizontalOverflow(page)).toBe(0);
        if (SCREEN_CHECKS) await page.screenshot({ path: path.join(ARTIFACTS, `quota-full-${lang}-1280.png`), fullPage: true });
      } finally {
        await b.close();
      }
    }, 90_000);
  }
});
